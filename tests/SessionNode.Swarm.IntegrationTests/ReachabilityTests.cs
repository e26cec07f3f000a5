using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Peer reachability (swarm.md §12): on-demand checks through the admin listener and the periodic tester.</summary>
public sealed class ReachabilityTests
{
    private const ulong OtherSwarm = 0x4000_0000_0000_0000;

    [Fact]
    public async Task CheckReachability_AllNodesUp_EveryPeerReachesBothPorts()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0, OtherSwarm], cancellationToken: Ct);
        var node = swarm[0];

        using var doc = await CheckAsync(node, sample: 2);
        var root = doc.RootElement;

        Assert.True(root.GetProperty("all_reached").GetBoolean(), root.ToString());
        var peers = root.GetProperty("peers").EnumerateArray().ToList();
        Assert.Equal(2, peers.Count);
        // Other swarms first: the only node of the other swarm is always in the sample.
        Assert.Contains(peers, p => p.GetProperty("pubkey_ed25519").GetString() == swarm.KeyOf(2));
        foreach (var peer in peers)
        {
            Assert.Equal(JsonValueKind.Null, peer.GetProperty("error").ValueKind);
            var results = peer.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(["https", "grpc"], results.Select(r => r.GetProperty("transport").GetString()));
            Assert.All(results, r => Assert.True(r.GetProperty("reached").GetBoolean(), r.ToString()));
            Assert.Equal(node.BaseAddress.Port, results[0].GetProperty("port").GetInt32());
            Assert.Equal(PeerPortOf(node), results[1].GetProperty("port").GetInt32());
        }

        // The tests reached this node: its incoming-ping monitor saw both transports (swarm.md §12.6).
        using var stats = await StatsAsync(node);
        var reachability = stats.RootElement.GetProperty("reachability");
        Assert.Equal(JsonValueKind.Number, reachability.GetProperty("last_incoming_https_ping_ms").ValueKind);
        Assert.Equal(JsonValueKind.Number, reachability.GetProperty("last_incoming_grpc_ping_ms").ValueKind);
    }

    [Fact]
    public async Task CheckReachability_AdvertisedHttpsPortClosed_HttpsNotReachedGrpcReached()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0, OtherSwarm], cancellationToken: Ct);
        var closed = ClosedPort();
        await swarm.AdvertiseHttpsPortAsync(0, closed, Ct);
        var node = swarm[0];

        using var doc = await CheckAsync(node, sample: 2);
        var root = doc.RootElement;

        Assert.False(root.GetProperty("all_reached").GetBoolean());
        var peers = root.GetProperty("peers").EnumerateArray().ToList();
        Assert.Equal(2, peers.Count);
        foreach (var peer in peers)
        {
            var results = peer.GetProperty("results").EnumerateArray().ToList();
            var https = results.Single(r => r.GetProperty("transport").GetString() == "https");
            var grpc = results.Single(r => r.GetProperty("transport").GetString() == "grpc");
            Assert.Equal(closed, https.GetProperty("port").GetInt32());
            Assert.False(https.GetProperty("reached").GetBoolean());
            Assert.False(string.IsNullOrEmpty(https.GetProperty("error").GetString()));
            Assert.Equal(PeerPortOf(node), grpc.GetProperty("port").GetInt32());
            Assert.True(grpc.GetProperty("reached").GetBoolean(), grpc.ToString());
        }
    }

    [Fact]
    public async Task CheckReachability_SecondRequestTooSoon_IsRateLimitedPerCaller()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using (var first = await CheckAsync(swarm[0], sample: 1))
        {
            Assert.True(first.RootElement.GetProperty("all_reached").GetBoolean());
        }

        using var second = await CheckAsync(swarm[0], sample: 1);
        var peer = second.RootElement.GetProperty("peers")[0];
        Assert.False(second.RootElement.GetProperty("all_reached").GetBoolean());
        Assert.Contains("ResourceExhausted", peer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckReachability_BadSample_Is400()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var http = new HttpClient { BaseAddress = swarm[0].AdminAddress };
        using var response = await http.PostAsync(new Uri("check_reachability?sample=0", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var onClientPort = swarm[0].CreateHttpClient();
        using var notAdmin = await onClientPort.PostAsync(new Uri("check_reachability", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, notAdmin.StatusCode);
    }

    [Fact]
    public async Task Tester_StoppedPeer_MarkedFailingAndUnreachable_ThenRecovers()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Reachability:Tick"] = "00:00:00.020",
            ["Reachability:RandomTestMean"] = "00:00:00.100",
            ["Reachability:RandomTestStdDev"] = "00:00:00.020",
            ["Reachability:RetestStep"] = "00:00:00.100",
            ["Reachability:RetestMax"] = "00:00:00.300",
            ["Reachability:TestTimeout"] = "00:00:05",
        };
        await using var swarm = await TestSwarm.StartAsync([0, 0, 0], settings, Ct);
        var services = swarm[0].Services;
        var schedule = services.GetRequiredService<ReachabilitySchedule>();
        var health = services.GetRequiredService<PeerHealth>();
        var stopped = swarm.KeyOf(2);

        await WaitUntilAsync(() => schedule.Passed >= 4, "a few passing tests");
        Assert.Empty(schedule.Failing);

        await swarm.StopNodeAsync(2);
        await WaitUntilAsync(() => schedule.Failing.Any(f => f.Ed25519Hex == stopped && f.Failures >= 2), "the stopped peer to fail twice in a row");
        // The tester records the schedule's result before it reports to PeerHealth: poll, do not race it.
        await WaitUntilAsync(() => health.IsUnreachable(stopped), "the stopped peer to be known unreachable");
        Assert.DoesNotContain(schedule.Failing, f => f.Ed25519Hex == swarm.KeyOf(1));

        using (var stats = await StatsAsync(swarm[0]))
        {
            var section = stats.RootElement.GetProperty("reachability");
            Assert.True(section.GetProperty("failed").GetInt64() >= 2);
            Assert.True(section.GetProperty("failing").GetProperty(stopped).GetProperty("failures").GetInt32() >= 2);
        }

        await swarm.RestartNodeAsync(2, Ct);
        await WaitUntilAsync(() => !schedule.IsFailing(stopped), "the restarted peer to pass its retest");
        await WaitUntilAsync(() => !health.IsUnreachable(stopped), "the restarted peer to be reachable for replication");
    }

    [Fact]
    public async Task Tester_OxendMode_ReportsEveryResultToOxend()
    {
        await using var oxend = await FakeOxend.StartAsync(Ct);
        using var root = new TempDirectory("sessionnode-reach-oxend-");
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendKeys"] = "false", // several nodes share this one oxend: keys from their key files
            ["Network:OxendPollInterval"] = "00:00:00.100",
            ["Reachability:Tick"] = "00:00:00.020",
            ["Reachability:RandomTestMean"] = "00:00:00.100",
            ["Reachability:RandomTestStdDev"] = "00:00:00.020",
        };
        await using var n0 = await TestNode.StartAsync(new TestNodeOptions { DataDir = root.Combine("node-0"), Settings = settings }, Ct);
        await using var n1 = await TestNode.StartAsync(new TestNodeOptions { DataDir = root.Combine("node-1"), Settings = settings }, Ct);
        var closed = ClosedPort();
        oxend.SetNodes(
        [
            new FakeOxendNode(n0.PublicKeyHex, X25519Of(n0), "127.0.0.1", n0.BaseAddress.Port, PeerPortOf(n0), 0),
            new FakeOxendNode(n1.PublicKeyHex, X25519Of(n1), "127.0.0.1", n1.BaseAddress.Port, PeerPortOf(n1), 0),
            new FakeOxendNode(new string('7', 64), new string('8', 64), "127.0.0.1", closed, closed, 0), // registered, but nothing listens
        ]);

        await WaitUntilAsync(
            () => oxend.PeerReports.Any(r => r.Pubkey == n1.PublicKeyHex && r.Passed)
                && oxend.PeerReports.Any(r => r.Pubkey == n0.PublicKeyHex && r.Passed)
                && oxend.PeerReports.Any(r => r.Pubkey == new string('7', 64) && !r.Passed),
            "both nodes to report passed tests of each other and a failed test of the dead node");
        Assert.All(oxend.PeerReports, r => Assert.Equal("storage", r.Type));
        Assert.DoesNotContain(oxend.PeerReports, r => r.Pubkey != new string('7', 64) && !r.Passed);
    }

    [Fact]
    public async Task Tester_PeerThatDoesNotListUsYet_StillPassesTheGrpcSubTest()
    {
        // Node A knows B; B's view lists only itself, so B answers A's Authenticate with PermissionDenied.
        using var root = new TempDirectory("sessionnode-reach-unknown-");
        var (dirA, dirB) = (root.Combine("a"), root.Combine("b"));
        var (keyA, keyB) = (KeyIn(dirA), KeyIn(dirB));
        var (fileA, fileB) = (root.Combine("a.json"), root.Combine("b.json"));
        await File.WriteAllTextAsync(fileB, NetworkJson((keyB, 0, 0)), Ct);
        await using var b = await TestNode.StartAsync(new TestNodeOptions { DataDir = dirB, Settings = Static(fileB) }, Ct);
        await File.WriteAllTextAsync(fileA, NetworkJson((keyA, 0, 0), (keyB, b.BaseAddress.Port, PeerPortOf(b))), Ct);
        await using var a = await TestNode.StartAsync(new TestNodeOptions { DataDir = dirA, Settings = Static(fileA) }, Ct);
        var schedule = a.Services.GetRequiredService<ReachabilitySchedule>();

        await WaitUntilAsync(() => schedule.Tested >= 3, "a few tests of B");

        Assert.Equal(schedule.Tested, schedule.Passed);
        Assert.False(a.Services.GetRequiredService<PeerHealth>().IsUnreachable(keyB));
        Assert.Null(b.Services.GetRequiredService<IncomingPingMonitor>().Last(PingTransport.Grpc)); // refused before Ping
        Assert.NotNull(b.Services.GetRequiredService<IncomingPingMonitor>().Last(PingTransport.Https));

        static Dictionary<string, string?> Static(string file) => new()
        {
            ["Network:Mode"] = "static",
            ["Network:StaticFile"] = file,
            ["Network:StaticPollInterval"] = "00:00:00.200",
            ["Reachability:Tick"] = "00:00:00.020",
            ["Reachability:RandomTestMean"] = "00:00:00.100",
            ["Reachability:RandomTestStdDev"] = "00:00:00.020",
        };
    }

    private static string KeyIn(string dir)
    {
        using var key = Crypto.NodeKeyFile.LoadOrCreate(Path.Combine(dir, "key_ed25519"), out _);
        return key.PublicKeyHex;
    }

    private static string NetworkJson(params (string Ed25519Hex, int Https, int Peer)[] nodes) =>
        "{\"hf\":[19,4],\"height\":0,\"nodes\":["
        + string.Join(",", nodes.Select(n => $"{{\"pubkey_ed25519\":\"{n.Ed25519Hex}\",\"ip\":\"127.0.0.1\",\"port_https\":{n.Https},\"port_peer\":{n.Peer},\"swarm_id\":0}}"))
        + "]}";

    private static async Task<JsonDocument> CheckAsync(TestNode node, int sample)
    {
        using var http = new HttpClient { BaseAddress = node.AdminAddress };
        using var response = await http.PostAsync(new Uri($"check_reachability?sample={sample}", UriKind.Relative), null, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    private static async Task<JsonDocument> StatsAsync(TestNode node)
    {
        using var http = new HttpClient { BaseAddress = node.AdminAddress };
        return JsonDocument.Parse(await http.GetStringAsync(new Uri("stats", UriKind.Relative), Ct));
    }

    private static string X25519Of(TestNode node)
    {
        using var x = node.Keys.ToX25519();
        return Convert.ToHexStringLower(x.PublicKey);
    }

    /// <summary>A loopback port nothing listens on (bound once, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
