using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>
/// The swarm object of client-rpc.md §7.3 byte for byte (sorted keys, string <c>port</c>, integer ports,
/// z-base-32 address), as answered by get_swarm and in the 421 body (§7.2), including the "no swarm" form.
/// </summary>
public sealed class SwarmObjectTests : IDisposable
{
    private const string Pk = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";

    private readonly HandlerFixture _f = new();

    public void Dispose() => _f.Dispose();

    private long Now => _f.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task NoSwarms_GetSwarmAnd421_EmptySnodesAndAllOnesSwarmId()
    {
        _f.Node.Membership.Publish(new MembershipSnapshot(7, [], null, (19, 4), 0));
        var expected = $$"""{"hf":[19,4],"snodes":[],"swarm":"ffffffffffffffff","t":{{Now}}}""";

        var swarm = await _f.CallAsync("get_swarm", "{\"pubkey\":\"" + Pk + "\"}");
        Assert.Equal(200, swarm.Status);
        Assert.Equal(expected, swarm.BodyText);

        var store = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":{{Now}},"ttl":86400000,"data":""}""");
        Assert.Equal(421, store.Status);
        Assert.True(store.IsJson);
        Assert.Equal(expected, store.BodyText);
    }

    [Fact]
    public async Task OtherSwarm_421Body_IsTheExactSwarmObject()
    {
        var self = _f.Node.Membership.Current.Self!;
        var ed = Enumerable.Repeat((byte)0xab, 32).ToArray();
        var x = Enumerable.Repeat((byte)0xcd, 32).ToArray();
        var legacy = new byte[32];
        var other = new ServiceNodeRecord(ed, x, legacy, "10.0.0.2", 443, 22020, 0x8000_0000_0000_00a0UL);
        _f.Node.Membership.Publish(new MembershipSnapshot(5, [self, other], self, (19, 4), 0));

        // Key bytes 0x80 then zeros: swarm space 2^63, nearer 0x80…a0 than our swarm 0.
        var account = "03" + "80" + new string('0', 62);
        var r = await _f.CallAsync("get_expiries", $$"""{"pubkey":"{{account}}","signature":"{{new string('A', 86)}}","messages":["x"],"timestamp":1}""");
        Assert.Equal(400, r.Status); // parse errors come before the swarm check

        r = await _f.CallAsync("get_expiries", $$"""{"pubkey":"{{account}}","signature":"{{new string('A', 86)}}","messages":["x"],"timestamp":{{Now - 3_600_000}}}""");

        Assert.Equal(421, r.Status); // before the (failing) timestamp and signature checks
        var node = "{\"address\":\"" + new string('y', 52) + ".snode\",\"ip\":\"10.0.0.2\",\"port\":\"443\",\"port_https\":443,"
            + "\"port_omq\":22020,\"port_quic\":22020,\"pubkey_ed25519\":\"" + string.Concat(Enumerable.Repeat("ab", 32))
            + "\",\"pubkey_legacy\":\"" + new string('0', 64) + "\",\"pubkey_x25519\":\"" + string.Concat(Enumerable.Repeat("cd", 32)) + "\"}";
        Assert.Equal($$"""{"hf":[19,4],"snodes":[{{node}}],"swarm":"80000000000000a0","t":{{Now}}}""", r.BodyText);
    }
}
