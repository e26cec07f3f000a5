using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>The reference unit tests of storage.md §7.1 (SSS unit_test/storage.cpp), adapted to RocksDB.</summary>
public sealed class ReferenceStorageTests
{
    [Fact]
    public void Open_MissingDirectory_CreatesIt()
    {
        using var f = new StoreFixture();
        Assert.True(Directory.Exists(f.Options.Path));
        Assert.NotEmpty(Directory.GetFiles(f.Options.Path));
    }

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)42)]
    public void Store_ThenReopen_MessagePersists(short ns)
    {
        using var f = new StoreFixture();
        var result = f.Store.Store(Accounts.Ef, new Namespace(ns), "myhash", f.Now, f.Now + 123_456, "bytesasstring"u8);
        Assert.Equal(StoreOutcome.New, result.Outcome);
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(1, f.Store.MessageCount);

        f.Reopen();

        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(1, f.Store.MessageCount);
        var retrieved = f.Store.Retrieve(Accounts.Ef, new Namespace(ns), lastHash: null, maxCount: null, maxSize: null);
        var message = Assert.Single(retrieved.Messages);
        Assert.False(retrieved.More);
        Assert.Equal("myhash", message.Hash);
        Assert.Equal(new Namespace(ns), message.Namespace);
        Assert.Equal(Accounts.Ef, message.Account);
        Assert.Equal(123_456, message.ExpiryMs - message.TimestampMs);
        Assert.Equal("bytesasstring"u8.ToArray(), message.Data);
        Assert.Empty(f.Store.Retrieve(Accounts.Ef, new Namespace((short)(ns + 1)), null, null, null).Messages);
    }

    [Fact]
    public void Store_ExistingHash_ReportsNewExtendedExists()
    {
        using var f = new StoreFixture();
        var t = f.Now;
        Assert.Equal(new StoreResult(StoreOutcome.New, t + 200_000), f.Store.Store(Accounts.Ef, Namespace.Default, "myhash", t, t + 200_000, "a"u8));
        Assert.Equal(new StoreResult(StoreOutcome.Extended, t + 300_000), f.Store.Store(Accounts.Ef, Namespace.Default, "myhash", t, t + 300_000, "a"u8));
        Assert.Equal(new StoreResult(StoreOutcome.Exists, t + 300_000), f.Store.Store(Accounts.Ef, Namespace.Default, "myhash", t, t + 100_000, "a"u8));
        Assert.Equal(new StoreResult(StoreOutcome.Exists, t + 300_000), f.Store.Store(Accounts.Ef, Namespace.Default, "myhash", t, t + 300_000, "a"u8));
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(1, f.Store.MessageCount);
        Assert.Equal(t + 300_000, Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).ExpiryMs);
    }

    [Fact]
    public void Retrieve_TwoAccounts_EachSeesOnlyItsOwn()
    {
        using var f = new StoreFixture();
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "hash0").Outcome);
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ee, "hash1").Outcome);
        Assert.Equal(2, f.Store.AccountCount);
        Assert.Equal(2, f.Store.MessageCount);
        Assert.Equal("hash0", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);
        Assert.Equal("hash1", Assert.Single(f.Store.Retrieve(Accounts.Ee, Namespace.Default, null, null, null).Messages).Hash);
    }

    [Fact]
    public void Retrieve_WithLastHash_ReturnsOnlyLaterMessages()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "hash" + i).Outcome);
        }

        var after0 = f.Store.Retrieve(Accounts.Ef, Namespace.Default, "hash0", null, null).Messages;
        Assert.Equal(99, after0.Count);
        Assert.Equal("hash1", after0[0].Hash);
        Assert.Equal("hash99", after0[^1].Hash);

        var after49 = f.Store.Retrieve(Accounts.Ef, Namespace.Default, "hash49", null, null).Messages;
        Assert.Equal(50, after49.Count);
        Assert.Equal("hash50", after49[0].Hash);

        Assert.Empty(f.Store.Retrieve(Accounts.Ef, Namespace.Default, "hash99", null, null).Messages);
    }

    [Fact]
    public void SweepExpired_FakeClock_RemovesExpiredMessagesAndEmptyAccounts()
    {
        using var f = new StoreFixture();
        var now = f.Now;
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ef, Namespace.Default, "hash0", now, now + 1000, "a"u8).Outcome);
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ef, Namespace.Default, "hash1", now, now, "a"u8).Outcome);
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ee, Namespace.Default, "hash2", now, now + 1000, "a"u8).Outcome);
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ed, Namespace.Default, "hash3", now, now, "a"u8).Outcome);
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ed, Namespace.Default, "hash4", now, now, "a"u8).Outcome);
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ed, Namespace.Default, "hash5", now, now, "a"u8).Outcome);
        Assert.Equal(3, f.Store.AccountCount);
        Assert.Equal(6, f.Store.MessageCount);

        // Reads filter by themselves: expiry == now is already invisible before any sweep.
        Assert.Equal("hash0", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);

        f.Advance(5);
        Assert.Equal(4, f.Store.SweepExpired());

        Assert.Equal("hash0", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);
        Assert.Equal(2, f.Store.AccountCount);
        Assert.Equal(2, f.Store.MessageCount);
        Assert.DoesNotContain(Accounts.Ed, f.Store.EnumerateAccounts());
    }

    [Fact]
    public void BulkStore_HundredMessages_AllStored()
    {
        using var f = new StoreFixture();
        var inserted = f.Store.BulkStore(Messages(f, 0, 100));
        Assert.Equal(100, inserted);
        Assert.Equal(100, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Count);
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(100, f.Store.MessageCount);
    }

    [Fact]
    public void BulkStore_OverlappingExisting_SkipsThemWithoutExtending()
    {
        using var f = new StoreFixture();
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ef, Namespace.Default, "0", f.Now, f.Now + 1000, "a"u8).Outcome);
        Assert.Equal(StoreOutcome.New, f.Store.Store(Accounts.Ef, Namespace.Default, "5", f.Now, f.Now + 1000, "a"u8).Outcome);

        Assert.Equal(98, f.Store.BulkStore(Messages(f, 0, 100)));

        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(100, f.Store.MessageCount);
        var all = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages;
        Assert.Equal(100, all.Count);
        Assert.Equal(new[] { "0", "5" }, all.Take(2).Select(m => m.Hash));
        Assert.Equal(f.Now + 1000, all[0].ExpiryMs);
    }

    [Fact]
    public void Retrieve_CountLimits_ReturnAtMostTheLimit()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 100; i++)
        {
            f.Put(Accounts.Ef, "ef" + i);
        }

        for (var i = 0; i < 5; i++)
        {
            f.Put(Accounts.Ee, "ee" + i);
        }

        Assert.Equal(100, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Count);
        foreach (var (limit, expected, more) in new[] { (10, 10, true), (88, 88, true), (99, 99, true), (100, 100, false), (101, 100, false) })
        {
            var result = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, limit, null);
            Assert.Equal(expected, result.Messages.Count);
            Assert.Equal(more, result.More);
        }

        var ee = f.Store.Retrieve(Accounts.Ee, Namespace.Default, null, 10, null);
        Assert.Equal(5, ee.Messages.Count);
        Assert.False(ee.More);
    }

    private static IEnumerable<StoredMessage> Messages(StoreFixture f, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            yield return new StoredMessage(Accounts.Ef, Namespace.Default, i.ToString(System.Globalization.CultureInfo.InvariantCulture), f.Now, f.Now + 60_000, [(byte)i]);
        }
    }
}
