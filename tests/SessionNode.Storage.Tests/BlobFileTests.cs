using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Large records live in RocksDB blob files (RocksDbTuning); they read back, survive reopen, and their space is reclaimed.</summary>
public sealed class BlobFileTests
{
    private const int LargeBytes = 10_240;

    [Fact]
    public void LargeMessages_AreKeptInBlobFiles_AndReadBackAfterReopen()
    {
        using var f = new StoreFixture();
        var expected = new Dictionary<string, byte[]>();
        for (var i = 0; i < 40; i++)
        {
            var data = Payload(i, i % 4 == 0 ? 100 : LargeBytes);
            var hash = "blob" + i;
            Assert.Equal(StoreOutcome.New, f.Put(Accounts.Numbered(i % 3), hash, ttlMs: 3_600_000, data: data).Outcome);
            expected[hash] = data;
        }

        f.Store.CompactAll();
        Assert.NotEmpty(BlobFiles(f));

        // An expiry change rewrites the record: its data must come along.
        f.Store.UpdateExpiry(Accounts.Numbered(1), ["blob1"], [f.Now + 7_200_000], extendOnly: true, shortenOnly: false);
        f.Reopen();

        var read = new Dictionary<string, byte[]>();
        for (var a = 0; a < 3; a++)
        {
            foreach (var m in f.Store.Retrieve(Accounts.Numbered(a), Namespace.Default, null, null, null).Messages)
            {
                read[m.Hash] = m.Data;
            }
        }

        Assert.Equal(expected.Count, read.Count);
        foreach (var (hash, data) in expected)
        {
            Assert.Equal(data, read[hash]);
        }

        Assert.Equal(f.Now + 7_200_000, f.Store.Retrieve(Accounts.Numbered(1), Namespace.Default, null, null, null).Messages.Single(m => m.Hash == "blob1").ExpiryMs);
    }

    [Fact]
    public void DeletedAndExpiredLargeMessages_TheirBlobFilesAreDeleted()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 30; i++)
        {
            f.Put(Accounts.Numbered(i % 2), "gone" + i, ttlMs: i < 15 ? 60_000 : 3_600_000, data: Payload(i, LargeBytes));
        }

        f.Store.CompactAll();
        Assert.NotEmpty(BlobFiles(f));

        f.Advance(60_001);
        Assert.Equal(15, f.Store.SweepExpired());
        f.Store.DeleteAll(Accounts.Numbered(0));
        f.Store.DeleteAll(Accounts.Numbered(1));
        Assert.Equal(0, f.Store.MessageCount);
        f.Store.CompactAll();

        Assert.Empty(BlobFiles(f));
    }

    private static string[] BlobFiles(StoreFixture f) => Directory.GetFiles(f.Options.Path, "*.blob");

    private static byte[] Payload(int seed, int length)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
