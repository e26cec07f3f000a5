using SessionNode.Core;

namespace SessionNode.Storage.Tests;

public sealed class RevocationTests
{
    private static SubaccountToken Token(int i, SubaccountFlags flags = SubaccountFlags.Read | SubaccountFlags.Write)
    {
        var key = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(key, i);
        return SubaccountToken.Create(0x03, flags, key);
    }

    [Fact]
    public void Revoke_NewTokens_AreRevokedAndCounted()
    {
        using var f = new StoreFixture();
        Assert.Equal(2, f.Store.Revoke(Accounts.Ef, [Token(1), Token(2)], 1000));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(1)));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(2)));
        Assert.False(f.Store.IsRevoked(Accounts.Ef, Token(3)));
        Assert.False(f.Store.IsRevoked(Accounts.Ee, Token(1)));
    }

    [Fact]
    public void Revoke_MatchesWholeToken_FlagsIncluded()
    {
        using var f = new StoreFixture();
        f.Store.Revoke(Accounts.Ef, [Token(1, SubaccountFlags.Read | SubaccountFlags.Write)], 1000);
        Assert.False(f.Store.IsRevoked(Accounts.Ef, Token(1, SubaccountFlags.Read | SubaccountFlags.Write | SubaccountFlags.Delete)));
    }

    [Fact]
    public void Revoke_Again_RefreshesTimestampAndCountsZero()
    {
        using var f = new StoreFixture();
        f.Store.Revoke(Accounts.Ef, [Token(1), Token(2)], 1000);
        Assert.Equal(0, f.Store.Revoke(Accounts.Ef, [Token(1)], 2000));
        Assert.Equal(new[] { (Token(2), 1000L), (Token(1), 2000L) }, f.Store.GetRevocations(Accounts.Ef));

        // Never lowered by an older time.
        f.Store.Revoke(Accounts.Ef, [Token(1)], 1500);
        Assert.Equal(2000, f.Store.GetRevocations(Accounts.Ef).Single(r => r.Token.Equals(Token(1))).RevokedAtMs);
    }

    [Fact]
    public void Revoke_FiftyFirst_DropsTheOldest()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, f.Store.Revoke(Accounts.Ef, [Token(i)], 1000 + i));
        }

        f.Store.Revoke(Accounts.Ef, [Token(0)], 5000); // refreshed: now the newest
        Assert.Equal(1, f.Store.Revoke(Accounts.Ef, [Token(50)], 6000));

        var list = f.Store.GetRevocations(Accounts.Ef);
        Assert.Equal(50, list.Count);
        Assert.False(f.Store.IsRevoked(Accounts.Ef, Token(1)));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(0)));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(50)));
        Assert.Equal(Token(2), list[0].Token);
        Assert.Equal(Token(50), list[^1].Token);
    }

    [Fact]
    public void Revoke_SameTimeBatch_KeepsTheLaterListed()
    {
        using var f = new StoreFixture();
        f.Store.Revoke(Accounts.Ef, Enumerable.Range(0, 50).Select(i => Token(i)).ToList(), 1000);
        f.Store.Revoke(Accounts.Ef, [Token(100), Token(101)], 1000);
        Assert.False(f.Store.IsRevoked(Accounts.Ef, Token(0)));
        Assert.False(f.Store.IsRevoked(Accounts.Ef, Token(1)));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(2)));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(101)));
    }

    [Fact]
    public void Revocations_SurviveMessageDeletionSweepAndReopen()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "m", ttlMs: 10);
        f.Store.Revoke(Accounts.Ef, [Token(7)], 1000);
        f.Store.Revoke(Accounts.Ed, [Token(8)], 1000); // an account without messages
        f.Store.DeleteAll(Accounts.Ef);
        f.Put(Accounts.Ef, "n", ttlMs: 10);
        f.Advance(10);
        f.Store.SweepExpired();
        Assert.Equal(0, f.Store.AccountCount);

        f.Reopen();

        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(7)));
        Assert.True(f.Store.IsRevoked(Accounts.Ed, Token(8)));
        Assert.Equal(new[] { (Token(7), 1000L) }, f.Store.GetRevocations(Accounts.Ef));
    }

    [Fact]
    public void Unrevoke_ReturnsNumberRemoved()
    {
        using var f = new StoreFixture();
        f.Store.Revoke(Accounts.Ef, [Token(1), Token(2), Token(3)], 1000);
        Assert.Equal(2, f.Store.Unrevoke(Accounts.Ef, [Token(1), Token(3), Token(3), Token(9)]));
        Assert.False(f.Store.IsRevoked(Accounts.Ef, Token(1)));
        Assert.True(f.Store.IsRevoked(Accounts.Ef, Token(2)));
        Assert.Equal(0, f.Store.Unrevoke(Accounts.Ee, [Token(2)]));
        Assert.Equal(1, f.Store.Revoke(Accounts.Ef, [Token(1)], 2000));
    }
}
