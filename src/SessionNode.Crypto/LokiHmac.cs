using System.Security.Cryptography;
using SessionNode.Crypto.Interop;

namespace SessionNode.Crypto;

/// <summary>
/// The aes-gcm layer KDF K = HMAC-SHA256(key "LOKI", S) (onion.md §3.3). The key is a constant, so its ipad/opad
/// SHA-256 state is computed once per process; each derivation copies it and hashes only S (two SHA-256 blocks).
/// Stateless after initialisation; thread-safe.
/// </summary>
internal static class LokiHmac
{
    /// <summary>Room for libsodium's <c>crypto_auth_hmacsha256_state</c> (208 bytes in every libsodium release).</summary>
    private const int StateBufferSize = 256;

    /// <summary>The keyed state; not secret (it depends only on the public constant "LOKI").</summary>
    private static readonly byte[] KeyedState = CreateKeyedState();

    /// <summary>Writes HMAC-SHA256("LOKI", <paramref name="sharedSecret"/>) to the 32-byte <paramref name="destination"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> sharedSecret, Span<byte> destination)
    {
        Span<byte> state = stackalloc byte[StateBufferSize];
        state = state[..KeyedState.Length];
        KeyedState.CopyTo(state);
        try
        {
            if (LibSodium.crypto_auth_hmacsha256_update(state, sharedSecret, (ulong)sharedSecret.Length) != 0
                || LibSodium.crypto_auth_hmacsha256_final(state, destination[..32]) != 0)
            {
                throw new CryptographicException("HMAC-SHA256 failed.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(state); // it absorbed S
        }
    }

    private static byte[] CreateKeyedState()
    {
        var size = checked((int)LibSodium.crypto_auth_hmacsha256_statebytes());
        if (size > StateBufferSize)
        {
            throw new InvalidOperationException($"libsodium's HMAC-SHA256 state is {size} bytes, more than the {StateBufferSize} reserved.");
        }

        var state = new byte[size];
        if (LibSodium.crypto_auth_hmacsha256_init(state, "LOKI"u8, 4) != 0)
        {
            throw new CryptographicException("HMAC-SHA256 initialisation failed.");
        }

        return state;
    }
}
