using System.Security.Cryptography;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Data follows swarm changes (swarm.md §6.2): new members and new swarms get pushed data.</summary>
public sealed class SwarmChangeTests
{
    [Fact]
    public async Task NewMember_ReceivesSwarmData_NamespacesAndRevocationsKept()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var c0 = ClientFor(swarm, 0);
        var users = Enumerable.Range(0, 3).Select(_ => NewUser()).ToArray();
        var hashes = new List<(SessionAccount User, Namespace Ns, string Hash)>();
        foreach (var user in users)
        {
            foreach (var ns in new[] { Namespace.Default, new Namespace(5) })
            {
                for (var i = 0; i < 4; i++)
                {
                    var r = await c0.StoreAsync(user, RandomNumberGenerator.GetBytes(100), ns, ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
                    hashes.Add((user, ns, r.ExpectedHash));
                }
            }
        }

        using var group = SessionAccount.FromGroupSeed(RandomNumberGenerator.GetBytes(32));
        using var member = group.CreateSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, RandomNumberGenerator.GetBytes(32));
        await c0.StoreAsync(group, "g"u8.ToArray(), new Namespace(11), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        await c0.RevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: Ct);

        var added = await swarm.AddNodeAsync(0, Ct);

        await WaitUntilAsync(() => users.All(u => StoredCount(swarm[added], u.Id) == 8) && StoredCount(swarm[added], group.Id) == 1, "the new member to receive the swarm's data");
        using var c2 = ClientFor(swarm, added);
        foreach (var user in users)
        {
            foreach (var ns in new[] { Namespace.Default, new Namespace(5) })
            {
                var page = await c2.RetrieveAsync(user, ns, cancellationToken: Ct);
                Assert.Equal(hashes.Where(h => h.User == user && h.Ns == ns).Select(h => h.Hash).Order(StringComparer.Ordinal), page.Messages.Select(m => m.Hash).Order(StringComparer.Ordinal));
            }
        }

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => c2.RetrieveAsync(member, new Namespace(11), cancellationToken: Ct));
        Assert.Equal(401, e.StatusCode);
        foreach (var u in users)
        {
            u.Dispose();
        }
    }

    [Fact]
    public async Task NewSwarm_AccountMovesToIt_ServedByTheNewSwarm()
    {
        const ulong High = 0x8000_0000_0000_0000;
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var c0 = ClientFor(swarm, 0);
        // An account near 2^63 moves to a swarm at 2^63 once it exists; one near 0 stays.
        using var mover = UserNear(High);
        using var stayer = UserNear(0);
        var moved = (await c0.StoreAsync(mover, "m"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash;
        await c0.StoreAsync(stayer, "s"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);

        var a = await swarm.AddNodeAsync(High, Ct);
        var b = await swarm.AddNodeAsync(High, Ct);

        await WaitUntilAsync(() => StoredCount(swarm[a], mover.Id) == 1 && StoredCount(swarm[b], mover.Id) == 1, "the new swarm to receive the moved account");
        Assert.Equal(0, StoredCount(swarm[a], stayer.Id));
        using var ca = ClientFor(swarm, a);
        Assert.Equal(moved, Assert.Single((await ca.RetrieveAsync(mover, cancellationToken: Ct)).Messages).Hash);
        var wrong = await Assert.ThrowsAsync<SessionNodeRpcException>(() => c0.RetrieveAsync(mover, cancellationToken: Ct));
        Assert.Equal(421, wrong.StatusCode);
        Assert.Equal("8000000000000000", wrong.Swarm!.SwarmId);
        Assert.Equal(2, wrong.Swarm.Snodes.Count);
        var stored = await ca.StoreAsync(mover, "again"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        Assert.Equal(2, stored.Swarm.Count);
        Assert.True(stored.AllSucceeded);
    }
}
