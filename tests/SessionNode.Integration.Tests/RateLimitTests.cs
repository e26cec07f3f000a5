namespace SessionNode.Integration.Tests;

/// <summary>Per-address token bucket of /storage_rpc/v1 (client-rpc.md §10), driven by the node's fake clock.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task RateLimit_BurstThen429_RefillsWithTime()
    {
        await using var f = await NodeFixture.StartAsync(new Dictionary<string, string?> { ["Rpc:RateLimitEnabled"] = "true" });
        var info = f.Requests.Info();

        // Capacity 600, and the clock stands still: exactly 600 requests pass.
        for (var i = 0; i < 600; i++)
        {
            Assert.Equal(200, (await f.Client.SendRawAsync(info, NodeFixture.Ct)).StatusCode);
        }

        var refused = await f.Client.SendRawAsync(info, NodeFixture.Ct);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("Too Many Requests\n", refused.BodyText);

        // A refused request takes no token and the connection stays usable; 300 tokens/s refill.
        Assert.Equal(429, (await f.Client.SendRawAsync(info, NodeFixture.Ct)).StatusCode);
        f.Clock.Advance(TimeSpan.FromMilliseconds(10));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await f.Client.SendRawAsync(info, NodeFixture.Ct)).StatusCode);
        }

        Assert.Equal(429, (await f.Client.SendRawAsync(info, NodeFixture.Ct)).StatusCode);
    }

    [Fact]
    public async Task RateLimit_BatchCountsOnce()
    {
        await using var f = await NodeFixture.StartAsync(new Dictionary<string, string?> { ["Rpc:RateLimitEnabled"] = "true" });
        var batch = f.Requests.Batch(Enumerable.Range(0, 20).Select(_ => f.Requests.Info()));

        for (var i = 0; i < 600; i++)
        {
            Assert.Equal(200, (await f.Client.SendRawAsync(batch, NodeFixture.Ct)).StatusCode);
        }

        Assert.Equal(429, (await f.Client.SendRawAsync(batch, NodeFixture.Ct)).StatusCode);
    }
}
