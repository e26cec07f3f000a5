namespace SessionNode.Storage.Tests;

/// <summary>The counts behind the operator statistics (storage.md §3.9).</summary>
public sealed class StatsTests
{
    [Fact]
    public void CountMessages_PerAccountAndNamespace_ExpiredNotSweptIncluded()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ed, "a1");
        f.Put(Accounts.Ee, "b1", ns: 42);
        f.Put(Accounts.Ee, "b2", ns: -10);
        f.Put(Accounts.Ee, "b3", ttlMs: 1_000);
        f.Put(Accounts.GroupEf, "c1"); // same key bytes as Ef, other prefix: another account
        f.Put(Accounts.Ef, "d1");
        f.Advance(2_000); // b3 has expired but is not swept yet: still stored, as MessageCount says

        var counts = f.Store.CountMessages();

        Assert.Equal(6, counts.Total);
        Assert.Equal(f.Store.MessageCount, counts.Total);
        Assert.Equal([1, 1, 1, 3], counts.PerAccount.Order());
        Assert.Equal(f.Store.AccountCount, counts.PerAccount.Count);
        Assert.Equal(new Dictionary<short, long> { [-10] = 1, [0] = 4, [42] = 1 }, counts.PerNamespace);

        f.Store.SweepExpired();
        Assert.Equal(5, f.Store.CountMessages().Total);
        Assert.True(f.Store.DiskBytes() > 0);
    }

    [Fact]
    public void CountMessages_Empty_NothingCounted()
    {
        using var f = new StoreFixture();
        var counts = f.Store.CountMessages();
        Assert.Equal(0, counts.Total);
        Assert.Empty(counts.PerAccount);
        Assert.Empty(counts.PerNamespace);
    }
}
