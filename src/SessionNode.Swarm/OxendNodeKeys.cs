using System.Security.Cryptography;
using System.Text.Json;
using SessionNode.Crypto;

namespace SessionNode.Swarm;

/// <summary>
/// The node's identity as its oxend holds it (swarm.md §1): the Ed25519 key pair (which also gives the
/// X25519 onion key) and the legacy (primary) public key that oxend lists as <c>service_node_pubkey</c>.
/// Owns <see cref="Ed25519"/> until it is handed to the DI container.
/// </summary>
public sealed class OxendNodeKeys
{
    private OxendNodeKeys(Ed25519KeyPair ed25519, byte[] legacyPublicKey)
    {
        Ed25519 = ed25519;
        LegacyPublicKey = legacyPublicKey;
    }

    /// <summary>The Ed25519 identity (from <c>service_node_ed25519_privkey</c>).</summary>
    public Ed25519KeyPair Ed25519 { get; }

    /// <summary>The legacy public key derived from <c>service_node_privkey</c>, 32 bytes.</summary>
    public byte[] LegacyPublicKey { get; }

    /// <summary>oxend's JSON-RPC method (also known to oxend as <c>get_service_privkeys</c>; admin-only).</summary>
    public const string Method = "get_service_node_privkey";

    /// <summary>The JSON-RPC request body.</summary>
    public static byte[] Request() => OxendJsonRpc.Request(Method);

    /// <summary>
    /// Parses the answer: <c>service_node_privkey</c> (64 hex, the legacy secret scalar),
    /// <c>service_node_ed25519_privkey</c> (128 hex, seed ‖ public key) and <c>service_node_x25519_privkey</c>
    /// (64 hex). The public keys are derived here.
    /// </summary>
    /// <exception cref="FormatException">An error answer, a malformed one, or an empty legacy key (oxend is not
    /// running as a service node) — worth retrying.</exception>
    /// <exception cref="InvalidDataException">The keys do not belong together (the X25519 key is not the one
    /// derived from the Ed25519 key, as this node requires) — retrying cannot help.</exception>
    public static OxendNodeKeys Parse(ReadOnlySpan<byte> utf8)
    {
        byte[]? legacySecret = null, edSecret = null, xSecret = null;
        try
        {
            using (var doc = JsonDocument.Parse(utf8.ToArray()))
            {
                var r = OxendJsonRpc.Result(doc.RootElement);
                legacySecret = HexField(r, "service_node_privkey", 32);
                if (legacySecret.Length == 0)
                {
                    throw new FormatException("oxend is not running as a service node (empty service_node_privkey)");
                }

                edSecret = HexField(r, "service_node_ed25519_privkey", 64);
                xSecret = HexField(r, "service_node_x25519_privkey", 32);
                if (edSecret.Length == 0 || xSecret.Length == 0)
                {
                    throw new FormatException("service_node_ed25519_privkey or service_node_x25519_privkey is empty");
                }
            }

            var legacy = new byte[Crypto.Ed25519.PublicKeySize];
            if (!Crypto.Ed25519.TryLegacyPublicKey(legacySecret, legacy))
            {
                throw new FormatException("service_node_privkey is not a usable scalar");
            }

            Ed25519KeyPair pair;
            try
            {
                pair = Ed25519KeyPair.FromLibsodiumSecretKey(edSecret);
            }
            catch (ArgumentException e)
            {
                throw new FormatException("service_node_ed25519_privkey: " + e.Message, e);
            }

            using (var derived = pair.ToX25519())
            using (var given = X25519KeyPair.FromSecret(xSecret))
            {
                if (!derived.PublicKey.SequenceEqual(given.PublicKey))
                {
                    pair.Dispose();
                    throw new InvalidDataException(
                        "oxend's X25519 key is not the one derived from its Ed25519 key; this node derives its onion key from the Ed25519 key and cannot use it.");
                }
            }

            return new OxendNodeKeys(pair, legacy);
        }
        catch (JsonException e)
        {
            throw new FormatException("malformed get_service_node_privkey answer: " + e.Message, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(legacySecret);
            CryptographicOperations.ZeroMemory(edSecret);
            CryptographicOperations.ZeroMemory(xSecret);
        }
    }

    /// <summary>A hex string field of exactly <paramref name="bytes"/> bytes, or empty when the string is empty.</summary>
    private static byte[] HexField(JsonElement e, string name, int bytes)
    {
        if (!e.TryGetProperty(name, out var el) || el.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{name} missing or not a string");
        }

        var s = el.GetString()!;
        if (s.Length == 0)
        {
            return [];
        }

        if (s.Length != 2 * bytes || !Core.Hex.IsHex(s))
        {
            throw new FormatException($"{name} is not {2 * bytes} hex digits");
        }

        return Convert.FromHexString(s);
    }
}
