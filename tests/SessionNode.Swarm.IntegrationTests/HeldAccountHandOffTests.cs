using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Storage;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>
/// Accounts whose only state on a node is revocations, unrevocations or tombstones (no message) follow
/// swarm changes like any other: pushed to joining members and to new owning swarms, and purged from
/// former holders once every new owner confirms them. Anti-entropy is off, so only the hand-off and
/// purge paths can move them.
/// </summary>
public sealed class HeldAccountHandOffTests
{
    private const ulong High = 0x8000_0000_0000_0000;

    /// <summary>No anti-entropy rounds; purge passes every 200 ms with a 1 s grace.</summary>
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Network:AntiEntropyInterval"] = "00:00:00",
        ["Network:PurgeInterval"] = "00:00:00.200",
        ["Network:PurgeGracePeriod"] = "00:00:01",
    };

    [Fact]
    public async Task RevocationAndTombstoneOnlyAccounts_MoveToNewSwarm_HandedOverThenPurgedFromFormerOwners()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0], Settings, Ct);
        await using var held = await HeldAccounts.CreateAsync(swarm, High, holders: [0, 1]);

        var added = await swarm.AddNodesAsync(High, 2, Ct);
        await WaitUntilAsync(() => added.All(n => held.HeldBy(swarm[n])), "the new swarm to receive the revocation-, unrevocation- and tombstone-only accounts");
        foreach (var n in added)
        {
            await held.AssertRevokedSubaccountRefusedAsync(swarm, n);
        }

        await WaitUntilAsync(() => new[] { 0, 1 }.All(n => held.NothingOn(swarm[n])), "the former owners to purge the accounts");
        foreach (var n in new[] { 0, 1 })
        {
            var node = swarm[n];
            await WaitForAsync(async () => await StatAsync(node, "purged_accounts") == HeldAccounts.Count, "the purges to be counted");
            Assert.Equal(0, await StatAsync(node, "purged_messages"));
            Assert.Equal(0, await StatAsync(node, "foreign_accounts"));
            using var client = ClientFor(swarm, n);
            var wrong = await Assert.ThrowsAsync<SessionNodeRpcException>(() => client.RetrieveAsync(held.RevokedMember, new Namespace(11), cancellationToken: Ct));
            Assert.Equal(421, wrong.StatusCode);
        }

        // The new owners keep everything (nothing of theirs is foreign).
        Assert.All(added, n => Assert.True(held.HeldBy(swarm[n])));
    }

    [Fact]
    public async Task JoiningMember_GetsRevocationUnrevocationAndTombstoneOnlyAccounts()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0], Settings, Ct);
        await using var held = await HeldAccounts.CreateAsync(swarm, 0, holders: [0, 1]);

        var added = await swarm.AddNodeAsync(0, Ct);
        await WaitUntilAsync(() => held.HeldBy(swarm[added]), "the joining member to receive the accounts");
        await held.AssertRevokedSubaccountRefusedAsync(swarm, added);
        Assert.All(new[] { 0, 1 }, n => Assert.True(held.HeldBy(swarm[n]))); // still ours: nothing purged
        var node = swarm[added];
        await WaitForAsync(async () => await StatAsync(node, "owned_accounts") == HeldAccounts.Count, "the joining member to count the accounts as owned");
    }

    [Fact]
    public async Task RevocationOnlyForeignAccount_KeptWhileANewOwnerIsDown_PurgedOnceAllConfirm()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0, 0], Settings, Ct);
        await using var held = await HeldAccounts.CreateAsync(swarm, High, holders: [0, 1, 2]);

        // Nodes 1 and 2 form swarm 2^63, which now owns the accounts; node 2 is down meanwhile.
        await swarm.StopNodeAsync(2);
        await swarm.MoveNodesAsync(High, [1, 2], Ct);
        await WaitForAsync(async () => await StatAsync(swarm[0], "pending_confirmation_accounts") == HeldAccounts.Count, "the accounts to be due but unconfirmed on node 0");
        var passes = await StatAsync(swarm[0], "passes");
        await WaitForAsync(async () => await StatAsync(swarm[0], "passes") > passes + 5, "a few more passes on node 0");
        Assert.True(held.HeldBy(swarm[0]), "kept: a new owner cannot confirm");
        Assert.Equal(0, await StatAsync(swarm[0], "purged_accounts"));
        Assert.Equal(HeldAccounts.Count, await StatAsync(swarm[0], "foreign_accounts"));

        // Node 2 is back (with its copies): both new owners confirm, node 0 purges.
        await swarm.RestartNodeAsync(2, Ct);
        await WaitUntilAsync(() => held.NothingOn(swarm[0]), "node 0 to purge the accounts");
        await WaitForAsync(async () => await StatAsync(swarm[0], "purged_accounts") == HeldAccounts.Count, "the purges to be counted");
        Assert.All(new[] { 1, 2 }, n => Assert.True(held.HeldBy(swarm[n])));
        await held.AssertRevokedSubaccountRefusedAsync(swarm, 2);
    }

    /// <summary>
    /// Three accounts near one ring position, none with a message: a group with one revoked subaccount,
    /// a group with one unrevoked token, a user whose only message was deleted (a tombstone).
    /// </summary>
    private sealed class HeldAccounts : IAsyncDisposable
    {
        public const int Count = 3;

        private readonly SessionAccount _revokedGroup;
        private readonly SessionAccount _unrevokedGroup;
        private readonly SessionAccount _deleter;
        private readonly SubaccountToken _unrevoked;
        private string _deleted = "";

        private HeldAccounts(ulong position)
        {
            _revokedGroup = GroupNear(position);
            _unrevokedGroup = GroupNear(position);
            _deleter = UserNear(position);
            RevokedMember = _revokedGroup.CreateSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, RandomNumberGenerator.GetBytes(32));
            _unrevoked = SubaccountToken.Create(0x03, SubaccountFlags.Read, RandomNumberGenerator.GetBytes(32));
        }

        /// <summary>A member of the first group whose token the group revoked.</summary>
        public SessionAccount RevokedMember { get; }

        public static async Task<HeldAccounts> CreateAsync(TestSwarm swarm, ulong position, int[] holders)
        {
            var held = new HeldAccounts(position);
            using var client = ClientFor(swarm, holders[0]);
            await client.RevokeSubaccountAsync(held._revokedGroup, [held.RevokedMember.Subaccount!], cancellationToken: Ct);
            await client.RevokeSubaccountAsync(held._unrevokedGroup, [held._unrevoked], cancellationToken: Ct);
            await client.UnrevokeSubaccountAsync(held._unrevokedGroup, [held._unrevoked], cancellationToken: Ct);
            held._deleted = (await client.StoreAsync(held._deleter, "gone"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash;
            await client.DeleteAsync(held._deleter, [held._deleted], cancellationToken: Ct);
            await WaitUntilAsync(() => holders.All(n => held.HeldBy(swarm[n])), "every holder to have the accounts");
            return held;
        }

        /// <summary>The node holds exactly the expected items of the three accounts, and no message of them.</summary>
        public bool HeldBy(TestNode node)
        {
            var store = node.Services.GetRequiredService<MessageStore>();
            var revoked = store.ListAccountItems(_revokedGroup.Id, 0);
            var unrevoked = store.ListAccountItems(_unrevokedGroup.Id, 0);
            var deleted = store.ListAccountItems(_deleter.Id, 0);
            return revoked.Count == 1 && revoked[0].Kind == SyncItemKind.Revocation && store.IsRevoked(_revokedGroup.Id, RevokedMember.Subaccount!)
                && unrevoked.Count == 1 && unrevoked[0].Kind == SyncItemKind.Unrevocation && unrevoked[0].Key.AsSpan().SequenceEqual(_unrevoked.Span)
                && deleted.Count == 1 && deleted[0].Kind == SyncItemKind.Tombstone && System.Text.Encoding.ASCII.GetString(deleted[0].Key) == _deleted;
        }

        /// <summary>The node holds nothing at all for the three accounts.</summary>
        public bool NothingOn(TestNode node)
        {
            var store = node.Services.GetRequiredService<MessageStore>();
            return new[] { _revokedGroup.Id, _unrevokedGroup.Id, _deleter.Id }.All(a => store.ListAccountItems(a, 0).Count == 0);
        }

        /// <summary>The revoked member is refused by node <paramref name="index"/>'s RPC; the group owner is served.</summary>
        public async Task AssertRevokedSubaccountRefusedAsync(TestSwarm swarm, int index)
        {
            using var client = ClientFor(swarm, index);
            var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => client.RetrieveAsync(RevokedMember, new Namespace(11), cancellationToken: Ct));
            Assert.Equal(401, e.StatusCode);
            Assert.Empty((await client.RetrieveAsync(_revokedGroup, new Namespace(11), cancellationToken: Ct)).Messages);
        }

        public ValueTask DisposeAsync()
        {
            RevokedMember.Dispose();
            _revokedGroup.Dispose();
            _unrevokedGroup.Dispose();
            _deleter.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
