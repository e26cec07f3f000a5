using NSec.Cryptography;
using SessionNode.Crypto.Interop;

namespace SessionNode.Crypto;

/// <summary>Stateless Ed25519 verification and key conversion (libsodium semantics).</summary>
public static class Ed25519
{
    /// <summary>Length of an Ed25519 public key.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Length of a detached Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>Length of an Ed25519 seed (the private key as stored).</summary>
    public const int SeedSize = 32;

    /// <summary>
    /// Verifies a detached signature with libsodium <c>crypto_sign_verify_detached</c> semantics
    /// (client-rpc.md §6.1). Returns false for wrong key or signature lengths; never throws on bad input.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        // NSec's raw import only copies the 32 bytes; point validation happens in libsodium's verify.
        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            && SignatureAlgorithm.Ed25519.Verify(key!, message, signature);
    }

    /// <summary>
    /// Converts an Ed25519 public key to its X25519 (Montgomery u) form exactly like libsodium
    /// <c>crypto_sign_ed25519_pk_to_curve25519</c> (client-rpc.md §6.3): false for wrong lengths,
    /// small-order points, encodings that do not decode, and points outside the prime-order subgroup.
    /// On failure <paramref name="x25519PublicKey"/> is cleared (when it has the right length).
    /// </summary>
    public static bool TryConvertPublicKeyToX25519(ReadOnlySpan<byte> ed25519PublicKey, Span<byte> x25519PublicKey)
    {
        if (ed25519PublicKey.Length != PublicKeySize || x25519PublicKey.Length != X25519KeyPair.KeySize)
        {
            return false;
        }

        if (LibSodium.crypto_sign_ed25519_pk_to_curve25519(x25519PublicKey, ed25519PublicKey) != 0)
        {
            x25519PublicKey.Clear();
            return false;
        }

        return true;
    }

    /// <summary>
    /// The legacy (primary) service-node public key of a legacy secret scalar: Ed25519 base-point
    /// multiplication without clamping (libsodium <c>crypto_scalarmult_ed25519_base_noclamp</c>, swarm.md §1;
    /// oxend's <c>service_node_privkey</c> is such a scalar). False for wrong lengths or a zero scalar.
    /// </summary>
    public static bool TryLegacyPublicKey(ReadOnlySpan<byte> scalar, Span<byte> publicKey)
    {
        if (scalar.Length != SeedSize || publicKey.Length != PublicKeySize)
        {
            return false;
        }

        if (LibSodium.crypto_scalarmult_ed25519_base_noclamp(publicKey, scalar) != 0)
        {
            publicKey.Clear();
            return false;
        }

        return true;
    }
}
