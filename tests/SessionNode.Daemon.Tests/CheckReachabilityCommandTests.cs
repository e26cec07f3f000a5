using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary><c>sessionnode check-reachability</c> against real in-process nodes on loopback.</summary>
public sealed class CheckReachabilityCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllPortsOpen_PrintsReachedTable_ExitCode0_ThenClosedHttpsPort_ExitCode1()
    {
        // TestMe is rate-limited per caller; this test asks the same peers twice in a row.
        var settings = new Dictionary<string, string?> { ["Reachability:TestMeMinInterval"] = "00:00:00" };
        await using var swarm = await TestSwarm.StartAsync([0, 0, 1UL << 62], settings, Ct);
        var adminPort = Port(swarm[0].AdminAddress.Port);

        var ok = await Cli.RunAsync("check-reachability", "--admin-port", adminPort, "--sample", "2");

        Assert.True(ok.ExitCode == 0, ok.Output + ok.Error);
        var rows = Rows(ok.Output);
        Assert.Equal(4, rows.Count); // 2 peers × (https, grpc)
        Assert.All(rows, r => Assert.Contains(" reached (", r, StringComparison.Ordinal));
        Assert.Equal(2, rows.Count(r => r.Contains(" https ", StringComparison.Ordinal) && r.Contains(Port(swarm[0].BaseAddress.Port), StringComparison.Ordinal)));
        Assert.Contains("All sampled peers reached this node", ok.Output, StringComparison.Ordinal);

        var closed = ClosedPort();
        await swarm.AdvertiseHttpsPortAsync(0, closed, Ct);
        var bad = await Cli.RunAsync("check-reachability", "--admin-port", adminPort, "--sample", "2");

        Assert.True(bad.ExitCode == 1, bad.Output + bad.Error);
        rows = Rows(bad.Output);
        Assert.Equal(2, rows.Count(r => r.Contains(" https ", StringComparison.Ordinal) && r.Contains(Port(closed) + "  NOT reached (", StringComparison.Ordinal)));
        Assert.Contains($"this node listens on {Port(swarm[0].BaseAddress.Port)}", bad.Output, StringComparison.Ordinal);
        Assert.Equal(2, rows.Count(r => r.Contains(" grpc ", StringComparison.Ordinal) && r.Contains(" reached (", StringComparison.Ordinal) && !r.Contains("NOT", StringComparison.Ordinal)));

        var json = await Cli.RunAsync("check-reachability", "--admin-port", adminPort, "--sample", "1", "--json");
        Assert.Equal(1, json.ExitCode);
        Assert.Contains("\"all_reached\": false", json.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandaloneNode_NoPeersToAsk_ExitCode1()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: Ct);

        var r = await Cli.RunAsync("check-reachability", "--admin-port", Port(node.AdminAddress.Port));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("tested now by 0 peer(s)", r.Output, StringComparison.Ordinal);
        Assert.Contains("No other service node is known to this node", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeNotRunning_ClearMessage_ExitCode2()
    {
        var port = Port(ClosedPort());
        var r = await Cli.RunAsync("check-reachability", "--admin-port", port);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"No node is listening on its admin port 127.0.0.1:{port}", r.Error, StringComparison.Ordinal);
        Assert.Contains("is the node running?", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadUsage_ExitCode2()
    {
        var sample = await Cli.RunAsync("check-reachability", "--admin-port", "1", "--sample", "0");
        Assert.Equal(2, sample.ExitCode);
        Assert.Contains("--sample must be from 1 to 16", sample.Error, StringComparison.Ordinal);

        var disabled = await Cli.RunAsync("check-reachability", "--admin-port", "-1");
        Assert.Equal(2, disabled.ExitCode);
        Assert.Contains("admin listener is disabled", disabled.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DescribesTheCommandAndItsOptions()
    {
        var root = await Cli.RunAsync("--help");
        Assert.Contains("check-reachability", root.Output, StringComparison.Ordinal);

        var help = await Cli.RunAsync("check-reachability", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var option in (string[])["--admin-port", "--config-file", "--sample", "--json"])
        {
            Assert.Contains(option, help.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Exit code 0 when every peer reached every port, 1 otherwise, 2 on usage or connection errors", System.Text.RegularExpressions.Regex.Replace(help.Output, @"\s+", " "), StringComparison.Ordinal);
    }

    /// <summary>The table's data rows (peer, swarm, transport, port, result).</summary>
    private static List<string> Rows(string output) =>
        [.. output.Split('\n').Where(l => l.Contains("reached (", StringComparison.Ordinal) || l.Contains("NOT TESTED", StringComparison.Ordinal))];

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
