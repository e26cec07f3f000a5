using SessionNode.Crypto;

namespace SessionNode.Client;

/// <summary>
/// Seam: supplies the per-layer ephemeral X25519 key pairs of onion requests (onion.md §2.2). Production uses
/// <see cref="RandomEphemeralKeySource.Instance"/>; tests inject fixed keys to reproduce the vectors byte for byte.
/// </summary>
public interface IEphemeralKeySource
{
    /// <summary>
    /// Returns a fresh key pair, owned (and disposed) by the caller. <see cref="OnionRequestBuilder"/> asks once
    /// per layer, innermost layer (the destination's) first, then outwards to the edge: the same order in which it
    /// draws nonces. Implementations must be thread-safe if shared.
    /// </summary>
    X25519KeyPair Next();
}

/// <summary>Fresh random key pairs (<see cref="X25519KeyPair.Generate"/>, the OS CSPRNG). Stateless and thread-safe.</summary>
public sealed class RandomEphemeralKeySource : IEphemeralKeySource
{
    /// <summary>The shared instance.</summary>
    public static readonly RandomEphemeralKeySource Instance = new();

    private RandomEphemeralKeySource()
    {
    }

    /// <inheritdoc />
    public X25519KeyPair Next() => X25519KeyPair.Generate();
}
