using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Crypto;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>The oxend membership source against a fake oxend on loopback (swarm.md §2).</summary>
public sealed class OxendTests
{
    [Fact]
    public async Task OxendSource_PollsBuildsSwarms_ReplicatesAndFollowsNewBlocks()
    {
        await using var oxend = await FakeOxend.StartAsync(Ct);
        using var root = new TempDirectory("sessionnode-oxend-");
        var dirs = new[] { root.Combine("node-0"), root.Combine("node-1") };
        var keys = dirs.Select(d => Keys(d)).ToArray();
        var noAux = new FakeOxendNode(new string('1', 64), null, "10.0.0.9", 1, 2, 0);
        var unfunded = new FakeOxendNode(new string('2', 64), new string('3', 64), "10.0.0.8", 1, 2, 0, Funded: false);
        oxend.SetNodes([.. keys.Select(k => new FakeOxendNode(k.Ed, k.X, "127.0.0.1", 0, 0, 0)), noAux, unfunded]);
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendKeys"] = "false", // several nodes share this one oxend: keys from their key files
            ["Network:OxendPollInterval"] = "00:00:00.100",
        };
        await using var n0 = await TestNode.StartAsync(new TestNodeOptions { DataDir = dirs[0], Settings = settings }, Ct);
        await using var n1 = await TestNode.StartAsync(new TestNodeOptions { DataDir = dirs[1], Settings = settings }, Ct);
        var nodes = new[] { n0, n1 };
        FakeOxendNode Listed(int i, ulong swarm) => new(keys[i].Ed, keys[i].X, "127.0.0.1", nodes[i].BaseAddress.Port, PeerPortOf(nodes[i]), swarm);

        // Listed with the larger Ed25519 key first: swarm members keep oxend's order (swarm.md §2.2).
        var order = string.CompareOrdinal(keys[0].Ed, keys[1].Ed) > 0 ? new[] { 0, 1 } : [1, 0];
        oxend.SetNodes([Listed(order[0], 0), Listed(order[1], 0), noAux, unfunded]);

        await WaitUntilAsync(() => nodes.All(n => View(n).FindByEd25519(keys[1 - Array.IndexOf(nodes, n)].Ed)?.PeerPort > 0), "both nodes to learn each other's ports from oxend");
        await WaitUntilAsync(() => oxend.UnchangedAnswers > 0, "a poll with the current block hash");
        var view = View(n0);
        Assert.Equal(2, view.Nodes.Count);
        Assert.Null(view.FindByEd25519(noAux.Ed25519Hex));
        Assert.Equal((19, 4), view.HardFork);
        Assert.Equal(keys[1].X, view.FindByEd25519(keys[1].Ed)!.X25519Hex);

        using var user = NewUser();
        using var client = new SessionNodeClient(new SessionNodeClientOptions { BaseAddress = n0.BaseAddress });
        var swarm = await client.GetSwarmAsync(user.Id, Ct);
        Assert.Equal(order.Select(i => keys[i].Ed), swarm.Snodes.Select(s => s.PubkeyEd25519));
        var stored = await client.StoreAsync(user, "via oxend"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        Assert.Equal(2, stored.Swarm.Count);
        Assert.True(stored.AllSucceeded);

        // oxend down: the view is kept; back up with a new block: the view follows it.
        oxend.Failing = true;
        var failedFrom = oxend.Requests;
        await WaitUntilAsync(() => oxend.Requests > failedFrom + 2, "polls while oxend fails");
        Assert.Equal(2, View(n0).Members(0).Count);
        oxend.Failing = false;
        oxend.SetNodes([Listed(0, 0), Listed(1, 0x8000_0000_0000_0000)]);

        await WaitUntilAsync(() => View(n0).Members(0x8000_0000_0000_0000).Count == 1, "the new block's swarms");
        Assert.Single(View(n0).Members(0));
    }

    [Fact]
    public async Task OxendMode_PingsOxendWithVersionKeyAndPorts_AnswersPingTestWithLegacyKey()
    {
        // swarm.md §14: storage_server_ping at start and every 30 s (here 100 ms), with the ports peers learn.
        await using var oxend = await FakeOxend.StartAsync(Ct);
        using var root = new TempDirectory("sessionnode-oxend-ping-");
        var dir = root.Combine("node-0");
        var key = Keys(dir);
        var legacy = new string('7', 64); // an older registration: legacy key ≠ Ed25519 key
        oxend.SetNodes([new FakeOxendNode(key.Ed, key.X, "127.0.0.1", 0, 0, 0, Legacy: legacy)]);
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendPollInterval"] = "00:00:00.100",
            ["Network:OxendPingInterval"] = "00:00:00.100",
            ["Network:OxendKeys"] = "false", // keys from the key file, the legacy key from oxend's list
        };
        await using var node = await TestNode.StartAsync(new TestNodeOptions { DataDir = dir, Settings = settings }, Ct);

