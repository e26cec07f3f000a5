using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Replicated requests over the gRPC peer protocol (swarm.md §7, client-rpc.md §8).</summary>
public sealed class ReplicationTests
{
    [Fact]
    public async Task Store_OnOneMember_EveryMemberServesIt()
    {
        await using var swarm = await TestSwarm.StartAsync(3, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);

        var stored = await client.StoreAsync(user, "hello swarm"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);

        Assert.Equal(3, stored.Swarm.Count);
        Assert.True(stored.AllSucceeded);
        Assert.True(stored.SignaturesValid);
        Assert.All(stored.Swarm.Values, e => Assert.Equal(stored.ExpectedHash, e.Hash));
        Assert.Equal(new[] { swarm.KeyOf(0), swarm.KeyOf(1), swarm.KeyOf(2) }.Order(StringComparer.Ordinal), stored.Swarm.Keys.Order(StringComparer.Ordinal));
        for (var i = 0; i < 3; i++)
        {
            using var c = ClientFor(swarm, i);
            var page = await c.RetrieveAsync(user, cancellationToken: Ct);
            Assert.Equal(stored.ExpectedHash, Assert.Single(page.Messages).Hash);
        }
    }

    [Fact]
    public async Task DeleteExpireRevoke_OnOneMember_AppliedOnEveryMember()
    {
        await using var swarm = await TestSwarm.StartAsync(3, Ct);
        using var user = NewUser();
        using var c0 = ClientFor(swarm, 0);
        using var c1 = ClientFor(swarm, 1);
        using var c2 = ClientFor(swarm, 2);
        var a = (await c0.StoreAsync(user, "a"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash;
        var b = (await c0.StoreAsync(user, "b"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash;

        var deleted = await c1.DeleteAsync(user, [a], cancellationToken: Ct);
        var newExpiry = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();
        var expired = await c2.ExpireAsync(user, [b], newExpiry, cancellationToken: Ct);

        Assert.True(deleted.AllSucceeded);
        Assert.True(expired.AllSucceeded);
        foreach (var c in new[] { c0, c1, c2 })
        {
            var page = await c.RetrieveAsync(user, cancellationToken: Ct);
            var only = Assert.Single(page.Messages);
            Assert.Equal(b, only.Hash);
            Assert.Equal(newExpiry, only.Expiry);
        }

        using var group = SessionAccount.FromGroupSeed(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var member = group.CreateSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await c0.StoreAsync(group, "g"u8.ToArray(), new Namespace(11), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        var revoked = await c0.RevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: Ct);

        Assert.True(revoked.AllSucceeded);
        Assert.Equal(3, revoked.Swarm.Count);
        foreach (var c in new[] { c0, c1, c2 })
        {
            var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => c.RetrieveAsync(member, new Namespace(11), cancellationToken: Ct));
            Assert.Equal(401, e.StatusCode);
        }
    }

    [Fact]
    public async Task WrongSwarm_421AndGetSwarm_ListTheOtherSwarmWithItsPorts()
    {
        const ulong Low = 0;
        const ulong High = 0x8000_0000_0000_0000;
        await using var swarm = await TestSwarm.StartAsync([Low, Low, High, High], cancellationToken: Ct);
        using var user = NewUserIn(swarm, High);
        using var c0 = ClientFor(swarm, 0);

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => c0.StoreAsync(user, "x"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct));
        var info = await c0.GetSwarmAsync(user.Id, Ct);

        Assert.Equal(421, e.StatusCode);
        var body = e.Swarm ?? throw new InvalidOperationException("421 without a swarm body");
        foreach (var listed in new[] { body, info })
        {
            Assert.Equal("8000000000000000", listed.SwarmId);
            Assert.Equal(2, listed.Snodes.Count);
            foreach (var i in new[] { 2, 3 })
            {
                var n = Assert.Single(listed.Snodes, s => s.PubkeyEd25519 == swarm.KeyOf(i));
                Assert.Equal(swarm[i].BaseAddress.Port, n.PortHttps);
                Assert.Equal(PeerPortOf(swarm[i]), n.PortOmq);
            }
        }

        using var c2 = ClientFor(swarm, 2);
        var stored = await c2.StoreAsync(user, "x"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        Assert.Equal(2, stored.Swarm.Count);
        Assert.True(stored.AllSucceeded);
    }
}
