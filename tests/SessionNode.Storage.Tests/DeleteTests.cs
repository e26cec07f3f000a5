using SessionNode.Core;

namespace SessionNode.Storage.Tests;

public sealed class DeleteTests
{
    [Fact]
    public void DeleteByHash_OnlyOwnedListedMessages_SortedResult()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "c");
        f.Put(Accounts.Ef, "a", ns: 3);
        f.Put(Accounts.Ef, "b");
        f.Put(Accounts.Ee, "theirs");

        var deleted = f.Store.DeleteByHash(Accounts.Ef, ["c", "theirs", "a", "missing", "c", ""]);

        Assert.Equal(new[] { "a", "c" }, deleted);
        Assert.NotNull(f.Store.GetByHash("theirs"));
        Assert.Equal("b", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);
        Assert.Equal(2, f.Store.MessageCount);
        Assert.Equal(2, f.Store.AccountCount);
    }

    [Fact]
    public void DeleteByHash_ExpiredMessage_RemovedButNotReported()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "gone", ttlMs: 10);
        f.Advance(10);
        Assert.Empty(f.Store.DeleteByHash(Accounts.Ef, ["gone"]));
        Assert.Equal(0, f.Store.MessageCount);
        Assert.Equal(0, f.Store.LogicalBytes);
        Assert.Equal(0, f.Store.AccountCount);
    }

    [Fact]
    public void DeleteAll_Namespace_DeletesOnlyThatMailbox()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "z");
        f.Put(Accounts.Ef, "y");
        f.Put(Accounts.Ef, "other-ns", ns: 1);
        f.Put(Accounts.Ee, "other-account");

        Assert.Equal(new[] { "y", "z" }, f.Store.DeleteAll(Accounts.Ef, Namespace.Default));
        Assert.Empty(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages);
        Assert.Single(f.Store.Retrieve(Accounts.Ef, new Namespace(1), null, null, null).Messages);
        Assert.Single(f.Store.Retrieve(Accounts.Ee, Namespace.Default, null, null, null).Messages);
        Assert.Empty(f.Store.DeleteAll(Accounts.Ef, Namespace.Default));
    }

    [Fact]
    public void DeleteAll_Account_ReturnsNamespaceHashPairsSortedByHash()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "m2", ns: 2);
        f.Put(Accounts.Ef, "m0");
        f.Put(Accounts.Ef, "m1", ns: -5);
        f.Put(Accounts.Ef, "expired", ttlMs: 1);
        f.Put(Accounts.Ee, "keep");
        f.Advance(1);

        var deleted = f.Store.DeleteAll(Accounts.Ef);

        Assert.Equal(new[] { (Namespace.Default, "m0"), (new Namespace(-5), "m1"), (new Namespace(2), "m2") }, deleted);
        Assert.Equal(1, f.Store.MessageCount);
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Empty(f.Store.DeleteAll(Accounts.Ef));
    }

    [Fact]
    public void DeleteBefore_Namespace_DeletesTimestampAtOrBefore()
    {
        using var f = new StoreFixture();
        var exp = f.Now + 60_000;
        f.Store.Store(Accounts.Ef, Namespace.Default, "t100", 100, exp, "x"u8);
        f.Store.Store(Accounts.Ef, Namespace.Default, "t200", 200, exp, "x"u8);
        f.Store.Store(Accounts.Ef, Namespace.Default, "t300", 300, exp, "x"u8);
        f.Store.Store(Accounts.Ef, new Namespace(4), "ns4-t100", 100, exp, "x"u8);

        Assert.Equal(new[] { "t100", "t200" }, f.Store.DeleteBefore(Accounts.Ef, Namespace.Default, 200));
        Assert.Equal("t300", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);
        Assert.NotNull(f.Store.GetByHash("ns4-t100"));
    }

    [Fact]
    public void DeleteBefore_AllNamespaces_ReturnsPairs()
    {
        using var f = new StoreFixture();
        var exp = f.Now + 60_000;
        f.Store.Store(Accounts.Ef, new Namespace(-10), "b", 100, exp, "x"u8);
        f.Store.Store(Accounts.Ef, new Namespace(13), "a", 150, exp, "x"u8);
        f.Store.Store(Accounts.Ef, Namespace.Default, "c", 151, exp, "x"u8);
        f.Store.Store(Accounts.Ee, Namespace.Default, "d", 1, exp, "x"u8);

        var deleted = f.Store.DeleteBefore(Accounts.Ef, 150);

        Assert.Equal(new[] { (new Namespace(13), "a"), (new Namespace(-10), "b") }, deleted);
        Assert.Equal(2, f.Store.MessageCount);
        Assert.NotNull(f.Store.GetByHash("c"));
        Assert.NotNull(f.Store.GetByHash("d"));
    }

    [Fact]
    public void Delete_LastMessage_AccountDisappearsAndBytesReturnToZero()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "only");
        Assert.True(f.Store.LogicalBytes > 0);
        f.Store.DeleteAll(Accounts.Ef);
        Assert.Equal(0, f.Store.AccountCount);
        Assert.Equal(0, f.Store.MessageCount);
        Assert.Equal(0, f.Store.LogicalBytes);
        Assert.Empty(f.Store.EnumerateAccounts());
        Assert.Equal(0, f.Store.SweepExpired());

        // The hash is free again.
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ef, "only").Outcome);
    }
}
