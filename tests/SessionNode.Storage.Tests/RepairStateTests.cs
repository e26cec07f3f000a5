using System.Buffers.Binary;
using System.Text;
using SessionNode.Core;
using SessionNode.Storage.Rocks;

namespace SessionNode.Storage.Tests;

/// <summary>Tombstones, change times, unrevocations, digests, purge and the v1 → v2 upgrade (README.md, "Repair state").</summary>
public sealed class RepairStateTests
{
    private static readonly Namespace Default = new(0);

    [Fact]
    public void Tombstone_RefusesPushAndRepair_ClientRestoreIsAcceptedLocally_TombstoneWinsRepair()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "h1", ttlMs: 100_000);
        var stored = f.Store.WithData(f.Store.ListAccountItems(Accounts.Ef, f.Now).Single())!;
        f.Advance(10);
        Assert.Single(f.Store.DeleteByHash(Accounts.Ef, ["h1"]));

        // A peer push of the deleted hash and a repair copy older than the deletion are refused.
        Assert.Equal(0, f.Store.BulkStore([new StoredMessage(Accounts.Ef, Default, "h1", f.Now, f.Now + 1000, [1])]));
        Assert.Equal(new RepairResult(0, 1), f.Store.ApplyRepair([stored]));
        Assert.Null(f.Store.GetByHash("h1"));
        var tombstone = Assert.Single(f.Store.ListAccountItems(Accounts.Ef, f.Now));
        Assert.Equal(SyncItemKind.Tombstone, tombstone.Kind);
        Assert.Equal(f.Now, tombstone.TimeMs);

        // A newer repair copy is refused too: deletes are final until the original expiry.
        Assert.Equal(new RepairResult(0, 1), f.Store.ApplyRepair([stored with { TimeMs = f.Now + 1000 }]));

        // The owner storing it again is accepted here (tombstone gone) ...
        f.Advance(10);
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "h1").Outcome);
        Assert.Equal(SyncItemKind.Message, Assert.Single(f.Store.ListAccountItems(Accounts.Ef, f.Now)).Kind);

        // ... but another member's tombstone, even an older one, deletes it again.
        Assert.Equal(new RepairResult(1, 0), f.Store.ApplyRepair([tombstone]));
        Assert.Null(f.Store.GetByHash("h1"));
        AssertLeavesExact(f.Store);
    }

    [Fact]
    public void Tombstone_IsSweptAtTheOriginalExpiry()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "h1", ttlMs: 1000);
        f.Store.DeleteAll(Accounts.Ef, Default);
        Assert.Single(f.Store.ListAccountItems(Accounts.Ef, f.Now));
        Assert.Empty(f.Store.ListAccountItems(Accounts.Ef, f.Now + 1000)); // as of its expiry it is gone
        f.Advance(1000);
        f.Store.SweepExpired();
        Assert.Empty(f.Store.ListAccountItems(Accounts.Ef, long.MinValue));
        Assert.Equal(1, f.Store.BulkStore([new StoredMessage(Accounts.Ef, Default, "h1", f.Now, f.Now + 1000, [1])]));
        AssertLeavesExact(f.Store);
    }

    [Fact]
    public void ExpiryConflicts_LastChangeWins_EqualTimesTakeTheSmallerExpiry()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "h1", ttlMs: 100_000);
        var original = f.Store.WithData(f.Store.ListAccountItems(Accounts.Ef, f.Now).Single())!;
        f.Advance(10);
        f.Store.UpdateExpiry(Accounts.Ef, ["h1"], [f.Now + 5000], extendOnly: false, shortenOnly: true);
        var shortened = f.Store.ListAccountItems(Accounts.Ef, f.Now).Single();
        Assert.Equal(f.Now + 5000, shortened.ExpiryMs);
        Assert.Equal(f.Now, shortened.TimeMs);

        // The original (longer, older) copy from a peer does not lengthen it back.
        Assert.Equal(new RepairResult(0, 1), f.Store.ApplyRepair([original]));
        Assert.Equal(f.Now + 5000, f.Store.GetByHash("h1")!.ExpiryMs);

        // Same change time: the smaller expiry wins; a later change wins whatever its expiry.
        Assert.Equal(new RepairResult(0, 1), f.Store.ApplyRepair([original with { ExpiryMs = f.Now + 6000, TimeMs = shortened.TimeMs }]));
        Assert.Equal(new RepairResult(1, 0), f.Store.ApplyRepair([original with { ExpiryMs = f.Now + 4000, TimeMs = shortened.TimeMs }]));
        Assert.Equal(new RepairResult(1, 0), f.Store.ApplyRepair([original with { ExpiryMs = f.Now + 9000, TimeMs = f.Now + 5 }]));
        Assert.Equal(f.Now + 9000, f.Store.GetByHash("h1")!.ExpiryMs);
        Assert.Equal(f.Now + 5, f.Store.ListAccountItems(Accounts.Ef, f.Now).Single().TimeMs);
        AssertLeavesExact(f.Store);
    }

    [Fact]
    public void RevocationConflicts_AreResolvedByTime()
    {
        using var f = new StoreFixture();
        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read, new byte[32]);
        f.Store.Revoke(Accounts.Ef, [token], f.Now);
        var revocation = f.Store.ListAccountItems(Accounts.Ef, f.Now).Single();
        f.Advance(10);
        Assert.Equal(1, f.Store.Unrevoke(Accounts.Ef, [token]));
        var unrevocation = f.Store.ListAccountItems(Accounts.Ef, f.Now).Single();
        Assert.Equal((SyncItemKind.Unrevocation, f.Now), (unrevocation.Kind, unrevocation.TimeMs));

        // The older revocation does not come back; a newer one does.
        Assert.Equal(new RepairResult(0, 1), f.Store.ApplyRepair([revocation]));
        Assert.False(f.Store.IsRevoked(Accounts.Ef, token));
        Assert.Equal(new RepairResult(1, 0), f.Store.ApplyRepair([revocation with { TimeMs = f.Now + 1 }]));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, token));
        Assert.Equal(SyncItemKind.Revocation, f.Store.ListAccountItems(Accounts.Ef, f.Now).Single().Kind);
        AssertLeavesExact(f.Store);
    }

    [Fact]
    public void TwoStores_WithRandomDifferences_ConvergeAndNothingDeletedReappears()
    {
        using var a = new StoreFixture();
        using var b = new StoreFixture();
        var random = new Random(7);
        var accounts = Enumerable.Range(0, 50).Select(Accounts.Numbered).ToArray();
        var both = new List<StoredMessage>();
        for (var i = 0; i < 2000; i++)
        {
            both.Add(new StoredMessage(accounts[random.Next(accounts.Length)], Default, $"m{i:D5}", a.Now, a.Now + 3_600_000, [(byte)i]));
        }

        a.Store.BulkStore(both);
        b.Store.BulkStore(both);
        a.Advance(100);
        b.Advance(100);

        var deleted = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var m = both[random.Next(both.Count)];
            var (x, y) = random.Next(2) == 0 ? (a, b) : (b, a);
            switch (i % 5)
            {
                case 0: // a write only one side got
                    x.Store.Store(m.Account, Default, $"new{i}", x.Now, x.Now + 100_000, [9]);
                    break;
                case 1: // a delete only one side got
                    if (x.Store.DeleteByHash(m.Account, [m.Hash]).Count == 1)
                    {
                        deleted.Add(m.Hash);
                    }

                    break;
                case 2: // a shortened expiry only one side got
                    x.Store.UpdateExpiry(m.Account, [m.Hash], [x.Now + 50_000], extendOnly: false, shortenOnly: true);
                    break;
                case 3: // a revocation only one side got
                    x.Store.Revoke(m.Account, [SubaccountToken.Create(0x03, SubaccountFlags.Read, Enumerable.Repeat((byte)i, 32).ToArray())], x.Now);
                    break;
                default: // a message missing on one side
                    y.Store.PurgeAccount(m.Account);
                    break;
            }
        }

        Assert.NotEqual(Digest(a.Store, a.Now), Digest(b.Store, b.Now));
        Sync(a.Store, b.Store, a.Now);
        Assert.Equal(Digest(a.Store, a.Now), Digest(b.Store, b.Now));
        var contentA = a.Store.EnumerateMessages(_ => true).Select(m => (m.Hash, m.ExpiryMs, m.Data[0])).ToList();
        var contentB = b.Store.EnumerateMessages(_ => true).Select(m => (m.Hash, m.ExpiryMs, m.Data[0])).ToList();
        Assert.Equal(contentA, contentB);
        Assert.All(deleted, hash => Assert.Null(a.Store.GetByHash(hash)));
        Assert.All(deleted, hash => Assert.Null(b.Store.GetByHash(hash)));
        AssertLeavesExact(a.Store);
        AssertLeavesExact(b.Store);
    }

    [Fact]
    public void ShortenedExpiry_ThatRanOutBeforeRepair_IsNotLengthenedBack()
    {
        using var a = new StoreFixture();
        using var b = new StoreFixture();
        a.Put(Accounts.Ef, "h1", ttlMs: 3_600_000);
        b.Put(Accounts.Ef, "h1", ttlMs: 3_600_000);
        a.Put(Accounts.Ef, "h2", ttlMs: 3_600_000); // something to make the digests differ
        a.Advance(10);
        b.Advance(10);
        a.Store.UpdateExpiry(Accounts.Ef, ["h1"], [a.Now + 1000], extendOnly: false, shortenOnly: true);
        a.Advance(2000);
        b.Advance(2000);
        a.Store.SweepExpired();

        Sync(a.Store, b.Store, a.Now);
        Assert.Null(a.Store.GetByHash("h1"));
        Assert.Null(b.Store.GetByHash("h1"));
        Assert.NotNull(b.Store.GetByHash("h2"));
        Assert.Equal(Digest(a.Store, a.Now), Digest(b.Store, b.Now));
        AssertLeavesExact(a.Store);
        AssertLeavesExact(b.Store);
    }

    [Fact]
    public void AccountDigest_EqualForEqualContent_AndPurgeLeavesNothing()
    {
        using var a = new StoreFixture();
        using var b = new StoreFixture();
        foreach (var f in new[] { a, b })
        {
            f.Put(Accounts.Ef, "h1");
            f.Put(Accounts.Ef, "h2", ttlMs: 1000);
            f.Put(Accounts.Ee, "h3");
        }

        a.Store.DeleteByHash(Accounts.Ef, ["h1"]);
        Assert.NotEqual(a.Store.AccountDigest(Accounts.Ef, a.Now), b.Store.AccountDigest(Accounts.Ef, b.Now));
        b.Store.DeleteByHash(Accounts.Ef, ["h1"]);
        Assert.Equal(a.Store.AccountDigest(Accounts.Ef, a.Now), b.Store.AccountDigest(Accounts.Ef, b.Now));
        Assert.Equal(2, a.Store.AccountDigest(Accounts.Ef, a.Now).Count);
        Assert.Equal(1, a.Store.AccountDigest(Accounts.Ef, a.Now + 1000).Count); // h2 expired as of then

        var (messages, bytes) = a.Store.PurgeAccount(Accounts.Ef);
        Assert.Equal((1L, StorageLayout.LogicalSize(2, "bytesasstring".Length)), (messages, bytes));
        Assert.Equal(new ItemDigest(default, 0), a.Store.AccountDigest(Accounts.Ef, a.Now));
        Assert.Equal(1, a.Store.MessageCount);
        Assert.Equal(1, a.Store.AccountCount);

        // No tombstone was written: the account can be pushed back.
        Assert.Equal(1, a.Store.BulkStore([new StoredMessage(Accounts.Ef, Default, "h1", a.Now, a.Now + 1000, [1])]));
        AssertLeavesExact(a.Store);
    }

    [Fact]
    public void SchemaV1Store_IsUpgradedInPlace()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 30; i++)
        {
            f.Put(Accounts.Numbered(i % 4), $"h{i}");
        }

        var before = f.Store.EnumerateMessages(_ => true).Select(m => (m.Hash, m.ExpiryMs)).ToList();
        f.Store.Dispose();
        DowngradeToV1(f.Options);

        f.Reopen();
        Assert.Equal(before, f.Store.EnumerateMessages(_ => true).Select(m => (m.Hash, m.ExpiryMs)).ToList());
        Assert.All(f.Store.ListAccountItems(Accounts.Numbered(0), f.Now), item => Assert.Equal(0, item.TimeMs));
        Assert.Single(f.Store.DeleteByHash(Accounts.Numbered(0), ["h0"]));
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "x").Outcome);
        AssertLeavesExact(f.Store);
        f.Reopen();
        Assert.Equal(before.Count, f.Store.MessageCount);
        AssertLeavesExact(f.Store);
    }

    /// <summary>Rewrites the store as schema 1 wrote it: 55-byte hash values, version 1, no new families' data.</summary>
    private static void DowngradeToV1(MessageStoreOptions options)
    {
        using var cache = RocksDbTuning.CreateCache(options);
        using var db = RocksDb.Open(RocksDbTuning.CreateDbOptions(options, cache), options.Path, RocksDbTuning.CreateColumnFamilies(cache));
        var hashes = db.GetColumnFamily(StorageLayout.HashFamily);
        var rows = new List<(byte[] Key, byte[] Value)>();
        using (var it = db.NewIterator(hashes))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                rows.Add((it.Key(), it.Value()));
            }
        }

        Assert.NotEmpty(rows);
        foreach (var (key, value) in rows)
        {
            db.Put(key, value.AsSpan(0, StorageLayout.HashValueLengthV1), hashes);
        }

        var version = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(version, 1);
        db.Put(Encoding.ASCII.GetBytes("schema"), version, db.GetColumnFamily(StorageLayout.MetaFamily));
    }

    private static ItemDigest[] Digest(MessageStore store, long now) => store.LeafDigests(0, MessageStore.LeafCount, now + 60_000);

    /// <summary>
    /// One repair exchange as the anti-entropy protocol does it, without the network: leaf digests as of
    /// now + 60 s, item lists of the differing leaves as of now.
    /// </summary>
    private static void Sync(MessageStore a, MessageStore b, long nowMs)
    {
        var da = a.LeafDigests(0, MessageStore.LeafCount, nowMs + 60_000);
        var db = b.LeafDigests(0, MessageStore.LeafCount, nowMs + 60_000);
        var leaves = Enumerable.Range(0, MessageStore.LeafCount).Where(i => da[i] != db[i]).ToHashSet();
        Assert.NotEmpty(leaves);
        var local = a.ListLeafItems(leaves, nowMs, _ => true);
        var remote = b.ListLeafItems(leaves, nowMs, _ => true);
        var (pull, push) = SyncPlanner.Plan(local, remote.Select(i => (i.Id, i.Kind, i.ExpiryMs)));
        var wanted = pull.ToHashSet();
        a.ApplyRepair(remote.Where(i => wanted.Contains(i.Id)).Select(b.WithData).OfType<SyncItem>().ToList());
        b.ApplyRepair(push.Select(a.WithData).OfType<SyncItem>().ToList());
    }

    private static void AssertLeavesExact(MessageStore store)
    {
        var (xor, count) = store.CurrentLeaves();
        var (scannedXor, scannedCount) = store.ScanLeaves();
        Assert.Equal(scannedCount, count);
        Assert.Equal(scannedXor, xor);
    }
}
