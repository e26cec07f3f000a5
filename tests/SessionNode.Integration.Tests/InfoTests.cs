namespace SessionNode.Integration.Tests;

/// <summary>info (client-rpc.md §9.3) and transport basics (§2).</summary>
public sealed class InfoTests
{
    [Fact]
    public async Task Info_ReportsVersionTimeAndHardFork()
    {
        await using var f = await NodeFixture.StartAsync();

        var info = await f.Client.InfoAsync(NodeFixture.Ct);

        Assert.Equal([2, 8, 0], info.Version);
        f.AssertTime(f.Now, info.NodeTime);
        f.AssertTime(f.Now, info.Timestamp);
        Assert.Equal(new HardFork(19, 4), info.HardFork);
    }
}
