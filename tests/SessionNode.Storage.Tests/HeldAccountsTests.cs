using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary><see cref="MessageStore.EnumerateHeldAccounts"/>: every account with any item, once, in byte order.</summary>
public sealed class HeldAccountsTests
{
    private static SubaccountToken Token(int i)
    {
        var key = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(key, i);
        return SubaccountToken.Create(0x03, SubaccountFlags.Read, key);
    }

    [Fact]
    public void EnumerateHeldAccounts_EmptyStore_ListsNothing()
    {
        using var f = new StoreFixture();
        Assert.Empty(f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void EnumerateHeldAccounts_EachItemKindAlone_HoldsItsAccount()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Numbered(4), "m4"); // message only
        f.Store.Revoke(Accounts.Numbered(2), [Token(1)], f.Now); // revocation only
        f.Store.Revoke(Accounts.Numbered(3), [Token(1)], f.Now);
        Assert.Equal(1, f.Store.Unrevoke(Accounts.Numbered(3), [Token(1)])); // unrevocation only
        f.Put(Accounts.Numbered(1), "t1");
        Assert.Single(f.Store.DeleteByHash(Accounts.Numbered(1), ["t1"])); // tombstone only

        Assert.Equal([Accounts.Numbered(4)], f.Store.EnumerateAccounts());
        Assert.Equal(
            [Accounts.Numbered(1), Accounts.Numbered(2), Accounts.Numbered(3), Accounts.Numbered(4)],
            f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void EnumerateHeldAccounts_AccountWithEveryKindAndManyItems_ListedOnce()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 20; i++)
        {
            f.Put(Accounts.Ef, "m" + i, ns: (short)(i % 3));
            f.Put(Accounts.Ef, "t" + i);
        }

        f.Store.DeleteByHash(Accounts.Ef, [.. Enumerable.Range(0, 20).Select(i => "t" + i)]);
        f.Store.Revoke(Accounts.Ef, [.. Enumerable.Range(0, 10).Select(Token)], f.Now);
        f.Store.Unrevoke(Accounts.Ef, [Token(0), Token(1)]);
        f.Store.Revoke(Accounts.Ed, [Token(7)], f.Now);

        Assert.Equal([Accounts.Ed, Accounts.Ef], f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void EnumerateHeldAccounts_TombstonesByExpiry_AreNotTakenForAccounts()
    {
        // The 'e' keys (expiry ‖ account ‖ hash) sort after every 'a' key; reading them as accounts
        // would list bogus ids.
        using var f = new StoreFixture();
        f.Put(Accounts.GroupEf, "x");
        f.Store.DeleteByHash(Accounts.GroupEf, ["x"]);
        Assert.Equal([Accounts.GroupEf], f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void EnumerateHeldAccounts_LargestPossibleAccount_EndsAfterIt()
    {
        using var f = new StoreFixture();
        var last = AccountId.FromBytes(Enumerable.Repeat((byte)0xFF, AccountId.Length).ToArray());
        f.Store.Revoke(last, [.. Enumerable.Range(0, 6).Select(Token)], f.Now); // more keys than the steps before a seek
        f.Store.Revoke(Accounts.Ef, [Token(1)], f.Now);
        Assert.Equal([Accounts.Ef, last], f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void EnumerateHeldAccounts_AfterPurgeAndTombstoneExpiry_AccountsGone()
    {
        using var f = new StoreFixture();
        f.Store.Revoke(Accounts.Ef, [Token(1)], f.Now);
        f.Store.Revoke(Accounts.Ee, [Token(1)], f.Now);
        f.Store.Unrevoke(Accounts.Ee, [Token(1)]);
        f.Put(Accounts.Ed, "d", ttlMs: 1_000);
        f.Store.DeleteByHash(Accounts.Ed, ["d"]);
        Assert.Equal([Accounts.Ed, Accounts.Ee, Accounts.Ef], f.Store.EnumerateHeldAccounts());

        Assert.Equal((0, 0), f.Store.PurgeAccount(Accounts.Ef));
        Assert.Equal((0, 0), f.Store.PurgeAccount(Accounts.Ee));
        Assert.Empty(f.Store.ListAccountItems(Accounts.Ef, 0));
        Assert.Equal([Accounts.Ed], f.Store.EnumerateHeldAccounts());

        f.Advance(2_000); // past the original expiry: the sweep drops the tombstone
        f.Store.SweepExpired();
        Assert.Empty(f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void PurgeAccount_RevocationAndTombstoneOnlyAccounts_DigestEmptiedAndLeavesExact()
    {
        // What the hand-off purge relies on for accounts without messages: the digest covers their items
        // (so new owners can confirm them) and the purge removes them all, digest leaves kept exact.
        using var f = new StoreFixture();
        f.Put(Accounts.Ee, "kept");
        f.Store.Revoke(Accounts.Ef, [Token(1), Token(2)], f.Now);
        f.Store.Unrevoke(Accounts.Ef, [Token(2)]);
        f.Put(Accounts.Ed, "d1");
        f.Put(Accounts.Ed, "d2");
        f.Store.DeleteByHash(Accounts.Ed, ["d1", "d2"]);
        var bytes = f.Store.LogicalBytes;
        Assert.Equal(2, f.Store.AccountDigest(Accounts.Ef, f.Now).Count);
        Assert.Equal(2, f.Store.AccountDigest(Accounts.Ed, f.Now).Count);

        Assert.Equal((0, 0), f.Store.PurgeAccount(Accounts.Ef));
        Assert.Equal((0, 0), f.Store.PurgeAccount(Accounts.Ed));

        Assert.Equal(default, f.Store.AccountDigest(Accounts.Ef, f.Now));
        Assert.Equal(default, f.Store.AccountDigest(Accounts.Ed, f.Now));
        Assert.Equal([Accounts.Ee], f.Store.EnumerateHeldAccounts());
        Assert.Equal(bytes, f.Store.LogicalBytes);
        var (xor, count) = f.Store.CurrentLeaves();
        var (scannedXor, scannedCount) = f.Store.ScanLeaves();
        Assert.Equal(scannedCount, count);
        Assert.Equal(scannedXor, xor);
    }

    [Fact]
    public void EnumerateHeldAccounts_SurvivesReopen()
    {
        using var f = new StoreFixture();
        f.Store.Revoke(Accounts.Ee, [Token(1)], f.Now);
        f.Put(Accounts.Ef, "m");
        f.Reopen();
        Assert.Equal([Accounts.Ee, Accounts.Ef], f.Store.EnumerateHeldAccounts());
    }

    [Fact]
    public void EnumerateHeldAccounts_RandomMix_EqualsTheUnionOfEveryFamily()
    {
        using var f = new StoreFixture();
        var random = new Random(1234);
        var expected = new SortedSet<int>();
        for (var i = 0; i < 300; i++)
        {
            var n = random.Next(1000);
            var account = Accounts.Numbered(n);
            switch (random.Next(4))
            {
                case 0:
                    f.Put(account, $"m{i}");
                    break;
                case 1:
                    f.Put(account, $"t{i}");
                    f.Store.DeleteByHash(account, [$"t{i}"]);
                    break;
                case 2:
                    f.Store.Revoke(account, [Token(i)], f.Now);
                    break;
                default:
                    f.Store.Revoke(account, [Token(i)], f.Now);
                    f.Store.Unrevoke(account, [Token(i)]);
                    break;
            }

            expected.Add(n);
        }

        // Numbered accounts sort by their number (big-endian in the last bytes).
        Assert.Equal(expected.Select(Accounts.Numbered), f.Store.EnumerateHeldAccounts());
        Assert.Equal(
            expected.Select(Accounts.Numbered),
            expected.Select(Accounts.Numbered).Where(a => f.Store.ListAccountItems(a, 0).Count > 0));
    }

    [Fact]
    public void EnumerateHeldAccounts_WritesDuringEnumeration_DoNotDisturbIt()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 50; i++)
        {
            f.Store.Revoke(Accounts.Numbered(i), [Token(i)], f.Now);
        }

        using var e = f.Store.EnumerateHeldAccounts().GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal(Accounts.Numbered(0), e.Current);

        // The enumeration reads the view it started with: later writes do not disturb it.
        f.Store.Revoke(Accounts.Numbered(1000), [Token(1)], f.Now);
        var rest = new List<AccountId>();
        while (e.MoveNext())
        {
            rest.Add(e.Current);
        }

        Assert.Equal(Enumerable.Range(1, 49).Select(Accounts.Numbered), rest);
    }

    [Fact]
    public void EnumerateHeldAccounts_AfterDispose_Throws()
    {
        var f = new StoreFixture();
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.Store.EnumerateHeldAccounts());
    }
}
