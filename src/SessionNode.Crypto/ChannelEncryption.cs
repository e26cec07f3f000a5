using System.Security.Cryptography;

namespace SessionNode.Crypto;

/// <summary>
/// Derives per-layer channel keys (onion.md §3) for one side of the channel. Holds no mutable state;
/// thread-safe. It does not own <c>ownKeys</c> (the caller disposes them).
/// </summary>
/// <remarks>
/// Server side (<c>isServer: true</c>): own keys are the node's X25519 pair, the remote key is the layer's
/// ephemeral key. Client side: own keys are the ephemeral pair, the remote key is the node's (or server's)
/// X25519 key. Both sides derive the same key: xchacha20 hashes S ‖ client public ‖ server public by role.
/// </remarks>
public sealed class ChannelEncryption
{
    private readonly X25519KeyPair _ownKeys;
    private readonly bool _isServer;

    /// <summary>Creates the helper for one side; see the type remarks for which keys go where.</summary>
    public ChannelEncryption(X25519KeyPair ownKeys, bool isServer)
    {
        ArgumentNullException.ThrowIfNull(ownKeys);
        _ownKeys = ownKeys;
        _isServer = isServer;
    }

    /// <summary>
    /// Derives the layer key for <paramref name="type"/>: aes-gcm K = HMAC-SHA256(key "LOKI", S);
    /// xchacha20 K = BLAKE2b-256(S ‖ client public ‖ server public). False when the remote key is not
    /// 32 bytes or the shared secret S is all zeros (onion.md §3.2: a decryption failure).
    /// </summary>
    public bool TryDeriveKey(EncryptionType type, ReadOnlySpan<byte> remotePublicKey, out ChannelKey key)
    {
        key = default;
        Span<byte> shared = stackalloc byte[X25519KeyPair.KeySize];
        Span<byte> derived = stackalloc byte[ChannelKey.KeySize];
        try
        {
            if (!_ownKeys.TryAgree(remotePublicKey, shared))
            {
                return false;
            }

            switch (type)
            {
                case EncryptionType.AesGcm:
                    LokiHmac.Compute(shared, derived);
                    break;
                case EncryptionType.XChaCha20:
                    var clientPublic = _isServer ? remotePublicKey : _ownKeys.PublicKey;
                    var serverPublic = _isServer ? _ownKeys.PublicKey : remotePublicKey;
                    Blake2b.Hash256(shared, clientPublic, serverPublic, derived);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown encryption type.");
            }

            key = ChannelKey.FromBytes(type, derived);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>
    /// Derives the key and seals <paramref name="plaintext"/> (nonce ‖ ciphertext ‖ tag). Throws
    /// <see cref="CryptographicException"/> if the remote key is unusable.
    /// </summary>
    public byte[] Encrypt(EncryptionType type, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> remotePublicKey, INonceSource? nonces = null)
    {
        if (!TryDeriveKey(type, remotePublicKey, out var key))
        {
            throw new CryptographicException("The remote X25519 public key is invalid or of low order.");
        }

        var result = new byte[plaintext.Length + key.Overhead];
        key.Seal(plaintext, result, nonces ?? RandomNonceSource.Instance);
        return result;
    }

    /// <summary>
    /// Derives the key and opens <paramref name="ciphertext"/>; false on any failure ("invalid ciphertext",
    /// onion.md §3.6).
    /// </summary>
    public bool TryDecrypt(EncryptionType type, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> remotePublicKey, out byte[]? plaintext)
    {
        plaintext = null;
        var overhead = EncryptionTypes.Overhead(type);
        if (ciphertext.Length < overhead || !TryDeriveKey(type, remotePublicKey, out var key))
        {
            return false;
        }

        var buffer = new byte[ciphertext.Length - overhead];
        if (!key.TryOpen(ciphertext, buffer, out _))
        {
            return false;
        }

        plaintext = buffer;
        return true;
    }

    /// <summary>
    /// Derives the key and opens <paramref name="ciphertext"/>; throws <see cref="CryptographicException"/>
    /// on any failure.
    /// </summary>
    public byte[] Decrypt(EncryptionType type, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> remotePublicKey)
        => TryDecrypt(type, ciphertext, remotePublicKey, out var plaintext)
            ? plaintext!
            : throw new CryptographicException("Invalid ciphertext.");
}
