using System.Buffers.Binary;
using System.Text;
using SessionNode.Core;
using SessionNode.Crypto;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The storage-test challenge (Rpc Peers README "Storage tests"). The nonce binds the tester, the testee, the tester's membership
/// version, a fresh salt and the message hash:
/// <c>nonce = BLAKE2b-256("sessionnode-storage-test-v1" ‖ tester ‖ testee ‖ version BE64 ‖ salt ‖ hash)</c>; the
/// proof is <c>BLAKE2b-256(nonce ‖ account ‖ namespace BE16 ‖ data)</c>. Only a holder of the data can answer;
/// the keys stop a testee from relaying the challenge to an honest member (that member would bind its own key),
/// the salt stops precomputed answers. Stateless.
/// </summary>
internal static class StorageTestProof
{
    /// <summary>Salt length chosen by the tester.</summary>
    public const int SaltLength = 32;

    /// <summary>Nonce and proof length.</summary>
    public const int Length = Blake2b.HashSize;

    /// <summary>Longest hash accepted in a challenge (the store's limit).</summary>
    public const int MaxHashLength = 128;

    private const int KeyLength = 32;

    private static ReadOnlySpan<byte> Domain => "sessionnode-storage-test-v1"u8;

    /// <summary>True if the hash is non-empty ASCII of at most <see cref="MaxHashLength"/> characters.</summary>
    public static bool IsValidHash(string hash) => hash.Length is > 0 and <= MaxHashLength && Ascii.IsValid(hash);

    /// <summary>Derives the 32-byte nonce; keys are 32 bytes, <paramref name="hash"/> valid per <see cref="IsValidHash"/>.</summary>
    public static void DeriveNonce(ReadOnlySpan<byte> tester, ReadOnlySpan<byte> testee, long membershipVersion, ReadOnlySpan<byte> salt, string hash, Span<byte> nonce)
    {
        if (tester.Length != KeyLength || testee.Length != KeyLength || salt.Length != SaltLength || !IsValidHash(hash))
        {
            throw new ArgumentException("bad storage-test challenge input");
        }

        Span<byte> input = stackalloc byte[Domain.Length + (2 * KeyLength) + sizeof(long) + SaltLength + MaxHashLength];
        var at = 0;
        Domain.CopyTo(input);
        at += Domain.Length;
        tester.CopyTo(input[at..]);
        at += KeyLength;
        testee.CopyTo(input[at..]);
        at += KeyLength;
        BinaryPrimitives.WriteInt64BigEndian(input[at..], membershipVersion);
        at += sizeof(long);
        salt.CopyTo(input[at..]);
        at += SaltLength;
        at += Encoding.ASCII.GetBytes(hash, input[at..]);
        Blake2b.Hash256(input[..at], nonce);
    }

    /// <summary>Computes the 32-byte proof of possession of one message.</summary>
    public static void ComputeProof(ReadOnlySpan<byte> nonce, in AccountId account, Namespace ns, ReadOnlySpan<byte> data, Span<byte> proof)
    {
        Span<byte> header = stackalloc byte[Length + AccountId.Length + sizeof(short)];
        nonce.CopyTo(header);
        account.Span.CopyTo(header[Length..]);
        BinaryPrimitives.WriteInt16BigEndian(header[(Length + AccountId.Length)..], ns.Id);
        Blake2b.Hash256(header, data, [], proof);
    }
}
