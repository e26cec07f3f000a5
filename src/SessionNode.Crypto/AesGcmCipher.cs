using System.Security.Cryptography;
using SessionNode.Crypto.Interop;

namespace SessionNode.Crypto;

/// <summary>
/// AES-256-GCM for <see cref="ChannelKey"/> (12-byte nonce, 16-byte tag, no associated data): libsodium's
/// allocation-free implementation when the CPU has it, else the BCL's <see cref="AesGcm"/> (one instance,
/// 32 B, per call). Both produce the same bytes; stateless and thread-safe.
/// </summary>
internal static class AesGcmCipher
{
    /// <summary>Whether <see cref="Encrypt"/>/<see cref="TryDecrypt"/> use libsodium (decided once per process).</summary>
    public static readonly bool UsesLibSodium = LibSodium.crypto_aead_aes256gcm_is_available() == 1;

    /// <summary>Writes ciphertext ‖ tag (<paramref name="plaintext"/> length + 16) to <paramref name="destination"/>.</summary>
    public static void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (UsesLibSodium)
        {
            EncryptLibSodium(key, nonce, plaintext, destination);
        }
        else
        {
            EncryptBcl(key, nonce, plaintext, destination);
        }
    }

    /// <summary>
    /// Verifies ciphertext ‖ tag and decrypts it into <paramref name="destination"/> (exactly the plaintext
    /// length); false on a bad tag, with the destination cleared.
    /// </summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination)
        => UsesLibSodium
            ? TryDecryptLibSodium(key, nonce, ciphertextAndTag, destination)
            : TryDecryptBcl(key, nonce, ciphertextAndTag, destination);

    /// <summary>The libsodium route; only valid when <see cref="UsesLibSodium"/> (tests call it directly).</summary>
    internal static void EncryptLibSodium(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (LibSodium.crypto_aead_aes256gcm_encrypt(
            destination[..(plaintext.Length + LibSodium.AesGcmTagBytes)], out _, plaintext, (ulong)plaintext.Length, 0, 0, 0, nonce, key) != 0)
        {
            throw new CryptographicException("AES-256-GCM encryption failed.");
        }
    }

    /// <summary>The libsodium route; only valid when <see cref="UsesLibSodium"/> (tests call it directly).</summary>
    internal static bool TryDecryptLibSodium(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination)
    {
        if (LibSodium.crypto_aead_aes256gcm_decrypt(
            destination, out _, 0, ciphertextAndTag, (ulong)ciphertextAndTag.Length, 0, 0, nonce, key) != 0)
        {
            CryptographicOperations.ZeroMemory(destination);
            return false;
        }

        return true;
    }

    /// <summary>The BCL route (the fallback; tests call it directly to compare both).</summary>
    internal static void EncryptBcl(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        using var aes = new AesGcm(key, EncryptionTypes.TagSize);
        aes.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, EncryptionTypes.TagSize));
    }

    /// <summary>The BCL route (the fallback; tests call it directly to compare both).</summary>
    internal static bool TryDecryptBcl(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination)
    {
        var length = ciphertextAndTag.Length - EncryptionTypes.TagSize;
        using var aes = new AesGcm(key, EncryptionTypes.TagSize);
        try
        {
            aes.Decrypt(nonce, ciphertextAndTag[..length], ciphertextAndTag[length..], destination);
            return true;
        }
        catch (CryptographicException)
        {
            // AuthenticationTagMismatchException; the BCL has already cleared the destination.
            return false;
        }
    }
}
