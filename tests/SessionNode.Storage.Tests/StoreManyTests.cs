using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>
/// <see cref="MessageStore.StoreMany"/> against <see cref="MessageStore.Store"/> called once per operation: the same
/// results and the same stored state (messages in order, tombstones, change times, counters, digest leaves), with
/// one RocksDB write for a run of distinct messages.
/// </summary>
public sealed class StoreManyTests
{
    private static readonly short[] Namespaces = [0, 2, -1, -21, 10];

    [Fact]
    public void DistinctMessages_OneWrite()
    {
        using var f = new StoreFixture();
        var ops = Enumerable.Range(0, 32)
            .Select(i => Op(f, Accounts.Numbered(i), 0, "h" + i, ttlMs: 60_000))
            .ToArray();
        var results = new StoreResult[ops.Length];
        var writes = f.Store.WriteCount;

        f.Store.StoreMany(ops, results);

        Assert.Equal(writes + 1, f.Store.WriteCount);
        Assert.All(results, r => Assert.Equal(StoreOutcome.New, r.Outcome));
        Assert.Equal(32, f.Store.MessageCount);
        Assert.Equal(32, f.Store.AccountCount);
    }

    [Fact]
    public void SameHashTwice_SecondExtendsOrExists_AsOneByOne()
    {
        using var f = new StoreFixture();
        StoreResult[] results = new StoreResult[3];
        f.Store.StoreMany(
            [
                Op(f, Accounts.Ef, 0, "dup", ttlMs: 60_000),
                Op(f, Accounts.Ef, 0, "dup", ttlMs: 90_000),
                Op(f, Accounts.Ee, 0, "dup", ttlMs: 30_000),
            ],
            results);

        Assert.Equal(
            [new(StoreOutcome.New, f.Now + 60_000), new(StoreOutcome.Extended, f.Now + 90_000), new(StoreOutcome.Exists, f.Now + 90_000)],
            results);
        var stored = Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages);
        Assert.Equal(f.Now + 90_000, stored.ExpiryMs);
        Assert.Equal(1, f.Store.MessageCount);
    }

    [Fact]
    public void PublicOutboxStoresInOneBatch_LaterReplacesEarlier_WithTombstone()
    {
        using var f = new StoreFixture();
        var outbox = new Namespace(-21);
        var results = new StoreResult[3];
        f.Store.StoreMany([Op(f, Accounts.Ef, -21, "first"), Op(f, Accounts.Ef, 0, "other"), Op(f, Accounts.Ef, -21, "second")], results);

        Assert.All(results, r => Assert.Equal(StoreOutcome.New, r.Outcome));
        Assert.Equal(["second"], f.Store.Retrieve(Accounts.Ef, outbox, null, null, null).Messages.Select(m => m.Hash));
        Assert.Contains(f.Store.ListAccountItems(Accounts.Ef, 0), i => i.Kind == SyncItemKind.Tombstone);
        Assert.Equal(2, f.Store.MessageCount);
    }

    [Fact]
    public void CapReachedMidBatch_FullWritesNothingForThatItem_OthersStored()
    {
        // Room for two 100-byte messages with 2-character hashes (179 + 3·2 + 100 = 285 logical bytes each).
        using var f = new StoreFixture(maxLogicalBytes: 600);
        var data = new byte[100];
        var results = new StoreResult[4];
        f.Store.StoreMany(
            [
                Op(f, Accounts.Ef, 0, "h1", data: data),
                Op(f, Accounts.Ef, 0, "h2", data: data),
                Op(f, Accounts.Ef, 0, "h3", data: data),
                Op(f, Accounts.Ef, 0, "h1", ttlMs: 120_000, data: data),
            ],
            results);

        Assert.Equal([StoreOutcome.New, StoreOutcome.New, StoreOutcome.Full, StoreOutcome.Extended], results.Select(r => r.Outcome));
        Assert.Equal(["h1", "h2"], f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Select(m => m.Hash));
        Assert.Equal(570, f.Store.LogicalBytes);
    }

    [Fact]
    public void BadOperation_ThrowsBeforeWritingAnything()
    {
        using var f = new StoreFixture();
        var results = new StoreResult[2];
        Assert.Throws<ArgumentException>(() => f.Store.StoreMany([Op(f, Accounts.Ef, 0, "fine"), Op(f, Accounts.Ef, 0, "")], results));
        Assert.Throws<ArgumentException>(() => f.Store.StoreMany([Op(f, Accounts.Ef, 0, "fine")], []));
        Assert.Equal(0, f.Store.MessageCount);
    }

    /// <summary>
    /// Random runs of stores (few hashes, accounts and mailboxes, public outboxes among them, expiries that pass,
    /// deletes between runs, a tight cap in some seeds) applied one by one to one store and as runs to another.
    /// </summary>
    [Theory]
    [InlineData(1, 3_758_096_384L)]
    [InlineData(2, 3_758_096_384L)]
    [InlineData(3, 3_758_096_384L)]
    [InlineData(4, 12_000L)]
    [InlineData(5, 12_000L)]
    [InlineData(6, 6_000L)]
    public void RandomRuns_SameResultsAndStateAsOneByOne(int seed, long cap)
    {
        using var single = new StoreFixture(cap);
        using var grouped = new StoreFixture(cap);
        var random = new Random(seed);
        var accounts = Enumerable.Range(0, 3).Select(Accounts.Numbered).ToArray();
        var groupedWrites = 0L;
        var singleWrites = 0L;

        for (var round = 0; round < 80; round++)
        {
            var ops = new StoreOperation[random.Next(1, 24)];
            for (var i = 0; i < ops.Length; i++)
            {
                var account = accounts[random.Next(accounts.Length)];
                var ns = Namespaces[random.Next(Namespaces.Length)];
                var data = new byte[random.Next(0, 120)];
                random.NextBytes(data);
                ops[i] = new StoreOperation(account, new Namespace(ns), "m" + random.Next(30), single.Now - random.Next(5), single.Now + random.Next(1, 500), data);
            }

            var expected = new StoreResult[ops.Length];
            var before = single.Store.WriteCount;
            for (var i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                expected[i] = single.Store.Store(op.Account, op.Namespace, op.Hash, op.TimestampMs, op.ExpiryMs, op.Data.Span);
            }

            singleWrites += single.Store.WriteCount - before;
            var actual = new StoreResult[ops.Length];
            before = grouped.Store.WriteCount;
            grouped.Store.StoreMany(ops, actual);
            groupedWrites += grouped.Store.WriteCount - before;

            Assert.Equal(expected, actual);
            AssertSameState(single, grouped, accounts);

            // Between runs: time passes (some messages expire unswept, to be replaced) and some are deleted (tombstones).
            var advance = random.Next(0, 200);
            single.Advance(advance);
            grouped.Advance(advance);
            if (random.Next(3) == 0)
            {
                var account = accounts[random.Next(accounts.Length)];
                string[] hashes = ["m" + random.Next(30), "m" + random.Next(30)];
                Assert.Equal(single.Store.DeleteByHash(account, hashes), grouped.Store.DeleteByHash(account, hashes));
            }

            if (random.Next(10) == 0)
            {
                Assert.Equal(single.Store.SweepExpired(), grouped.Store.SweepExpired());
            }
        }

        // Fewer writes, and the persisted counters and digests are those of the one-by-one store.
        Assert.True(groupedWrites < singleWrites, $"{groupedWrites} grouped writes vs {singleWrites}");
        grouped.Reopen();
        AssertSameState(single, grouped, accounts);
    }

    private static StoreOperation Op(StoreFixture f, AccountId account, short ns, string hash, long ttlMs = 60_000, byte[]? data = null)
        => new(account, new Namespace(ns), hash, f.Now, f.Now + ttlMs, data ?? "bytesasstring"u8.ToArray());

    private static void AssertSameState(StoreFixture expected, StoreFixture actual, AccountId[] accounts)
    {
        Assert.Equal(expected.Store.MessageCount, actual.Store.MessageCount);
        Assert.Equal(expected.Store.LogicalBytes, actual.Store.LogicalBytes);
        Assert.Equal(expected.Store.AccountCount, actual.Store.AccountCount);
        Assert.Equal(Messages(expected.Store), Messages(actual.Store));
        foreach (var account in accounts)
        {
            Assert.Equal(Items(expected.Store, account), Items(actual.Store, account));
        }

        Assert.Equal(expected.Store.LeafDigests(0, MessageStore.LeafCount, 0), actual.Store.LeafDigests(0, MessageStore.LeafCount, 0));
    }

    private static List<string> Messages(MessageStore store) =>
        [.. store.EnumerateMessages(_ => true).Select(m => $"{m.Account} {m.Namespace.Id} {m.Hash} {m.TimestampMs} {m.ExpiryMs} {Convert.ToHexString(m.Data)}")];

    private static List<string> Items(MessageStore store, AccountId account) =>
        [.. store.ListAccountItems(account, 0).Select(i => $"{i.Kind} {i.Namespace.Id} {Convert.ToHexString(i.Key)} {i.ExpiryMs} {i.TimeMs}").Order(StringComparer.Ordinal)];
}
