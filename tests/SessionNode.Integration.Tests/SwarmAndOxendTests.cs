using System.Text.Json.Nodes;

namespace SessionNode.Integration.Tests;

/// <summary>get_swarm (client-rpc.md §9.4, §7.3) and oxend_request (§9.13).</summary>
public sealed class SwarmAndOxendTests
{
    [Fact]
    public async Task GetSwarm_ListsThisNode()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var swarm = await f.Client.GetSwarmAsync(user.Id, NodeFixture.Ct);

        var node = Assert.Single(swarm.Snodes);
        Assert.Equal(f.PublicKeyHex, node.PubkeyEd25519);
        Assert.Equal(f.BaseAddress.Port, node.PortHttps);
        Assert.Equal(node.PortHttps.ToString(System.Globalization.CultureInfo.InvariantCulture), node.Port);
        Assert.Equal("127.0.0.1", node.Ip);
        Assert.Equal(64, node.PubkeyX25519.Length);
        Assert.Equal(64, node.PubkeyLegacy.Length);
        Assert.EndsWith(".snode", node.Address, StringComparison.Ordinal);
        Assert.Equal(52 + ".snode".Length, node.Address.Length);
        f.AssertTime(f.Now, swarm.Timestamp);
        Assert.Equal(new HardFork(19, 4), swarm.HardFork);
        Assert.Matches("^[0-9a-f]+$", swarm.SwarmId);
    }

    [Fact]
    public async Task GetSwarm_AnyPrefixAndLegacyAlias_Answered()
    {
        await using var f = await NodeFixture.StartAsync();
        var account = AccountId.FromPrefixAndKey(0x42, TestData.Bytes(32));

        var response = await f.Client.SendRawAsync("get_snodes_for_pubkey", new JsonObject { ["pubKey"] = account.ToHex() }, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Single(f.Requests.GetSwarm(account).ParseResponse(response.Body).Snodes);
    }

    [Fact]
    public async Task GetSwarm_BadPubkey_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(RpcMethodsGetSwarm, new JsonObject { ["pubkey"] = new string('a', 64) }, 400, "invalid request: Pubkey must be 66 hex digits/33 bytes long");
    }

    [Fact]
    public async Task Oxend_UnknownEndpoint_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync(f.Requests.OxendRequest("get_info"), 400, "invalid request: Invalid oxend endpoint 'get_info'");
    }

    [Fact]
    public async Task Oxend_WhitelistedEndpoint_AnswersResultOrOxendError()
    {
        // A test node has no oxend: the call must fail like an oxend error (400 with oxend's text or
        // "Unknown oxend error"), never as a parse error or a crash.
        await using var f = await NodeFixture.StartAsync();
        var request = f.Requests.OxendRequest("get_service_nodes", new JsonObject { ["active_only"] = true });

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        if (response.StatusCode == 200)
        {
            f.AssertTime(f.Now, request.ParseResponse(response.Body).Timestamp);
        }
        else
        {
            Assert.Equal(400, response.StatusCode);
            Assert.DoesNotContain("invalid request", response.BodyText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Oxend_MissingEndpoint_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync("oxend_request", [], 400, "invalid request: Required field 'endpoint' missing");
    }

    private const string RpcMethodsGetSwarm = "get_swarm";
}
