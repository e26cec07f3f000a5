using System.Security.Cryptography;
using NSec.Cryptography;

namespace SessionNode.Crypto;

/// <summary>
/// An Ed25519 signing key (node identity, or a client key in tests and the Client library). The secret
/// lives in NSec's guarded native memory; immutable after construction, safe to share across threads.
/// </summary>
public sealed class Ed25519KeyPair : IDisposable
{
    private readonly Key _key;
    private readonly byte[] _publicKey;
    private string? _publicKeyHex;

    private Ed25519KeyPair(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The public key as 64 lowercase hex digits.</summary>
    public string PublicKeyHex => _publicKeyHex ??= Convert.ToHexStringLower(_publicKey);

    /// <summary>Creates the key pair for a 32-byte seed (libsodium <c>crypto_sign_seed_keypair</c>).</summary>
    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.SeedSize)
        {
            throw new ArgumentException("An Ed25519 seed is exactly 32 bytes.", nameof(seed));
        }

        // Plaintext export is needed for CopySeedTo (the key file) and ToX25519.
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return new Ed25519KeyPair(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, in parameters));
    }

    /// <summary>
    /// Creates the key pair from libsodium's 64-byte secret key form, seed ‖ public key (e.g. oxend's
    /// <c>service_node_ed25519_privkey</c>, swarm.md §1). Throws if the public half does not belong to the seed.
    /// </summary>
    public static Ed25519KeyPair FromLibsodiumSecretKey(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != Ed25519.SeedSize + Ed25519.PublicKeySize)
        {
            throw new ArgumentException("A libsodium Ed25519 secret key is exactly 64 bytes (seed ‖ public key).", nameof(secretKey));
        }

        var pair = FromSeed(secretKey[..Ed25519.SeedSize]);
        if (!pair.PublicKey.SequenceEqual(secretKey[Ed25519.SeedSize..]))
        {
            pair.Dispose();
            throw new ArgumentException("The public half of the Ed25519 secret key does not match its seed.", nameof(secretKey));
        }

        return pair;
    }

    /// <summary>Creates a key pair from a fresh random seed.</summary>
    public static Ed25519KeyPair Generate()
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        try
        {
            RandomNumberGenerator.Fill(seed);
            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Copies the 32-byte seed into <paramref name="destination"/>.</summary>
    public void CopySeedTo(Span<byte> destination)
    {
        if (destination.Length != Ed25519.SeedSize)
        {
            throw new ArgumentException("The seed destination must be exactly 32 bytes.", nameof(destination));
        }

        if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, destination, out var written) || written != Ed25519.SeedSize)
        {
            throw new InvalidOperationException("NSec did not export a 32-byte Ed25519 seed.");
        }
    }

    /// <summary>Signs <paramref name="message"/> into the 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != Ed25519.SignatureSize)
        {
            throw new ArgumentException("The signature destination must be exactly 64 bytes.", nameof(signature));
        }

        SignatureAlgorithm.Ed25519.Sign(_key, message, signature);
    }

    /// <summary>Signs <paramref name="message"/> and returns the 64-byte signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[Ed25519.SignatureSize];
        Sign(message, signature);
        return signature;
    }

    /// <summary>
    /// The X25519 key pair of the same identity, as libsodium <c>crypto_sign_ed25519_sk_to_curve25519</c>
    /// derives it (onion.md §2.1): the first 32 bytes of SHA-512(seed), clamped. Its public key equals
    /// <see cref="Ed25519.TryConvertPublicKeyToX25519"/> of <see cref="PublicKey"/>.
    /// </summary>
    public X25519KeyPair ToX25519()
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        Span<byte> digest = stackalloc byte[SHA512.HashSizeInBytes];
        try
        {
            CopySeedTo(seed);
            SHA512.HashData(seed, digest);
            var secret = digest[..X25519KeyPair.KeySize];
            secret[0] &= 248;
            secret[31] &= 127;
            secret[31] |= 64;
            return X25519KeyPair.FromSecret(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(digest);
        }
    }

    /// <summary>Frees the native secret (NSec wipes it).</summary>
    public void Dispose() => _key.Dispose();
}