        await WaitUntilAsync(() => oxend.StoragePings.Count >= 2, "two storage_server_ping calls");
        var ping = oxend.StoragePings[0];
        Assert.Equal([2, 8, 0], ping.Version);
        Assert.Equal(key.Ed, ping.PubkeyEd25519);
        Assert.Equal((node.BaseAddress.Port, PeerPortOf(node)), (ping.HttpsPort, ping.OmqPort));

        // swarm.md §12.3: the HTTPS ping answer names the legacy key oxend lists for us.
        await WaitUntilAsync(() => View(node).Self is not null, "our record from oxend");
        using var http = node.CreateHttpClient();
        using var answer = await http.PostAsync(new Uri("ping_test/v1", UriKind.Relative), null, Ct);
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(legacy)), answer.Headers.GetValues("X-Oxen-Snode-Pubkey").Single());
    }

    [Fact]
    public async Task OxendRequest_InOxendMode_ProxiesToOxend()
    {
        await using var oxend = await FakeOxend.StartAsync(Ct);
        using var root = new TempDirectory("sessionnode-oxend-req-");
        var dir = root.Combine("node-0");
        var key = Keys(dir);
        oxend.SetNodes([new FakeOxendNode(key.Ed, key.X, "127.0.0.1", 0, 0, 0)]);
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendKeys"] = "false", // several nodes share this one oxend: keys from their key files
            ["Network:OxendPollInterval"] = "00:00:00.100",
        };
        await using var node = await TestNode.StartAsync(new TestNodeOptions { DataDir = dir, Settings = settings }, Ct);
        using var client = new SessionNodeClient(new SessionNodeClientOptions { BaseAddress = node.BaseAddress });
        await WaitForAsync(async () => (await client.SendRawAsync(client.Requests.Info(), Ct)).StatusCode == 200, "the node to be ready");

        // client-rpc.md §9.13: oxend's result comes back whole, with t and hf beside it.
        var request = client.Requests.OxendRequest("get_service_nodes", new System.Text.Json.Nodes.JsonObject { ["active_only"] = true });
        var ok = await client.SendRawAsync(request, Ct);
        Assert.Equal(200, ok.StatusCode);
        using (var doc = JsonDocument.Parse(ok.Body))
        {
            Assert.Equal(["hf", "result", "t"], doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(key.Ed, doc.RootElement.GetProperty("result").GetProperty("service_node_states")[0].GetProperty("pubkey_ed25519").GetString());
            Assert.Equal(19, doc.RootElement.GetProperty("hf")[0].GetInt32());
        }

        // An oxend error is a 400 with oxend's text; oxend unreachable is "Unknown oxend error".
        var notFound = await client.SendRawAsync(client.Requests.OxendRequest("ons_resolve", new System.Text.Json.Nodes.JsonObject { ["type"] = 0, ["name_hash"] = "AAAA" }), Ct);
        Assert.Equal(400, notFound.StatusCode);
        Assert.Equal("Method not found", System.Text.Encoding.UTF8.GetString(notFound.Body.Span));

        // An error without text is "Unknown oxend error"; an answer that is not JSON-RPC is a 502.
        var onsResolve = client.Requests.OxendRequest("ons_resolve", null);
        oxend.OtherMethodAnswer = "{\"jsonrpc\":\"2.0\",\"id\":\"0\",\"error\":{\"code\":-1}}";
        var noText = await client.SendRawAsync(onsResolve, Ct);
        Assert.Equal(400, noText.StatusCode);
        Assert.Equal("Unknown oxend error", System.Text.Encoding.UTF8.GetString(noText.Body.Span));
        oxend.OtherMethodAnswer = "<html>busy</html>";
        var garbage = await client.SendRawAsync(onsResolve, Ct);
        Assert.Equal(502, garbage.StatusCode);
        Assert.Equal("oxend returned unparsable data", System.Text.Encoding.UTF8.GetString(garbage.Body.Span));

        oxend.Failing = true;
        var down = await client.SendRawAsync(request, Ct);
        Assert.Equal(400, down.StatusCode);
        Assert.Equal("Unknown oxend error", System.Text.Encoding.UTF8.GetString(down.Body.Span));
    }

    private static MembershipSnapshot View(TestNode node) => node.Services.GetRequiredService<Membership>().Current;

    private static (string Ed, string X) Keys(string dir)
    {
        using var key = NodeKeyFile.LoadOrCreate(Path.Combine(dir, "key_ed25519"), out _);
        using var x = key.ToX25519();
        return (key.PublicKeyHex, Convert.ToHexStringLower(x.PublicKey));
    }
}
