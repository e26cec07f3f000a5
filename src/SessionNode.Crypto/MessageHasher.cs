using System.Buffers.Text;
using SessionNode.Core;

namespace SessionNode.Crypto;

/// <summary>
/// Computes message hashes (client-rpc.md §5, storage.md §1.3):
/// unpadded base64 of BLAKE2b-256(account(33) ‖ nsStr ‖ data), always 43 characters.
/// </summary>
public static class MessageHasher
{
    /// <summary>Longest namespace string: "-32768".</summary>
    private const int MaxNamespaceChars = 6;

    /// <summary>
    /// Returns the 43-character hash. The account, namespace and data are hashed incrementally, so the
    /// only allocation is the result string.
    /// </summary>
    public static string Compute(in AccountId account, Namespace ns, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Blake2b.HashSize];
        ComputeRaw(account, ns, data, digest);

        // 32 bytes encode to 44 characters with one '=' of padding; the hash drops it.
        Span<byte> utf8 = stackalloc byte[Base64.GetMaxEncodedToUtf8Length(Blake2b.HashSize)];
        Base64.EncodeToUtf8(digest, utf8, out _, out _);
        return System.Text.Encoding.ASCII.GetString(utf8[..Limits.HashLength]);
    }

    /// <summary>Writes the raw 32-byte digest (before base64) into <paramref name="destination"/>.</summary>
    public static void ComputeRaw(in AccountId account, Namespace ns, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> nsStr = stackalloc byte[MaxNamespaceChars];
        var nsLength = ns.WriteSignatureString(nsStr);
        Blake2b.Hash256(account.Span, nsStr[..nsLength], data, destination);
    }
}
