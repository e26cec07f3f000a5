using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Per-account logical bytes (the hand-off purge pass's owned/foreign split).</summary>
public sealed class OwnershipTests
{
    [Fact]
    public void LogicalBytesOf_SplitsTheTotal_ExpiredNotSweptIncluded_NothingAfterPurge()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "a", data: new byte[100]);
        f.Put(Accounts.Ef, "b", ns: 3, data: new byte[7]);
        f.Put(Accounts.Ed, "c", ttlMs: 10, data: new byte[50]);
        f.Put(Accounts.Ee, "d", data: new byte[1]);
        f.Advance(20); // "c" expired, not swept

        var ef = f.Store.LogicalBytesOf(a => a == Accounts.Ef);
        var others = f.Store.LogicalBytesOf(a => a != Accounts.Ef);
        Assert.Equal(f.Store.LogicalBytes, ef + others);
        Assert.Equal(0, f.Store.LogicalBytesOf(_ => false));
        Assert.True(f.Store.LogicalBytesOf(a => a == Accounts.Ed) > 50);

        var (messages, bytes) = f.Store.PurgeAccount(Accounts.Ef);
        Assert.Equal(2, messages);
        Assert.Equal(ef, bytes);
        Assert.Equal(0, f.Store.LogicalBytesOf(a => a == Accounts.Ef));
        Assert.Equal(others, f.Store.LogicalBytes);
    }

    [Fact]
    public void LogicalBytesOf_CallsTheFilterOncePerAccount()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 5; i++)
        {
            f.Put(Accounts.Ef, "e" + i);
            f.Put(Accounts.Ee, "f" + i);
        }

        var asked = new List<AccountId>();
        f.Store.LogicalBytesOf(a =>
        {
            asked.Add(a);
            return a == Accounts.Ee;
        });
        Assert.Equal(2, asked.Count);
        Assert.Equal(2, asked.Distinct().Count());
    }
}
