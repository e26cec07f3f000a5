using SessionNode.Core;

namespace SessionNode.Storage.Tests;

public sealed class ExpiryTests
{
    private static StoreFixture ThreeMessages(out long t)
    {
        var f = new StoreFixture();
        t = f.Now;
        f.Store.Store(Accounts.Ef, Namespace.Default, "a", t, t + 10_000, "x"u8);
        f.Store.Store(Accounts.Ef, new Namespace(2), "b", t, t + 20_000, "x"u8);
        f.Store.Store(Accounts.Ef, Namespace.Default, "c", t, t + 30_000, "x"u8);
        f.Store.Store(Accounts.Ee, Namespace.Default, "theirs", t, t + 30_000, "x"u8);
        return f;
    }

    [Fact]
    public void UpdateExpiry_Neither_SetsAllIncludingEqual()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateExpiry(Accounts.Ef, ["c", "a", "b", "theirs", "missing"], [t + 20_000], extendOnly: false, shortenOnly: false);
        Assert.Equal(new[] { ("a", t + 20_000), ("b", t + 20_000), ("c", t + 20_000) }, updated);
        Assert.Equal(t + 20_000, f.Store.GetByHash("c")!.ExpiryMs);
        Assert.Equal(t + 30_000, f.Store.GetByHash("theirs")!.ExpiryMs);
    }

    [Fact]
    public void UpdateExpiry_ExtendOnly_OnlyRaises()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateExpiry(Accounts.Ef, ["a", "b", "c"], [t + 20_000], extendOnly: true, shortenOnly: false);
        Assert.Equal(new[] { ("a", t + 20_000) }, updated);
        Assert.Equal(t + 30_000, f.Store.GetByHash("c")!.ExpiryMs);
    }

    [Fact]
    public void UpdateExpiry_ShortenOnly_OnlyLowers()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateExpiry(Accounts.Ef, ["a", "b", "c"], [t + 20_000], extendOnly: false, shortenOnly: true);
        Assert.Equal(new[] { ("c", t + 20_000) }, updated);
        Assert.Equal(t + 10_000, f.Store.GetByHash("a")!.ExpiryMs);
    }

    [Fact]
    public void UpdateExpiry_Pairwise_AppliesEachTarget()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateExpiry(Accounts.Ef, ["c", "a"], [t + 1_000, t + 50_000], extendOnly: false, shortenOnly: false);
        Assert.Equal(new[] { ("a", t + 50_000), ("c", t + 1_000) }, updated);
        Assert.Equal(t + 50_000, f.Store.GetByHash("a")!.ExpiryMs);
        Assert.Equal(t + 1_000, f.Store.GetByHash("c")!.ExpiryMs);

        // The change reaches retrieve, get_expiries and the sweeper's index.
        Assert.Equal(t + 50_000, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Single(m => m.Hash == "a").ExpiryMs);
        Assert.Equal(t + 1_000, f.Store.GetExpiries(Accounts.Ef, ["c"])["c"]);
        f.Advance(1_000);
        Assert.Equal(1, f.Store.SweepExpired());
        Assert.Null(f.Store.GetByHash("c"));
        f.Advance(20_000);
        Assert.Equal(1, f.Store.SweepExpired()); // b at t+20 000; a was moved to t+50 000
        Assert.NotNull(f.Store.GetByHash("a"));
    }

    [Fact]
    public void UpdateExpiry_ExpiredMessage_IsNotResurrected()
    {
        using var f = ThreeMessages(out var t);
        f.Advance(10_000);
        Assert.Empty(f.Store.UpdateExpiry(Accounts.Ef, ["a"], [t + 90_000], extendOnly: false, shortenOnly: false));
        Assert.Null(f.Store.GetByHash("a"));
    }

    [Fact]
    public void UpdateExpiry_BadArguments_Throw()
    {
        using var f = ThreeMessages(out var t);
        var ex = Assert.Throws<ArgumentException>(() => f.Store.UpdateExpiry(Accounts.Ef, ["a", "b", "c"], [t, t], false, false));
        Assert.Contains("one per hash", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => f.Store.UpdateExpiry(Accounts.Ef, ["a"], [], false, false));
        Assert.Throws<ArgumentException>(() => f.Store.UpdateExpiry(Accounts.Ef, ["a"], [t], extendOnly: true, shortenOnly: true));
    }

    [Fact]
    public void UpdateExpiry_SameHashTwice_ReportedOnceWithFinalValue()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateExpiry(Accounts.Ef, ["a", "a"], [t + 40_000, t + 15_000], extendOnly: true, shortenOnly: false);
        Assert.Equal(new[] { ("a", t + 40_000) }, updated);
    }

    [Fact]
    public void UpdateAllExpiries_Namespace_OnlyShortens()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateAllExpiries(Accounts.Ef, Namespace.Default, t + 15_000);
        Assert.Equal(new[] { "c" }, updated);
        Assert.Equal(t + 10_000, f.Store.GetByHash("a")!.ExpiryMs);
        Assert.Equal(t + 15_000, f.Store.GetByHash("c")!.ExpiryMs);
        Assert.Equal(t + 20_000, f.Store.GetByHash("b")!.ExpiryMs); // other namespace
        Assert.Equal(t + 30_000, f.Store.GetByHash("theirs")!.ExpiryMs);
    }

    [Fact]
    public void UpdateAllExpiries_AllNamespaces_ReturnsPairs()
    {
        using var f = ThreeMessages(out var t);
        var updated = f.Store.UpdateAllExpiries(Accounts.Ef, t + 5_000);
        Assert.Equal(new[] { (Namespace.Default, "a"), (new Namespace(2), "b"), (Namespace.Default, "c") }, updated);
        Assert.Empty(f.Store.UpdateAllExpiries(Accounts.Ef, t + 5_000)); // equal is not "later"
        f.Advance(5_000);
        Assert.Equal(3, f.Store.SweepExpired());
        Assert.Equal(1, f.Store.MessageCount);
    }

    [Fact]
    public void GetExpiries_OnlyFoundOwnedUnexpired()
    {
        using var f = ThreeMessages(out var t);
        f.Put(Accounts.Ef, "short", ttlMs: 5);
        f.Advance(5);
        var expiries = f.Store.GetExpiries(Accounts.Ef, ["a", "c", "theirs", "short", "missing", "", new string('q', 300)]);
        Assert.Equal(2, expiries.Count);
        Assert.Equal(t + 10_000, expiries["a"]);
        Assert.Equal(t + 30_000, expiries["c"]);
    }

    [Fact]
    public void SweepExpired_LargeBacklog_SweepsInBatches()
    {
        using var f = new StoreFixture();
        var batch = Enumerable.Range(0, 2_500).Select(i => new StoredMessage(Accounts.Numbered(i % 7), Namespace.Default, "s" + i, f.Now, f.Now + 1 + (i % 3), new byte[10]));
        Assert.Equal(2_500, f.Store.BulkStore(batch));
        f.Put(Accounts.Ef, "survivor");
        f.Advance(3);
        Assert.Equal(2_500, f.Store.SweepExpired());
        Assert.Equal(1, f.Store.MessageCount);
        Assert.Equal(1, f.Store.AccountCount);
        Assert.Equal(StorageLayout.LogicalSize("survivor".Length, "bytesasstring".Length), f.Store.LogicalBytes);
    }

    [Fact]
    public void SweepExpired_AfterEarlierExpiryWritten_StillFindsIt()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "x", ttlMs: 10);
        f.Advance(10);
        Assert.Equal(1, f.Store.SweepExpired());

        // An expiry earlier than the previous sweep's "now" must still be found.
        f.Put(Accounts.Ef, "y", ttlMs: 60_000);
        f.Store.UpdateExpiry(Accounts.Ef, ["y"], [f.Now - 5_000], extendOnly: false, shortenOnly: false);
        f.Store.Store(Accounts.Ef, Namespace.Default, "z", f.Now, f.Now - 1, "x"u8);
        Assert.Equal(2, f.Store.SweepExpired());
        Assert.Equal(0, f.Store.MessageCount);
    }
}
