using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Random message sampling for storage tests (MessageStore.Sample.cs).</summary>
public sealed class SampleTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public void TrySample_EmptyStore_ReturnsFalse()
    {
        using var f = new StoreFixture();
        Assert.False(f.Store.TrySampleMessage(new Random(1), _ => true, f.Now, f.Now, out var message));
        Assert.Null(message);
    }

    [Fact]
    public void TrySample_ManyDraws_ReachManyMessagesAndReturnTheirBytes()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 50; i++)
        {
            f.Clock.Advance(TimeSpan.FromSeconds(1));
            f.Put(Accounts.Numbered(i % 5), "hash" + i, ttlMs: 10 * Hour, data: BitConverter.GetBytes(i));
        }

        var random = new Random(42);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var draw = 0; draw < 200; draw++)
        {
            Assert.True(f.Store.TrySampleMessage(random, _ => true, f.Now, f.Now, out var message));
            var i = int.Parse(message!.Hash.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(BitConverter.GetBytes(i), message.Data);
            Assert.Equal(Accounts.Numbered(i % 5), message.Account);
            seen.Add(message.Hash);
        }

        // Uniform over expiry times: 200 draws over 50 evenly spread messages miss only a few.
        Assert.True(seen.Count >= 30, $"only {seen.Count} distinct messages sampled");
    }

    [Fact]
    public void TrySample_SameExpiry_StillSpreadOverMessages()
    {
        using var f = new StoreFixture();
        var expiry = f.Now + (10 * Hour);
        Assert.Equal(50, f.Store.BulkStore(Enumerable.Range(0, 50).Select(i => new StoredMessage(Accounts.Numbered(i), Namespace.Default, "same" + i, f.Now, expiry, [1]))));

        var random = new Random(11);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var draw = 0; draw < 200; draw++)
        {
            Assert.True(f.Store.TrySampleMessage(random, _ => true, f.Now, f.Now, out var message));
            seen.Add(message!.Hash);
        }

        Assert.True(seen.Count >= 30, $"only {seen.Count} distinct messages sampled");
    }

    [Fact]
    public void TrySample_OwnerFilter_OnlyAcceptedAccounts()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 40; i++)
        {
            f.Clock.Advance(TimeSpan.FromSeconds(1));
            f.Put(i % 4 == 0 ? Accounts.Ef : Accounts.Ee, "h" + i, ttlMs: 10 * Hour);
        }

        var random = new Random(7);
        var hits = 0;
        for (var draw = 0; draw < 100; draw++)
        {
            if (f.Store.TrySampleMessage(random, a => a == Accounts.Ef, f.Now, f.Now, out var message))
            {
                Assert.Equal(Accounts.Ef, message!.Account);
                hits++;
            }
        }

        Assert.True(hits > 50, $"{hits} of 100 draws found an accepted message");
        Assert.False(f.Store.TrySampleMessage(random, a => a == Accounts.Ed, f.Now, f.Now, out _));
    }

    [Fact]
    public void TrySample_TooYoungOrExpiringSoon_NotReturned()
    {
        using var f = new StoreFixture();
        var t0 = f.Now;
        f.Put(Accounts.Ef, "old-short", ttlMs: 2 * Hour);
        f.Put(Accounts.Ef, "old-long", ttlMs: 10 * Hour);
        f.Clock.Advance(TimeSpan.FromMinutes(30));
        f.Put(Accounts.Ef, "young", ttlMs: 10 * Hour);

        var random = new Random(3);
        for (var draw = 0; draw < 50; draw++)
        {
            // Stored at or before t0, still valid in 3 hours: only "old-long".
            Assert.True(f.Store.TrySampleMessage(random, _ => true, storedBeforeMs: t0, expiresAfterMs: f.Now + (3 * Hour), out var message));
            Assert.Equal("old-long", message!.Hash);
        }

        Assert.False(f.Store.TrySampleMessage(random, _ => true, storedBeforeMs: t0 - 1, expiresAfterMs: f.Now, out _));
        Assert.False(f.Store.TrySampleMessage(random, _ => true, storedBeforeMs: f.Now, expiresAfterMs: t0 + (21 * Hour / 2), out _));
    }

    [Fact]
    public void TrySample_DeletedAndExpired_NeverReturned()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "gone", ttlMs: 10 * Hour);
        f.Put(Accounts.Ee, "kept", ttlMs: 10 * Hour);
        f.Put(Accounts.Ed, "expires", ttlMs: 1000);
        f.Store.DeleteAll(Accounts.Ef);
        f.Clock.Advance(TimeSpan.FromSeconds(2));

        var random = new Random(5);
        for (var draw = 0; draw < 30; draw++)
        {
            Assert.True(f.Store.TrySampleMessage(random, _ => true, f.Now, f.Now, out var message));
            Assert.Equal("kept", message!.Hash);
        }
    }
}
