using NSec.Cryptography;

namespace SessionNode.Crypto;

/// <summary>Unkeyed BLAKE2b with a 32-byte digest (libsodium <c>crypto_generichash</c>, outlen 32).</summary>
public static class Blake2b
{
    /// <summary>Digest length in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>Hashes <paramref name="data"/> into the 32-byte <paramref name="destination"/>.</summary>
    public static void Hash256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination);
        HashAlgorithm.Blake2b_256.Hash(data, destination);
    }

    /// <summary>
    /// Hashes the concatenation <paramref name="part1"/> ‖ <paramref name="part2"/> ‖ <paramref name="part3"/>
    /// incrementally (no concatenation copy, no allocation) into the 32-byte <paramref name="destination"/>.
    /// </summary>
    public static void Hash256(ReadOnlySpan<byte> part1, ReadOnlySpan<byte> part2, ReadOnlySpan<byte> part3, Span<byte> destination)
    {
        CheckDestination(destination);
        IncrementalHash.Initialize(HashAlgorithm.Blake2b_256, out var state);
        IncrementalHash.Update(ref state, part1);
        IncrementalHash.Update(ref state, part2);
        IncrementalHash.Update(ref state, part3);
        IncrementalHash.Finalize(ref state, destination);
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length != HashSize)
        {
            throw new ArgumentException("The BLAKE2b-256 destination must be exactly 32 bytes.", nameof(destination));
        }
    }
}
