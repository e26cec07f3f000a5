using SessionNode.Crypto;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>
/// The standalone membership source: a one-node network in which this node is the only member of
/// swarm 0 and so serves every account.
/// </summary>
public static class StandaloneMembership
{
    /// <summary>The swarm id of a standalone node.</summary>
    public const ulong SwarmId = 0;

    /// <summary>Builds the membership holder with the initial one-node view.</summary>
    public static Membership Create(Ed25519KeyPair keys, NodeOptions node, RpcOptions rpc) =>
        new(Snapshot(1, SelfRecord(keys, node, node.HttpsPort, node.PeerPort), rpc));

    /// <summary>This node's record as advertised to clients.</summary>
    public static ServiceNodeRecord SelfRecord(Ed25519KeyPair keys, NodeOptions node, int httpsPort, int peerPort)
    {
        using var x = keys.ToX25519();
        var ed = keys.PublicKey.ToArray();
        var ip = node.PublicIp.Length > 0 ? node.PublicIp : node.BindIp;
        return new ServiceNodeRecord(ed, x.PublicKey.ToArray(), ed, ip, httpsPort, peerPort, SwarmId);
    }

    /// <summary>A one-node snapshot.</summary>
    public static MembershipSnapshot Snapshot(long version, ServiceNodeRecord self, RpcOptions rpc) =>
        new(version, [self], self, (rpc.HardForkMajor, rpc.HardForkMinor), rpc.Height);
}
