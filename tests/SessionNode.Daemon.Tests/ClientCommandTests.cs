using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary><c>sessionnode client …</c> against a real in-process node.</summary>
public sealed class ClientCommandTests
{
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string SessionId = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";

    [Fact]
    public async Task StoreRetrieveDelete_RoundTripThroughTheShellCommands()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var target = node.BaseAddress.ToString();

        var store = await Cli.RunAsync("client", "--target", target, "store", "--seed", Seed, "hello from the shell");
        Assert.Equal(0, store.ExitCode);
        var hash = store.Output.Split('\n')[0]["hash ".Length..].Trim();
        Assert.Equal(43, hash.Length);

        var retrieve = await Cli.RunAsync("client", "--target", target, "retrieve", "--seed", Seed);
        Assert.Equal(0, retrieve.ExitCode);
        Assert.Contains("data=hello from the shell", retrieve.Output, StringComparison.Ordinal);
        Assert.Contains("1 message(s)", retrieve.Output, StringComparison.Ordinal);

        var expire = await Cli.RunAsync("client", "--target", target, "expire", "--seed", Seed, "--expiry", (node.Time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000).ToString(System.Globalization.CultureInfo.InvariantCulture), hash);
        Assert.Equal(0, expire.ExitCode);
        Assert.Contains("updated " + hash, expire.Output, StringComparison.Ordinal);

        var delete = await Cli.RunAsync("client", "--target", target, "delete", "--seed", Seed, hash);
        Assert.Equal(0, delete.ExitCode);
        Assert.Contains("deleted " + hash, delete.Output, StringComparison.Ordinal);

        var empty = await Cli.RunAsync("client", "--target", target, "retrieve", "--seed", Seed);
        Assert.Contains("0 message(s)", empty.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfoAndGetSwarm_PrintTheNode()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var target = node.BaseAddress.ToString();
        var info = await Cli.RunAsync("client", "--target", target, "info");
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("version 2.8.0", info.Output, StringComparison.Ordinal);

        var swarm = await Cli.RunAsync("client", "--target", target, "get-swarm", SessionId);
        Assert.Equal(0, swarm.ExitCode);
        Assert.Contains(node.PublicKeyHex, swarm.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_AreReportedWithExitCode1()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var target = node.BaseAddress.ToString();

        var badSeed = await Cli.RunAsync("client", "--target", target, "retrieve", "--seed", "zz");
        Assert.Equal(1, badSeed.ExitCode);
        Assert.Contains("--seed must be 64 hex digits", badSeed.Error, StringComparison.Ordinal);

        var unsigned = await Cli.RunAsync("client", "--target", target, "store", "--to", SessionId, "--namespace", "3", "x");
        Assert.Equal(1, unsigned.ExitCode);
        Assert.Contains("HTTP 401", unsigned.Error, StringComparison.Ordinal);

        var badTarget = await Cli.RunAsync("client", "--target", "not a url", "info");
        Assert.Equal(1, badTarget.ExitCode);
    }

    [Fact]
    public async Task Keygen_PrintsSeedAndSessionId()
    {
        var r = await Cli.RunAsync("client", "keygen");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches("seed: +[0-9a-f]{64}", r.Output);
        Assert.Matches("session id: 05[0-9a-f]{64}", r.Output);
    }
}
