using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SessionNode.Crypto.Interop;

namespace SessionNode.Crypto;

/// <summary>
/// One derived per-layer symmetric key (onion.md §3.3/§3.4) and the AEAD it is used with. A plain value:
/// seal/open are thread-safe and allocate nothing (aes-gcm: unless the CPU lacks libsodium's AES-GCM and
/// the BCL's <see cref="AesGcm"/> is used instead, see <see cref="AesGcmCipher"/>).
/// </summary>
/// <remarks>Wire layout of a sealed message: nonce (12 or 24) ‖ ciphertext ‖ tag (16); no associated data.</remarks>
public readonly struct ChannelKey
{
    /// <summary>Length of the symmetric key.</summary>
    public const int KeySize = 32;

    private readonly KeyBytes _key;
    private readonly bool _initialized;

    private ChannelKey(EncryptionType type, ReadOnlySpan<byte> key)
    {
        Type = type;
        key.CopyTo(_key);
        _initialized = true;
    }

    /// <summary>
    /// True when aes-gcm seal/open run on libsodium (CPUs with AES-NI + PCLMUL or ARMv8 crypto) and allocate
    /// nothing; false when the BCL fallback is used (one <see cref="AesGcm"/> instance, 32 B, per call).
    /// </summary>
    public static bool AesGcmAllocationFree => AesGcmCipher.UsesLibSodium;

    /// <summary>The AEAD this key is for.</summary>
    public EncryptionType Type { get; }

    /// <summary>Bytes <see cref="Seal"/> adds to a plaintext.</summary>
    public int Overhead => EncryptionTypes.Overhead(Type);

    /// <summary>Wraps an already derived 32-byte key (for tests and for callers that run their own KDF).</summary>
    public static ChannelKey FromBytes(EncryptionType type, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("A channel key is exactly 32 bytes.", nameof(key));
        }

        _ = EncryptionTypes.Overhead(type); // rejects undefined enum values
        return new ChannelKey(type, key);
    }

    /// <summary>Copies the 32 key bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        ThrowIfDefault();
        if (destination.Length != KeySize)
        {
            throw new ArgumentException("The key destination must be exactly 32 bytes.", nameof(destination));
        }

        ReadOnlySpan<byte> key = _key;
        key.CopyTo(destination);
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> with a nonce from <paramref name="nonces"/> and writes
    /// nonce ‖ ciphertext ‖ tag to <paramref name="destination"/>; returns the length written
    /// (plaintext length + <see cref="Overhead"/>). The buffers must not overlap.
    /// </summary>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination, INonceSource nonces)
    {
        ArgumentNullException.ThrowIfNull(nonces);
        ThrowIfDefault();
        var nonceSize = EncryptionTypes.NonceSize(Type);
        var length = plaintext.Length + nonceSize + EncryptionTypes.TagSize;
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is shorter than plaintext + overhead.", nameof(destination));
        }

        if (plaintext.Overlaps(destination))
        {
            throw new ArgumentException("The plaintext and destination must not overlap.", nameof(destination));
        }

        var nonce = destination[..nonceSize];
        nonces.Fill(nonce);
        var body = destination[nonceSize..length];
        ReadOnlySpan<byte> key = _key;
        if (Type == EncryptionType.AesGcm)
        {
            AesGcmCipher.Encrypt(key, nonce, plaintext, body);
        }
        else if (LibSodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            body, out _, plaintext, (ulong)plaintext.Length, 0, 0, 0, nonce, key) != 0)
        {
            throw new CryptographicException("XChaCha20-Poly1305 encryption failed.");
        }

        return length;
    }

    /// <summary>
    /// Verifies and decrypts nonce ‖ ciphertext ‖ tag into <paramref name="destination"/>. False on any
    /// failure (input shorter than the overhead, wrong key, tampered bytes); the destination is then
    /// cleared. Throws only for caller bugs: a destination shorter than the plaintext, or overlapping buffers.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> ciphertext, Span<byte> destination, out int written)
    {
        written = 0;
        ThrowIfDefault();
        var nonceSize = EncryptionTypes.NonceSize(Type);
        var length = ciphertext.Length - nonceSize - EncryptionTypes.TagSize;
        if (length < 0)
        {
            return false;
        }

        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is shorter than the plaintext.", nameof(destination));
        }

        if (ciphertext.Overlaps(destination))
        {
            throw new ArgumentException("The ciphertext and destination must not overlap.", nameof(destination));
        }

        var nonce = ciphertext[..nonceSize];
        var body = ciphertext[nonceSize..];
        var plaintext = destination[..length];
        ReadOnlySpan<byte> key = _key;
        if (Type == EncryptionType.AesGcm)
        {
            if (!AesGcmCipher.TryDecrypt(key, nonce, body, plaintext))
            {
                return false;
            }
        }
        else if (LibSodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            plaintext, out _, 0, body, (ulong)body.Length, 0, 0, nonce, key) != 0)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        written = length;
        return true;
    }

    private void ThrowIfDefault()
    {
        if (!_initialized)
        {
            throw new InvalidOperationException("This ChannelKey is default; derive one with ChannelEncryption.TryDeriveKey.");
        }
    }

    [InlineArray(KeySize)]
    private struct KeyBytes
    {
        private byte _b0;
    }
}
