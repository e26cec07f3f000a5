using System.Buffers.Binary;
using System.Collections.Concurrent;
using SessionNode.Crypto;

namespace SessionNode.Rpc;

/// <summary>
/// Remembers Ed25519→X25519 conversions of <c>pubkey_ed25519</c> values. libsodium's conversion
/// checks subgroup membership with a full scalar multiplication, which costs about as much as a
/// signature verification; Session clients send the same key on every poll, so the cache halves
/// the crypto cost of a signed retrieve. Only successful conversions are cached (a failure is a
/// hostile or broken client and must not evict real entries).
/// </summary>
internal sealed class KeyConversionCache
{
    /// <summary>
    /// Bound on remembered keys: 64 bytes of key+value per entry, so 50 000 entries stay under ~10 MB
    /// with dictionary overhead, and cover far more accounts than one node's active pollers.
    /// </summary>
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<Key32, Key32> _cache = new();

    /// <summary>Converts (or recalls) <paramref name="ed25519"/>; false if it has no X25519 form.</summary>
    public bool TryConvert(ReadOnlySpan<byte> ed25519, Span<byte> x25519)
    {
        var key = Key32.From(ed25519);
        if (_cache.TryGetValue(key, out var cached))
        {
            cached.CopyTo(x25519);
            return true;
        }

        if (!Ed25519.TryConvertPublicKeyToX25519(ed25519, x25519))
        {
            return false;
        }

        if (_cache.Count >= MaxEntries)
        {
            // Crude but bounded: start over rather than track recency on the hot path.
            _cache.Clear();
        }

        _cache[key] = Key32.From(x25519);
        return true;
    }

    private readonly record struct Key32(ulong A, ulong B, ulong C, ulong D)
    {
        public static Key32 From(ReadOnlySpan<byte> k) => new(
            BinaryPrimitives.ReadUInt64LittleEndian(k),
            BinaryPrimitives.ReadUInt64LittleEndian(k[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(k[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(k[24..]));

        public void CopyTo(Span<byte> dest)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dest, A);
            BinaryPrimitives.WriteUInt64LittleEndian(dest[8..], B);
            BinaryPrimitives.WriteUInt64LittleEndian(dest[16..], C);
            BinaryPrimitives.WriteUInt64LittleEndian(dest[24..], D);
        }
    }
}
