using System.Buffers.Binary;
using SessionNode.Core;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Storage;

/// <summary>Builds pre-filled stores in temp directories for the storage benchmarks.</summary>
internal static class StorageBenchmarkData
{
    /// <summary>Background accounts; 10 messages each at 1 M (a busy node holds many small mailboxes).</summary>
    public const int AccountCount = 100_000;

    /// <summary>Messages per BulkStore call while filling: big batches, bounded batch memory (~4 MB).</summary>
    private const int FillBatch = 10_000;

    public static readonly byte[] Payload = CreatePayload(100);

    public static AccountId Account(int i)
    {
        Span<byte> raw = stackalloc byte[AccountId.Length];
        raw[0] = AccountId.SessionPrefix;
        BinaryPrimitives.WriteUInt64BigEndian(raw[1..], (ulong)i * 0x9E3779B97F4A7C15UL); // spread over the key space
        BinaryPrimitives.WriteInt32BigEndian(raw[29..], i);
        return AccountId.FromBytes(raw);
    }

    /// <summary>A 43-character base64 hash, distinct per (tag, i) and randomly distributed like real ones.</summary>
    public static string Hash(ulong tag, long i)
    {
        Span<byte> digest = stackalloc byte[32];
        var x = ((ulong)i << 8) ^ tag;
        for (var w = 0; w < 3; w++)
        {
            x += 0x9E3779B97F4A7C15UL; // splitmix64: random-looking leading bytes
            var z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            BinaryPrimitives.WriteUInt64BigEndian(digest[(w * 8)..], z ^ (z >> 31));
        }

        // The last 8 bytes carry (tag, i) so hashes are unique whatever the mixing does.
        BinaryPrimitives.WriteUInt64BigEndian(digest[24..], (tag << 56) | (ulong)i);
        Span<char> text = stackalloc char[44];
        Convert.TryToBase64Chars(digest, text, out _);
        return new string(text[..Limits.HashLength]); // drop the '=' pad: 43 chars still hold all 256 bits
    }

    public static (MessageStore Store, string Directory) Open()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sessionnode-bench-" + Guid.NewGuid().ToString("N"));
        return (MessageStore.Open(new MessageStoreOptions { Path = dir }, TimeProvider.System), dir);
    }

    /// <summary>Fills <paramref name="count"/> 100-byte messages spread over the background accounts, then compacts.</summary>
    public static void Fill(MessageStore store, int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var expiry = now + Limits.MaxTtlPublicMs;
        var batch = new List<StoredMessage>(FillBatch);
        for (var i = 0; i < count; i++)
        {
            batch.Add(new StoredMessage(Account(i % AccountCount), Namespace.Default, Hash(1, i), now, expiry, Payload));
            if (batch.Count == FillBatch || i == count - 1)
            {
                store.BulkStore(batch);
                batch.Clear();
            }
        }

        store.CompactAll();
    }

    public static void Delete(MessageStore store, string directory)
    {
        store.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static byte[] CreatePayload(int size)
    {
        var data = new byte[size];
        new Random(7).NextBytes(data);
        return data;
    }
}
