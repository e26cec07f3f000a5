using System.Security.Cryptography;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>
/// Replicated requests in a two-node swarm (client-rpc.md §8): one signed entry per member, keyed by its Ed25519 key,
/// and the data visible on every member.
/// </summary>
public sealed class ReplicationTests
{
    [Fact]
    public async Task Store_TwoNodeSwarm_EveryMemberStoresAndSigns()
    {
        await using var net = await StaticNetwork.StartAsync(2);
        using var user = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));

        var result = await net.Clients[0].StoreAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1), cancellationToken: NodeFixture.Ct);

        Assert.Equal(net.Nodes.Select(n => n.PublicKeyHex).Order(StringComparer.Ordinal), result.Swarm.Keys.Order(StringComparer.Ordinal));
        Assert.True(result.AllSucceeded);
        Assert.True(result.SignaturesValid);
        Assert.All(result.Swarm.Values, e => Assert.Equal(net.Now + Day, e.Expiry));
        Assert.NotNull(result.Swarm[net.Nodes[0].PublicKeyHex].T);
        var onPeer = await net.Clients[1].RetrieveAsync(user, new Namespace(2), cancellationToken: NodeFixture.Ct);
        Assert.Equal(result.ExpectedHash, Assert.Single(onPeer.Messages).Hash);
    }

    [Fact]
    public async Task Store_SeparateSigTimestamp_PeersAcceptIt()
    {
        await using var net = await StaticNetwork.StartAsync(2);
        using var user = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));

        // A peer that saw only `timestamp` would reject this signature (§8.1).
        var result = await net.Clients[0].StoreAsync(user, Bytes(), new Namespace(3), ttl: TimeSpan.FromDays(1), timestamp: net.Now - Hour, sigTimestamp: net.Now, cancellationToken: NodeFixture.Ct);

        Assert.Equal(2, result.Swarm.Count);
        Assert.True(result.AllSucceeded, string.Join("; ", result.Swarm.Values.Select(e => $"{e.NodePubkeyHex[..8]} {e.Code} {e.Reason}")));
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task ReplicatedMethods_EveryMemberSigns()
    {
        await using var net = await StaticNetwork.StartAsync(2);
        var c0 = net.Clients[0];
        var c1 = net.Clients[1];
        using var group = SessionAccount.FromGroupSeed(RandomNumberGenerator.GetBytes(32));
        var a = (await c0.StoreAsync(group, Bytes(), new Namespace(11), ttl: TimeSpan.FromDays(1), cancellationToken: NodeFixture.Ct)).ExpectedHash;
        var b = (await c0.StoreAsync(group, Bytes(), new Namespace(12), ttl: TimeSpan.FromDays(1), timestamp: net.Now - Minute, cancellationToken: NodeFixture.Ct)).ExpectedHash;
        var c = (await c1.StoreAsync(group, Bytes(), new Namespace(13), ttl: TimeSpan.FromDays(1), cancellationToken: NodeFixture.Ct)).ExpectedHash;
        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes(32));

        AssertSigned(await c1.ExpireAsync(group, [a, b], net.Now + (2 * Day), ExpireMode.Extend, NodeFixture.Ct), 2);
        AssertSigned(await c0.ExpireAsync(group, [a, b], [net.Now + Hour, net.Now + (2 * Hour)], cancellationToken: NodeFixture.Ct), 2);
        AssertSigned(await c1.ExpireAllAsync(group, net.Now + (30 * Minute), NamespaceScope.All, NodeFixture.Ct), 2);
        AssertSigned(await c0.RevokeSubaccountAsync(group, [token], cancellationToken: NodeFixture.Ct), 2);
        AssertSigned(await c1.UnrevokeSubaccountAsync(group, [token], cancellationToken: NodeFixture.Ct), 2);
        AssertSigned(await c0.DeleteBeforeAsync(group, net.Now - Second, NamespaceScope.All, NodeFixture.Ct), 2);
        AssertSigned(await c1.DeleteAsync(group, [a], cancellationToken: NodeFixture.Ct), 2);
        var all = await c0.DeleteAllAsync(group, NamespaceScope.All, cancellationToken: NodeFixture.Ct);
        AssertSigned(all, 2);
        Assert.All(all.Swarm.Values, e => Assert.Equal([c], e.Deleted));

        Assert.Empty((await c1.RetrieveAsync(group, new Namespace(13), cancellationToken: NodeFixture.Ct)).Messages);
        Assert.Empty((await c0.RetrieveAsync(group, new Namespace(11), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Delete_RequiredNothingOnAnyMember_404()
    {
        await using var net = await StaticNetwork.StartAsync(2);
        using var user = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => net.Clients[0].DeleteAsync(user, [UnknownHash()], required: true, NodeFixture.Ct));

        Assert.Equal(404, e.StatusCode);
    }

    private static void AssertSigned<TEntry>(SwarmResult<TEntry> result, int members)
        where TEntry : NodeEntry
    {
        Assert.Equal(members, result.Swarm.Count);
        Assert.True(result.AllSucceeded, string.Join("; ", result.Swarm.Values.Select(e => $"{e.NodePubkeyHex[..8]} failed={e.Failed} code={e.Code} reason={e.Reason}")));
        Assert.True(result.SignaturesValid);
    }
}
