using System.Security.Cryptography;

namespace SessionNode.Crypto;

/// <summary>
/// Supplies AEAD nonces for <see cref="ChannelKey.Seal"/>. Production code uses
/// <see cref="RandomNonceSource.Instance"/>; tests inject fixed nonces to reproduce known-answer
/// ciphertexts byte for byte (onion.md §3.7).
/// </summary>
public interface INonceSource
{
    /// <summary>
    /// Fills <paramref name="nonce"/> (12 bytes for aes-gcm, 24 for xchacha20) with a nonce that is
    /// never reused with the same key. Implementations must be thread-safe if shared.
    /// </summary>
    void Fill(Span<byte> nonce);
}

/// <summary>Nonces from the OS CSPRNG (<see cref="RandomNumberGenerator"/>); stateless and thread-safe.</summary>
public sealed class RandomNonceSource : INonceSource
{
    /// <summary>The shared instance.</summary>
    public static readonly RandomNonceSource Instance = new();

    private RandomNonceSource()
    {
    }

    /// <inheritdoc />
    public void Fill(Span<byte> nonce) => RandomNumberGenerator.Fill(nonce);
}
