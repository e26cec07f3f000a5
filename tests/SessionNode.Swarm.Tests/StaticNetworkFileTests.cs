using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Swarm.Tests;

/// <summary>The static network file format and the snapshot built from it.</summary>
public sealed class StaticNetworkFileTests
{
    private static readonly string KeyA = Key(1);
    private static readonly string KeyB = Key(2);

    [Fact]
    public void Parse_FullFile_AllFields()
    {
        var xB = new string('c', 64);
        var json = $$"""
            {"hf":[19,3],"height":1234,"nodes":[
              {"pubkey_ed25519":"{{KeyA}}","ip":"10.0.0.1","port_https":22021,"port_peer":22020,"swarm_id":18446744073709551614},
              {"pubkey_ed25519":"{{KeyB}}","pubkey_x25519":"{{xB}}","ip":"10.0.0.2","port_https":1,"port_peer":2,"swarm_id":"7"}
            ]}
            """;

        var net = StaticNetworkFile.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal((19, 3), net.HardFork);
        Assert.Equal(1234, net.Height);
        var a = net.Nodes[0];
        Assert.Equal(KeyA, a.Ed25519Hex);
        Assert.Equal(KeyA, a.LegacyHex);
        var expectedX = new byte[32];
        Assert.True(Ed25519.TryConvertPublicKeyToX25519(Convert.FromHexString(KeyA), expectedX));
        Assert.Equal(Convert.ToHexStringLower(expectedX), a.X25519Hex);
        Assert.Equal(("10.0.0.1", 22021, 22020, 18446744073709551614UL), (a.Ip, a.HttpsPort, a.PeerPort, a.SwarmId));
        Assert.Equal(xB, net.Nodes[1].X25519Hex);
        Assert.Equal(7UL, net.Nodes[1].SwarmId);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"nodes":{}}""")]
    [InlineData("""{"hf":[19],"nodes":[]}""")]
    [InlineData("""{"nodes":[{"ip":"1.2.3.4"}]}""")]
    [InlineData("""{"nodes":[{"pubkey_ed25519":"abcd"}]}""")]
    [InlineData("""{"nodes":[{"pubkey_ed25519":"KEY","ip":"::1"}]}""")]
    [InlineData("""{"nodes":[{"pubkey_ed25519":"KEY","port_https":70000}]}""")]
    [InlineData("""{"nodes":[{"pubkey_ed25519":"KEY","swarm_id":-1}]}""")]
    [InlineData("""{"nodes":[{"pubkey_ed25519":"KEY"},{"pubkey_ed25519":"KEY"}]}""")]
    public void Parse_BadFile_FormatException(string json) =>
        Assert.Throws<FormatException>(() => StaticNetworkFile.Parse(Encoding.UTF8.GetBytes(json.Replace("KEY", KeyA, StringComparison.Ordinal))));

    [Fact]
    public void Parse_FileWithUtf8ByteOrderMark_IsAccepted()
    {
        var json = $$"""{"nodes":[{"pubkey_ed25519":"{{KeyA}}","ip":"10.0.0.1","port_https":1,"port_peer":2,"swarm_id":5}]}""";
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)];

        var net = StaticNetworkFile.Parse(bytes);

        Assert.Single(net.Nodes);
    }

    [Fact]
    public void ToSnapshot_SelfGetsRealPortsAndIp_OthersUnchanged()
    {
        var json = $$"""{"nodes":[{"pubkey_ed25519":"{{KeyA}}","ip":"0.0.0.0","swarm_id":5},{"pubkey_ed25519":"{{KeyB}}","ip":"10.0.0.2","port_https":1,"port_peer":2,"swarm_id":5}]}""";
        var net = StaticNetworkFile.Parse(Encoding.UTF8.GetBytes(json));
        var local = new LocalNode(Convert.FromHexString(KeyA), new byte[32], "127.0.0.9");
        local.SetPorts(4000, 4001);

        var snapshot = net.ToSnapshot(3, local);

        Assert.Equal(3, snapshot.Version);
        Assert.True(snapshot.SelfInSwarm);
        Assert.Equal(("127.0.0.9", 4000, 4001), (snapshot.Self!.Ip, snapshot.Self.HttpsPort, snapshot.Self.PeerPort));
        Assert.Equal(2, snapshot.Members(5).Count);
        Assert.Equal(("10.0.0.2", 1, 2), (snapshot.FindByEd25519(KeyB)!.Ip, snapshot.FindByEd25519(KeyB)!.HttpsPort, snapshot.FindByEd25519(KeyB)!.PeerPort));
    }

    [Fact]
    public void ToSnapshot_MembersKeepTheListedOrder()
    {
        // Listed against key order: a swarm's members stay in the source's order (swarm.md §2.2).
        var (first, second) = string.CompareOrdinal(KeyA, KeyB) > 0 ? (KeyA, KeyB) : (KeyB, KeyA);
        var json = $$"""{"nodes":[{"pubkey_ed25519":"{{first}}","ip":"10.0.0.1","swarm_id":5},{"pubkey_ed25519":"{{second}}","ip":"10.0.0.2","swarm_id":5}]}""";

        var snapshot = StaticNetworkFile.Parse(Encoding.UTF8.GetBytes(json)).ToSnapshot(1, new LocalNode(new byte[32], new byte[32], "127.0.0.1"));

        Assert.Equal([first, second], snapshot.Members(5).Select(m => m.Ed25519Hex));
    }

    private static string Key(byte seed)
    {
        using var k = Ed25519KeyPair.FromSeed(Enumerable.Repeat(seed, 32).ToArray());
        return k.PublicKeyHex;
    }
}
