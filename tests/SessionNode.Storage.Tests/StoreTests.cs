using SessionNode.Core;

namespace SessionNode.Storage.Tests;

public sealed class StoreTests
{
    private static readonly Namespace Outbox = new(-21);

    [Fact]
    public void Store_PublicOutbox_KeepsOnlyTheNewestMessage()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "a", ns: Outbox.Id);
        f.Put(Accounts.Ef, "b", ns: Outbox.Id);
        f.Put(Accounts.Ef, "c", ns: -20); // not an outbox
        f.Put(Accounts.Ef, "d", ns: -20);

        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "e", ns: Outbox.Id).Outcome);

        Assert.Equal("e", Assert.Single(f.Store.Retrieve(Accounts.Ef, Outbox, null, null, null).Messages).Hash);
        Assert.Equal(2, f.Store.Retrieve(Accounts.Ef, new Namespace(-20), null, null, null).Messages.Count);
        Assert.Equal(3, f.Store.MessageCount);
        Assert.Null(f.Store.GetByHash("a"));
        Assert.Null(f.Store.GetByHash("b"));
    }

    [Fact]
    public void Store_PublicOutboxSameHash_KeepsItAndReportsExisting()
    {
        using var f = new StoreFixture();
        var first = f.Put(Accounts.Ef, "same", ttlMs: 10_000, ns: -1);
        var again = f.Put(Accounts.Ef, "same", ttlMs: 20_000, ns: -1);

        Assert.Equal(StoreOutcome.New, first.Outcome);
        Assert.Equal(StoreOutcome.Extended, again.Outcome);
        Assert.Equal("same", Assert.Single(f.Store.Retrieve(Accounts.Ef, new Namespace(-1), null, null, null).Messages).Hash);
        Assert.Equal(1, f.Store.MessageCount);
    }

    [Fact]
    public void Store_PublicOutboxReplacingTheAccountsOnlyMessage_KeepsTheAccount()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "first", ns: Outbox.Id); // the account's only message; the account is now cached as known
        f.Put(Accounts.Ef, "second", ns: Outbox.Id);

        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(new[] { Accounts.Ef }, f.Store.EnumerateAccounts());
        f.Reopen();
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(new[] { Accounts.Ef }, f.Store.EnumerateAccounts());
        f.Store.DeleteAll(Accounts.Ef);
        Assert.Equal(0, f.Store.AccountCount);
    }

    [Fact]
    public void Store_ExpiredDuplicateWasTheAccountsOnlyMessage_KeepsTheAccount()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "h", ttlMs: 10);
        f.Advance(10);
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "h").Outcome);
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(new[] { Accounts.Ef }, f.Store.EnumerateAccounts());
    }

    [Fact]
    public void BulkStore_InsertThenReplaceExpiredOfSameAccount_KeepsTheAccount()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "old", ttlMs: 10);
        f.Advance(10);
        var batch = new[]
        {
            new StoredMessage(Accounts.Ef, Namespace.Default, "new", f.Now, f.Now + 1000, [1]),
            new StoredMessage(Accounts.Ef, Namespace.Default, "old", f.Now, f.Now + 1000, [2]),
        };
        Assert.Equal(2, f.Store.BulkStore(batch));
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(2, f.Store.MessageCount);
        f.Store.DeleteByHash(Accounts.Ef, ["new"]);
        Assert.Equal(1, f.Store.AccountCount);
        f.Store.DeleteByHash(Accounts.Ef, ["old"]);
        Assert.Equal(0, f.Store.AccountCount);
    }

    [Fact]
    public void Store_PublicOutboxOfOtherAccount_IsUntouched()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ee, "other", ns: Outbox.Id);
        f.Put(Accounts.Ef, "mine", ns: Outbox.Id);
        Assert.Single(f.Store.Retrieve(Accounts.Ee, Outbox, null, null, null).Messages);
    }

    [Fact]
    public void Store_SameHashOtherAccount_IsDedupedGlobally()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "shared", ttlMs: 10_000);
        var result = f.Put(Accounts.Ee, "shared", ttlMs: 5_000);
        Assert.Equal(StoreOutcome.Exists, result.Outcome);
        Assert.Equal(f.Now + 10_000, result.ExpiryMs);
        Assert.Empty(f.Store.Retrieve(Accounts.Ee, Namespace.Default, null, null, null).Messages);
        Assert.Equal(1, f.Store.AccountCount);
    }

    [Fact]
    public void Store_DuplicateWithLaterExpiry_KeepsPositionTimestampAndData()
    {
        using var f = new StoreFixture();
        f.Store.Store(Accounts.Ef, Namespace.Default, "first", 111, f.Now + 1000, "one"u8);
        f.Put(Accounts.Ef, "second");
        f.Store.Store(Accounts.Ef, Namespace.Default, "first", 222, f.Now + 90_000, "changed"u8);

        var messages = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages;
        Assert.Equal(new[] { "first", "second" }, messages.Select(m => m.Hash));
        Assert.Equal(111, messages[0].TimestampMs);
        Assert.Equal("one"u8.ToArray(), messages[0].Data);
        Assert.Equal(f.Now + 90_000, messages[0].ExpiryMs);
        Assert.Empty(f.Store.Retrieve(Accounts.Ef, Namespace.Default, "second", null, null).Messages);
    }

    [Fact]
    public void Store_SameKeyDifferentPrefix_AreDifferentAccounts()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "session");
        f.Put(Accounts.GroupEf, "group");
        Assert.Equal(2, f.Store.AccountCount);
        Assert.Equal("session", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);
        Assert.Equal("group", Assert.Single(f.Store.Retrieve(Accounts.GroupEf, Namespace.Default, null, null, null).Messages).Hash);
    }

    [Fact]
    public void Store_ExpiredDuplicateNotYetSwept_IsReplacedAsNew()
    {
        using var f = new StoreFixture();
        f.Store.Store(Accounts.Ef, Namespace.Default, "h", 1, f.Now + 1000, "old"u8);
        f.Put(Accounts.Ef, "later");
        f.Advance(1000);

        var result = f.Store.Store(Accounts.Ef, Namespace.Default, "h", 2, f.Now + 5000, "old"u8);

        Assert.Equal(new StoreResult(StoreOutcome.New, f.Now + 5000), result);
        Assert.Equal(2, f.Store.MessageCount);
        var messages = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages;
        Assert.Equal(new[] { "later", "h" }, messages.Select(m => m.Hash)); // a new arrival: after "later"
        Assert.Equal(2, messages[1].TimestampMs);
        Assert.Equal(0, f.Store.SweepExpired());
    }

    [Fact]
    public void Store_MaxSizeData_IsAccepted()
    {
        using var f = new StoreFixture();
        var data = new byte[Limits.MaxMessageBytes];
        data[^1] = 7;
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "big", data: data).Outcome);
        Assert.Equal(data, f.Store.GetByHash("big")!.Data);
    }

    [Fact]
    public void Store_EmptyData_IsAccepted()
    {
        using var f = new StoreFixture();
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "empty", data: []).Outcome);
        Assert.Empty(f.Store.GetByHash("empty")!.Data);
    }

    [Fact]
    public void Store_DataTooLarge_Throws()
    {
        using var f = new StoreFixture();
        var ex = Assert.Throws<ArgumentException>(() => f.Put(Accounts.Ef, "h", data: new byte[Limits.MaxMessageBytes + 1]));
        Assert.Contains("76800", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, f.Store.MessageCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("é-not-ascii")]
    [InlineData("nul\0")]
    public void Store_BadHash_Throws(string hash)
    {
        using var f = new StoreFixture();
        Assert.Throws<ArgumentException>(() => f.Put(Accounts.Ef, hash));
    }

    [Fact]
    public void Store_ShortHashes_DoNotCollideWithTheirPadding()
    {
        using var f = new StoreFixture();
        foreach (var hash in new[] { "a", "ab", "a\u0001", "abcdefg", "abcdefgh", "abcdefghi" })
        {
            Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, hash).Outcome);
        }

        Assert.Equal(6, f.Store.MessageCount);
        Assert.Equal(StoreOutcome.Exists, f.Put(Accounts.Ef, "ab").Outcome);
        Assert.Equal(new[] { "a", "ab" }, f.Store.DeleteByHash(Accounts.Ef, ["ab", "a", "a\0"]));
        Assert.NotNull(f.Store.GetByHash("abcdefg"));
    }

    [Fact]
    public void Store_HashLengthLimit_128AcceptedAnd129Rejected()
    {
        using var f = new StoreFixture();
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, new string('x', 128)).Outcome);
        var ex = Assert.Throws<ArgumentException>(() => f.Put(Accounts.Ef, new string('x', 129)));
        Assert.Contains("129", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => f.Store.Store(Accounts.Ef, Namespace.Default, null!, 0, f.Now + 1, default));
    }

    [Fact]
    public void Store_OverCap_ReturnsFullAndDeleteFreesSpace()
    {
        var size = StorageLayout.LogicalSize(1, 100);
        using var f = new StoreFixture(maxLogicalBytes: 2 * size);
        var data = new byte[100];
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "a", data: data).Outcome);
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "b", data: data).Outcome);
        Assert.Equal(2 * size, f.Store.LogicalBytes);

        Assert.Equal(StoreOutcome.Full, f.Put(Accounts.Ef, "c", data: data).Outcome);
        Assert.Equal(2, f.Store.MessageCount);
        Assert.Null(f.Store.GetByHash("c"));

        // Existing hashes, reads and expiry changes still work while full.
        Assert.Equal(StoreOutcome.Extended, f.Put(Accounts.Ef, "a", ttlMs: 120_000, data: data).Outcome);
        Assert.Equal(2, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Count);
        Assert.Single(f.Store.UpdateExpiry(Accounts.Ef, ["b"], [f.Now + 1000], extendOnly: false, shortenOnly: false));

        Assert.Equal(new[] { "a" }, f.Store.DeleteByHash(Accounts.Ef, ["a"]));
        Assert.Equal(size, f.Store.LogicalBytes);
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "c", data: data).Outcome);
    }

    [Fact]
    public void Store_FullPublicOutbox_DoesNotDeleteTheOldMessage()
    {
        var size = StorageLayout.LogicalSize(3, 10);
        using var f = new StoreFixture(maxLogicalBytes: size + 50);
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "old", ns: -1, data: new byte[10]).Outcome);
        Assert.Equal(StoreOutcome.Full, f.Put(Accounts.Ef, "new", ns: -1, data: new byte[200]).Outcome);
        Assert.Equal("old", Assert.Single(f.Store.Retrieve(Accounts.Ef, new Namespace(-1), null, null, null).Messages).Hash);
    }

    [Fact]
    public void BulkStore_OverCap_ThrowsAndWritesNothing()
    {
        var size = StorageLayout.LogicalSize(1, 10);
        using var f = new StoreFixture(maxLogicalBytes: 2 * size);
        var batch = Enumerable.Range(0, 3).Select(i => new StoredMessage(Accounts.Ef, Namespace.Default, i.ToString(System.Globalization.CultureInfo.InvariantCulture), f.Now, f.Now + 1000, new byte[10]));
        Assert.Throws<StorageFullException>(() => f.Store.BulkStore(batch));
        Assert.Equal(0, f.Store.MessageCount);
        Assert.Equal(0, f.Store.LogicalBytes);
        Assert.Equal(2, f.Store.BulkStore(batch.Take(2)));
    }

    [Fact]
    public void BulkStore_BadMessage_ThrowsAndWritesNothing()
    {
        using var f = new StoreFixture();
        var batch = new[]
        {
            new StoredMessage(Accounts.Ef, Namespace.Default, "ok", f.Now, f.Now + 1000, [1]),
            new StoredMessage(Accounts.Ef, Namespace.Default, "", f.Now, f.Now + 1000, [1]),
        };
        Assert.Throws<ArgumentException>(() => f.Store.BulkStore(batch));
        Assert.Equal(0, f.Store.MessageCount);
        Assert.Null(f.Store.GetByHash("ok"));
    }

    [Fact]
    public void BulkStore_NoOutboxReplacementAndSkipsExpiredAndDuplicates()
    {
        using var f = new StoreFixture();
        var batch = new[]
        {
            new StoredMessage(Accounts.Ef, new Namespace(-1), "x", f.Now, f.Now + 1000, [1]),
            new StoredMessage(Accounts.Ef, new Namespace(-1), "y", f.Now, f.Now + 1000, [2]),
            new StoredMessage(Accounts.Ef, new Namespace(-1), "y", f.Now, f.Now + 9000, [2]),
            new StoredMessage(Accounts.Ee, new Namespace(5), "expired", f.Now - 10, f.Now, [3]),
        };
        Assert.Equal(2, f.Store.BulkStore(batch));
        Assert.Equal(2, f.Store.Retrieve(Accounts.Ef, new Namespace(-1), null, null, null).Messages.Count);
        Assert.Equal(f.Now + 1000, f.Store.GetByHash("y")!.ExpiryMs);
        Assert.Equal(1, f.Store.AccountCount);
    }

    [Fact]
    public void BulkStore_ManyAccounts_CountsEach()
    {
        using var f = new StoreFixture();
        var batch = Enumerable.Range(0, 50).Select(i => new StoredMessage(Accounts.Numbered(i % 10), new Namespace((short)(i % 3)), "m" + i, f.Now, f.Now + 1000, [1]));
        Assert.Equal(50, f.Store.BulkStore(batch));
        Assert.Equal(10, f.Store.AccountCount);
        Assert.Equal(50, f.Store.MessageCount);
        Assert.Equal(5, f.Store.EnumerateMessages(a => a == Accounts.Numbered(3)).Count());
    }
}
