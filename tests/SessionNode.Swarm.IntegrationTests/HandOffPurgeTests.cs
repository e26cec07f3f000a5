using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Storage;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>
/// Accounts handed over to another swarm are purged from their former holders only once every new
/// owner confirms holding them (by digest) and the grace period has passed; ownership stats follow.
/// </summary>
public sealed class HandOffPurgeTests
{
    private const ulong High = 0x8000_0000_0000_0000;

    /// <summary>Passes every 200 ms and a 1 s grace, so a split settles within seconds.</summary>
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Network:PurgeInterval"] = "00:00:00.200",
        ["Network:PurgeGracePeriod"] = "00:00:01",
    };

    [Fact]
    public async Task SplitThenMerge_EachAccountEndsOnItsOwners_ForeignCopiesPurged_MergeKeepsData()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0, 0, 0], Fast, Ct);
        await using var data = await Dataset.StoreAsync(swarm, nodes: 4);

        // Split: nodes 2 and 3 form swarm 2^63; accounts near it move there, the rest stay with 0 and 1.
        await swarm.MoveNodesAsync(High, [2, 3], Ct);
        await data.WaitHeldExactlyByAsync(swarm, movers: [2, 3], stayers: [0, 1], "each account to be held only by its owners");
        await data.AssertServedAsync(swarm, movers: [2, 3], stayers: [0, 1]);

        foreach (var node in new[] { 0, 1 })
        {
            await WaitForAsync(async () => await StatAsync(swarm[node], "foreign_accounts") == 0, "node's stats to show no foreign account");
            var o = (await OwnershipAsync(swarm[node]))!.Value;
            Assert.Equal(data.Stayers.Length, o.GetProperty("owned_accounts").GetInt64());
            Assert.Equal(data.Movers.Length, o.GetProperty("purged_accounts").GetInt64());
            Assert.Equal(data.Movers.Length * Dataset.MessagesPerAccount, o.GetProperty("purged_messages").GetInt64());
            Assert.Equal(0, o.GetProperty("foreign_bytes").GetInt64());
            Assert.Equal(swarm[node].Services.GetRequiredService<MessageStore>().LogicalBytes, o.GetProperty("owned_bytes").GetInt64());
        }

        foreach (var node in new[] { 2, 3 })
        {
            await WaitForAsync(async () => await StatAsync(swarm[node], "purged_accounts") == data.Stayers.Length, "node's stats to count the purged accounts");
        }

        // Merge back: one swarm again; every member ends up with every account, nothing is purged.
        await swarm.MoveNodesAsync(0, [2, 3], Ct);
        await data.WaitHeldExactlyByAsync(swarm, movers: [0, 1, 2, 3], stayers: [0, 1, 2, 3], "every member to hold every account after the merge");
        var passes = new long[4];
        for (var i = 0; i < 4; i++)
        {
            passes[i] = await StatAsync(swarm[i], "passes");
        }

        for (var i = 0; i < 4; i++)
        {
            var node = swarm[i];
            var before = passes[i];
            await WaitForAsync(async () => await StatAsync(node, "passes") > before + 5, "a few more passes");
        }

        Assert.True(data.HeldExactlyBy(swarm, movers: [0, 1, 2, 3], stayers: [0, 1, 2, 3]));
        await data.AssertServedAsync(swarm, movers: [0, 1, 2, 3], stayers: [0, 1, 2, 3]);
        for (var i = 0; i < 4; i++)
        {
            var o = (await OwnershipAsync(swarm[i]))!.Value;
            Assert.Equal(0, o.GetProperty("foreign_accounts").GetInt64());
            Assert.Equal(data.Movers.Length + data.Stayers.Length, o.GetProperty("owned_accounts").GetInt64());
        }
    }

    [Fact]
    public async Task NewOwnerDownOrMissingData_NothingPurged_RepushedThenPurgedOnceAllConfirm()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0, 0, 0], Fast, Ct);
        await using var data = await Dataset.StoreAsync(swarm, nodes: 4);

        // Node 3 (a new owner of the movers) is down during the split.
        await swarm.StopNodeAsync(3);
        await swarm.MoveNodesAsync(High, [2, 3], Ct);

        // The stayers have all their new owners (0 and 1) up: node 2 drops its copies.
        await WaitUntilAsync(() => data.Stayers.All(s => StoredCount(swarm[2], s.Id) == 0), "node 2 to purge the accounts that stayed");

        // The movers cannot be confirmed by node 3: they stay on 0 and 1, pass after pass.
        foreach (var node in new[] { swarm[0], swarm[1] })
        {
            await WaitForAsync(async () => await StatAsync(node, "pending_confirmation_accounts") == data.Movers.Length, "the movers to be due but unconfirmed");
        }

        var passes = await StatAsync(swarm[0], "passes");
        await WaitForAsync(async () => await StatAsync(swarm[0], "passes") > passes + 5, "a few more passes on node 0");
        Assert.True(data.HeldBy(swarm, data.Movers, [0, 1, 2]));
        Assert.Equal(0, await StatAsync(swarm[0], "purged_accounts"));
        Assert.Equal(data.Movers.Length, await StatAsync(swarm[0], "foreign_accounts"));

        // Node 2 loses the movers' data: the former holders see its digest differ and push them again.
        var store2 = swarm[2].Services.GetRequiredService<MessageStore>();
        var repushed = await StatAsync(swarm[0], "repushed_accounts") + await StatAsync(swarm[1], "repushed_accounts");
        foreach (var mover in data.Movers)
        {
            store2.PurgeAccount(mover.Id);
        }

        Assert.All(data.Movers, m => Assert.Equal(0, StoredCount(swarm[2], m.Id)));
        await WaitUntilAsync(() => data.HeldBy(swarm, data.Movers, [2]), "node 2 to get the movers pushed again");
        Assert.True(await StatAsync(swarm[0], "repushed_accounts") + await StatAsync(swarm[1], "repushed_accounts") > repushed);
        Assert.True(data.HeldBy(swarm, data.Movers, [0, 1]), "still held: node 3 is down");

        // Node 3 is back (with its old copies): every new owner confirms, the former holders purge.
        await swarm.RestartNodeAsync(3, Ct);
        await data.WaitHeldExactlyByAsync(swarm, movers: [2, 3], stayers: [0, 1], "each account to be held only by its owners");
        await data.AssertServedAsync(swarm, movers: [2, 3], stayers: [0, 1]);
    }

    [Fact]
    public async Task NewSwarm_MovedAccountHandedOverWithDeleteAndShortenedExpiry_PurgedFromFormerOwners()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0], Fast, Ct);
        using var c0 = ClientFor(swarm, 0);
        using var mover = UserNear(High);
        using var stayer = UserNear(0);
        var hashes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            hashes.Add((await c0.StoreAsync(mover, RandomNumberGenerator.GetBytes(300), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash);
        }

        await c0.StoreAsync(stayer, "s"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        await c0.DeleteAsync(mover, [hashes[1]], cancellationToken: Ct);
        var shortened = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeMilliseconds();
        await c0.ExpireAsync(mover, [hashes[2]], shortened, ExpireMode.Shorten, cancellationToken: Ct);
        await WaitUntilAsync(() => StoredCount(swarm[1], mover.Id) == 2 && Store(swarm[1]).GetExpiries(mover.Id, [hashes[2]])[hashes[2]] == shortened, "node 1 to apply the delete and the expiry change");

        // A new swarm at 2^63 of two fresh nodes: the mover goes there (the first time they see it).
        var added = await swarm.AddNodesAsync(High, 2, Ct);
        await WaitUntilAsync(
            () => added.All(n => StoredCount(swarm[n], mover.Id) == 2) && new[] { 0, 1 }.All(n => StoredCount(swarm[n], mover.Id) == 0),
            "the mover to be held by the new swarm only");
        foreach (var n in added)
        {
            var store = Store(swarm[n]);
            Assert.Equal(0, StoredCount(swarm[n], stayer.Id));
            Assert.Equal(shortened, store.GetExpiries(mover.Id, [hashes[2]])[hashes[2]]);
            var tombstone = Assert.Single(store.ListAccountItems(mover.Id, 0), i => i.Kind == SyncItemKind.Tombstone);
            Assert.Equal(hashes[1], System.Text.Encoding.ASCII.GetString(tombstone.Key));
            using var client = ClientFor(swarm, n);
            Assert.Equal(new[] { hashes[0], hashes[2] }.Order(StringComparer.Ordinal), (await client.RetrieveAsync(mover, cancellationToken: Ct)).Messages.Select(m => m.Hash).Order(StringComparer.Ordinal));
        }

        foreach (var n in new[] { 0, 1 })
        {
            Assert.Empty(Store(swarm[n]).ListAccountItems(mover.Id, 0));
            Assert.Equal(1, StoredCount(swarm[n], stayer.Id));
            var node = swarm[n];
            await WaitForAsync(async () => await StatAsync(node, "purged_accounts") == 1, "the purge to be counted");
        }
    }

    [Fact]
    public async Task NewOwnersChangeTheAccount_PurgedOnceTheyHoldAVersionOfEveryItem_NothingResurrected()
    {
        // A 4 s grace leaves time to change the account at its new owners before anyone may purge it.
        var settings = new Dictionary<string, string?>(Fast) { ["Network:PurgeGracePeriod"] = "00:00:04" };
        await using var swarm = await TestSwarm.StartAsync([0, 0], settings, Ct);
        using var c0 = ClientFor(swarm, 0);
        using var mover = UserNear(High);
        var hashes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            hashes.Add((await c0.StoreAsync(mover, RandomNumberGenerator.GetBytes(100), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash);
        }

        var added = await swarm.AddNodesAsync(High, 2, Ct);
        using var ca = ClientFor(swarm, added[0]);
        await WaitUntilAsync(() => added.All(n => StoredCount(swarm[n], mover.Id) == 3), "the hand-over");
        var fresh = (await ca.StoreAsync(mover, "new"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash;
        await ca.DeleteAsync(mover, [hashes[0]], cancellationToken: Ct);

        // The digests now differ for good; the former owners purge once each new owner holds a version
        // of each of their items (after a complete hand-over), and the delete is not undone.
        await WaitUntilAsync(() => new[] { 0, 1 }.All(n => StoredCount(swarm[n], mover.Id) == 0), "the former owners to purge the changed account");
        foreach (var n in new[] { 0, 1 })
        {
            Assert.True(await StatAsync(swarm[n], "confirmed_by_ids") > 0);
        }

        foreach (var n in added)
        {
            using var client = ClientFor(swarm, n);
            Assert.Equal(new[] { hashes[1], hashes[2], fresh }.Order(StringComparer.Ordinal), (await client.RetrieveAsync(mover, cancellationToken: Ct)).Messages.Select(m => m.Hash).Order(StringComparer.Ordinal));
        }
    }

    private static MessageStore Store(TestNode node) => node.Services.GetRequiredService<MessageStore>();

    /// <summary>
    /// Accounts near 2^63 (movers: they move to swarm 2^63 when it appears) and near 0 (stayers), each
    /// with messages in two namespaces; one mover is a group with a revoked subaccount.
    /// </summary>
    private sealed class Dataset : IAsyncDisposable
    {
        public const int MessagesPerAccount = 4;

        private readonly Dictionary<AccountId, string[]> _hashes = [];
        private readonly List<IDisposable> _owned = [];

        public SessionAccount[] Movers { get; private set; } = [];

        public SessionAccount[] Stayers { get; private set; } = [];

        private SessionAccount Group => Movers[0];

        private SessionAccount Revoked { get; set; } = null!;

        public static async Task<Dataset> StoreAsync(TestSwarm swarm, int nodes)
        {
            var data = new Dataset();
            var group = GroupNear(High);
            var revoked = group.CreateSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, RandomNumberGenerator.GetBytes(32));
            data.Movers = [group, UserNear(High), UserNear(High)];
            data.Stayers = [UserNear(0), UserNear(0)];
            data.Revoked = revoked;
            data._owned.AddRange([.. data.Movers, .. data.Stayers, revoked]);

            using var client = ClientFor(swarm, 0);
            foreach (var account in data.Movers.Concat(data.Stayers))
            {
                var hashes = new List<string>();
                foreach (var ns in new[] { account == group ? new Namespace(11) : Namespace.Default, account == group ? new Namespace(12) : new Namespace(5) })
                {
                    for (var i = 0; i < MessagesPerAccount / 2; i++)
                    {
                        var stored = await client.StoreAsync(account, RandomNumberGenerator.GetBytes(200), ns, ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
                        hashes.Add(stored.ExpectedHash);
                    }
                }

                data._hashes[account.Id] = [.. hashes.Order(StringComparer.Ordinal)];
            }

            await client.RevokeSubaccountAsync(group, [revoked.Subaccount!], cancellationToken: Ct);
            await WaitUntilAsync(
                () => data.HeldBy(swarm, data.Movers.Concat(data.Stayers), Enumerable.Range(0, nodes))
                    && Enumerable.Range(0, nodes).All(i => swarm[i].Services.GetRequiredService<MessageStore>().GetRevocations(group.Id).Count == 1),
                "every member to hold the data");
            return data;
        }

        /// <summary>Every listed node holds every message of every listed account.</summary>
        public bool HeldBy(TestSwarm swarm, IEnumerable<SessionAccount> accounts, IEnumerable<int> nodes) =>
            nodes.All(n => accounts.All(a => StoredCount(swarm[n], a.Id) == MessagesPerAccount));

        /// <summary>Waits until <see cref="HeldExactlyBy"/>; on timeout the message lists what each node holds.</summary>
        public async Task WaitHeldExactlyByAsync(TestSwarm swarm, int[] movers, int[] stayers, string what)
        {
            try
            {
                await WaitUntilAsync(() => HeldExactlyBy(swarm, movers, stayers), what);
            }
            catch (TimeoutException e)
            {
                var held = string.Join("; ", Enumerable.Range(0, 4).Select(n => $"node {n}: movers "
                    + string.Join(",", Movers.Select(a => StoredCount(swarm[n], a.Id) + "/" + swarm[n].Services.GetRequiredService<MessageStore>().GetRevocations(a.Id).Count))
                    + " stayers " + string.Join(",", Stayers.Select(a => StoredCount(swarm[n], a.Id)))));
                throw new TimeoutException(e.Message + ". Held: " + held, e);
            }
        }

        /// <summary>Movers are held in full by exactly <paramref name="movers"/>, stayers by exactly <paramref name="stayers"/> (among the 4 nodes).</summary>
        public bool HeldExactlyBy(TestSwarm swarm, int[] movers, int[] stayers)
        {
            bool Exactly(SessionAccount[] accounts, int[] holders) =>
                Enumerable.Range(0, 4).All(n => accounts.All(a =>
                    StoredCount(swarm[n], a.Id) == (holders.Contains(n) ? MessagesPerAccount : 0)
                    && swarm[n].Services.GetRequiredService<MessageStore>().GetRevocations(a.Id).Count == (holders.Contains(n) && a == Group ? 1 : 0)));
            return Exactly(Movers, movers) && Exactly(Stayers, stayers);
        }

        /// <summary>Clients reading from the owners get exactly the stored messages; the revocation still holds.</summary>
        public async Task AssertServedAsync(TestSwarm swarm, int[] movers, int[] stayers)
        {
            foreach (var (accounts, nodes) in new[] { (Movers, movers), (Stayers, stayers) })
            {
                foreach (var node in nodes)
                {
                    using var client = ClientFor(swarm, node);
                    foreach (var account in accounts)
                    {
                        var hashes = new List<string>();
                        foreach (var ns in new[] { account == Group ? new Namespace(11) : Namespace.Default, account == Group ? new Namespace(12) : new Namespace(5) })
                        {
                            hashes.AddRange((await client.RetrieveAsync(account, ns, cancellationToken: Ct)).Messages.Select(m => m.Hash));
                        }

                        Assert.Equal(_hashes[account.Id], hashes.Order(StringComparer.Ordinal));
                    }

                    if (accounts == Movers)
                    {
                        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => client.RetrieveAsync(Revoked, new Namespace(11), cancellationToken: Ct));
                        Assert.Equal(401, e.StatusCode);
                    }
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            foreach (var d in _owned)
            {
                d.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }
}
