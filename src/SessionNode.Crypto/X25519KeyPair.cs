using System.Security.Cryptography;
using SessionNode.Crypto.Interop;

namespace SessionNode.Crypto;

/// <summary>
/// An X25519 key pair: the node's onion key (derived from its Ed25519 identity) or a client's
/// per-layer ephemeral key. Immutable until disposed; <see cref="TryAgree"/> is thread-safe.
/// </summary>
/// <remarks>
/// The secret is kept exactly as given (unclamped bytes are fine: libsodium clamps inside every scalar
/// multiplication, onion.md §2.3) in a pinned array, so the GC never leaves copies behind and
/// <see cref="Dispose"/> wipes the only one.
/// </remarks>
public sealed class X25519KeyPair : IDisposable
{
    /// <summary>Length of X25519 secrets, public keys and shared secrets.</summary>
    public const int KeySize = 32;

    private readonly byte[] _secret;
    private readonly byte[] _publicKey;
    private bool _disposed;

    private X25519KeyPair(ReadOnlySpan<byte> secret)
    {
        _secret = GC.AllocateUninitializedArray<byte>(KeySize, pinned: true);
        secret.CopyTo(_secret);
        _publicKey = new byte[KeySize];
        if (LibSodium.crypto_scalarmult_curve25519_base(_publicKey, _secret) != 0)
        {
            CryptographicOperations.ZeroMemory(_secret);
            throw new CryptographicException("X25519 base-point multiplication failed.");
        }
    }

    /// <summary>The 32-byte public key (X25519 of the secret and the base point 9).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Creates the pair for a 32-byte secret; unclamped secrets are accepted and kept as given.</summary>
    public static X25519KeyPair FromSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length != KeySize)
        {
            throw new ArgumentException("An X25519 secret key is exactly 32 bytes.", nameof(secret));
        }

        return new X25519KeyPair(secret);
    }

    /// <summary>Creates a pair from 32 fresh random bytes (libsodium <c>crypto_box_keypair</c>).</summary>
    public static X25519KeyPair Generate()
    {
        Span<byte> secret = stackalloc byte[KeySize];
        try
        {
            RandomNumberGenerator.Fill(secret);
            return new X25519KeyPair(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Copies the 32-byte secret (as given at creation) into <paramref name="destination"/>.</summary>
    public void CopySecretTo(Span<byte> destination)
    {
        if (destination.Length != KeySize)
        {
            throw new ArgumentException("The secret destination must be exactly 32 bytes.", nameof(destination));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        _secret.CopyTo(destination);
    }

    /// <summary>
    /// Computes the raw shared secret S = X25519(secret, <paramref name="peerPublicKey"/>) (onion.md §3.2).
    /// False, with <paramref name="sharedSecret"/> cleared, when a length is not 32 or S is all zeros
    /// (a low-order peer key).
    /// </summary>
    public bool TryAgree(ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        if (sharedSecret.Length != KeySize)
        {
            return false;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (peerPublicKey.Length != KeySize
            || LibSodium.crypto_scalarmult_curve25519(sharedSecret, _secret, peerPublicKey) != 0)
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            return false;
        }

        return true;
    }

    /// <summary>Wipes the secret.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_secret);
    }
}
