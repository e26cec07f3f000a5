using System.Text;
using System.Text.Json;

namespace SessionNode.Swarm.Tests;

/// <summary>get_service_nodes request and answer handling (swarm.md §2.2, §3.4).</summary>
public sealed class OxendServiceNodesTests
{
    private static readonly string Ed = new('a', 64);
    private static readonly string X = new('b', 64);
    private static readonly string Legacy = new('c', 64);

    [Fact]
    public void Request_HasFields_PollHashOnlyWhenKnown()
    {
        using var first = JsonDocument.Parse(OxendServiceNodes.Request(null));
        using var next = JsonDocument.Parse(OxendServiceNodes.Request("ab"));

        Assert.Equal("get_service_nodes", first.RootElement.GetProperty("method").GetString());
        var p = first.RootElement.GetProperty("params");
        Assert.False(p.GetProperty("active_only").GetBoolean());
        Assert.Equal(12, p.GetProperty("fields").EnumerateObject().Count());
        Assert.False(p.TryGetProperty("poll_block_hash", out _));
        Assert.Equal("ab", next.RootElement.GetProperty("params").GetProperty("poll_block_hash").GetString());
    }

    [Fact]
    public void Parse_Answer_SkipsUnfundedKeylessAndAddressless_U64Swarm()
    {
        var json = $$"""
            {"jsonrpc":"2.0","id":"0","result":{"height":7,"block_hash":"ff","hardfork":19,"snode_revision":3,"service_node_states":[
              {"service_node_pubkey":"{{Legacy}}","pubkey_ed25519":"{{Ed}}","pubkey_x25519":"{{X}}","funded":true,"swarm_id":18446744073709551614,"public_ip":"0.0.0.0","storage_port":0,"storage_lmq_port":0},
              {"service_node_pubkey":"{{Legacy}}","pubkey_ed25519":"{{Ed}}","pubkey_x25519":"{{X}}","funded":true,"swarm_id":1},
              {"service_node_pubkey":"{{Legacy}}","pubkey_ed25519":"{{Ed}}","pubkey_x25519":"{{X}}","funded":true,"swarm_id":1,"public_ip":"1.2.3.4","storage_port":1},
              {"service_node_pubkey":"{{Legacy}}","pubkey_ed25519":"","pubkey_x25519":"{{X}}","funded":true,"swarm_id":1},
              {"service_node_pubkey":"{{Legacy}}","pubkey_ed25519":"{{Ed}}","funded":true,"swarm_id":1},
              {"service_node_pubkey":"{{Legacy}}","funded":false,"swarm_id":1}]} }
            """;

        var update = OxendServiceNodes.Parse(Encoding.UTF8.GetBytes(json));

        Assert.False(update.Unchanged);
        Assert.Equal("ff", update.BlockHash);
        Assert.Equal(2, update.SkippedWithoutKeys);
        Assert.Equal(2, update.SkippedWithoutAddress);
        var net = update.Network!;
        Assert.Equal(((19, 3), 7L), (net.HardFork, net.Height));
        var n = Assert.Single(net.Nodes);
        Assert.Equal((Ed, X, Legacy, "0.0.0.0", 0, 0, 18446744073709551614UL), (n.Ed25519Hex, n.X25519Hex, n.LegacyHex, n.Ip, n.HttpsPort, n.PeerPort, n.SwarmId));
    }

    [Theory]
    [InlineData(97, 3, false)] // 3 of 100 is not more than 3 %
    [InlineData(96, 4, true)]
    [InlineData(1, 0, false)]
    [InlineData(0, 1, true)]
    public void Parse_ManyWithoutAuxKeys_Flagged(int withKeys, int without, bool flagged)
    {
        var keyed = $"{{\"service_node_pubkey\":\"{Legacy}\",\"pubkey_ed25519\":\"{Ed}\",\"pubkey_x25519\":\"{X}\",\"funded\":true,\"swarm_id\":1,\"public_ip\":\"1.2.3.4\",\"storage_port\":1,\"storage_lmq_port\":2}}";
        var keyless = $"{{\"service_node_pubkey\":\"{Legacy}\",\"funded\":true,\"swarm_id\":1}}";
        var states = string.Join(",", Enumerable.Repeat(keyed, withKeys).Concat(Enumerable.Repeat(keyless, without)));
        var json = "{\"result\":{\"height\":1,\"block_hash\":\"aa\",\"hardfork\":19,\"service_node_states\":[" + states + "]}}";

        Assert.Equal(flagged, OxendServiceNodes.Parse(Encoding.UTF8.GetBytes(json)).ManyWithoutKeys);
    }

    [Fact]
    public void Parse_EmptyPublicIp_IsUnknownAddress_AndPreserved()
    {
        var json = "{\"result\":{\"height\":1,\"block_hash\":\"aa\",\"hardfork\":19,\"service_node_states\":[{\"service_node_pubkey\":\"" + Legacy
            + "\",\"pubkey_ed25519\":\"" + Ed + "\",\"pubkey_x25519\":\"" + X
            + "\",\"funded\":true,\"swarm_id\":1,\"public_ip\":\"\",\"storage_port\":0,\"storage_lmq_port\":0}]}}";
        var key = Convert.FromHexString(Legacy);

        var network = OxendServiceNodes.Parse(Encoding.UTF8.GetBytes(json)).Network!;
        var preserved = OxendServiceNodes.PreserveAddresses(network, [new ServiceNodeRecord(key, key, key, "1.1.1.1", 123, 456, 1)]);

        Assert.Equal("0.0.0.0", Assert.Single(network.Nodes).Ip);
        Assert.Equal(("1.1.1.1", 123, 456), (preserved.Nodes[0].Ip, preserved.Nodes[0].HttpsPort, preserved.Nodes[0].PeerPort));
    }

    [Fact]
    public void Parse_Unchanged_NoNetwork()
    {
        var update = OxendServiceNodes.Parse("""{"result":{"unchanged":true,"block_hash":"aa","height":1}}"""u8);
        Assert.True(update.Unchanged);
        Assert.Null(update.Network);
    }

    [Theory]
    [InlineData("""{"error":{"code":-1,"message":"x"}}""")]
    [InlineData("""{"result":{"height":1,"hardfork":19}}""")]
    [InlineData("""{"result":{"height":1,"hardfork":19,"service_node_states":[{"funded":true,"swarm_id":1}]}}""")]
    [InlineData("nope")]
    public void Parse_ErrorOrMissingRequired_FormatException(string json) =>
        Assert.Throws<FormatException>(() => OxendServiceNodes.Parse(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("1.1.1.1", 123, 456, "1.2.3.4", 123, 456, "1.2.3.4", 123, 456)]
    [InlineData("0.0.0.0", 0, 0, "1.2.3.4", 123, 456, "1.2.3.4", 123, 456)]
    [InlineData("1.1.1.1", 123, 456, "0.0.0.0", 0, 0, "1.1.1.1", 123, 456)]
    public void PreserveAddresses_Vectors(string oldIp, int oldHttps, int oldOmq, string newIp, int newHttps, int newOmq, string ip, int https, int omq)
    {
        var key = Convert.FromHexString(Legacy);
        var old = new ServiceNodeRecord(key, key, key, oldIp, oldHttps, oldOmq, 1);
        var next = new NetworkDefinition([new ServiceNodeRecord(key, key, key, newIp, newHttps, newOmq, 1)], (19, 4), 0);

        var n = Assert.Single(OxendServiceNodes.PreserveAddresses(next, [old]).Nodes);

        Assert.Equal((ip, https, omq), (n.Ip, n.HttpsPort, n.PeerPort));
    }
}
