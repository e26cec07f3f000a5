using System.Text.Json;
using SessionNode.Core;
using SessionNode.Crypto;

namespace SessionNode.Client;

/// <summary>
/// One swarm member's part of a replicated answer (client-rpc.md §8.2, §8.3): either a success with a node
/// signature, or <see cref="Failed"/> with the reason.
/// </summary>
public abstract class NodeEntry
{
    /// <summary>Parses the fields common to every entry.</summary>
    /// <param name="nodePubkeyHex">The map key: the node's Ed25519 key as hex.</param>
    /// <param name="entry">The entry object.</param>
    protected NodeEntry(string nodePubkeyHex, JsonElement entry)
    {
        JsonRead.Object(entry, $"swarm entry {nodePubkeyHex}");
        NodePubkeyHex = nodePubkeyHex;
        Failed = JsonRead.Truthy(entry, "failed");
        Timeout = JsonRead.Truthy(entry, "timeout");
        BadPeerResponse = JsonRead.Truthy(entry, "bad_peer_response");
        QueryFailure = JsonRead.Truthy(entry, "query_failure");
        Reason = JsonRead.OptionalString(entry, "reason");
        if (JsonRead.TryGet(entry, "code", out var code))
        {
            // Upstream sends the peer's status code as a string (§8.3 [QUIRK]); accept a number too.
            Code = code.ValueKind switch
            {
                JsonValueKind.String => code.GetString(),
                JsonValueKind.Number => code.GetRawText(),
                _ => throw JsonRead.Bad("'code' is neither a string nor a number"),
            };
        }

        Signature = JsonRead.OptionalString(entry, "signature");
    }

    /// <summary>The node's Ed25519 public key (lowercase hex), the key its <see cref="Signature"/> verifies with.</summary>
    public string NodePubkeyHex { get; }

    /// <summary>The node failed to apply the request; see <see cref="Timeout"/>, <see cref="Code"/>, <see cref="Reason"/>.</summary>
    public bool Failed { get; }

    /// <summary>The peer did not answer the entry node in time.</summary>
    public bool Timeout { get; }

    /// <summary>The peer's reply could not be decoded.</summary>
    public bool BadPeerResponse { get; }

    /// <summary>The node's database operation failed (e.g. storage full).</summary>
    public bool QueryFailure { get; }

    /// <summary>The peer's error status code (a string upstream, e.g. <c>"401"</c>), or null.</summary>
    public string? Code { get; }

    /// <summary>The peer's error text or the entry node's exception message, or null.</summary>
    public string? Reason { get; }

    /// <summary>The node's signature (base64), or null on failure.</summary>
    public string? Signature { get; }

    /// <summary>
    /// True when <see cref="Signature"/> is a valid Ed25519 signature by <see cref="NodePubkeyHex"/> over the bytes
    /// the protocol prescribes for this result (client-rpc.md §6.8), rebuilt from the request and this entry.
    /// </summary>
    public bool SignatureValid { get; private set; }

    /// <summary>Verifies <see cref="Signature"/> over <paramref name="signedMessage"/> and records the outcome.</summary>
    internal void Verify(ReadOnlySpan<byte> signedMessage) =>
        SignatureValid = !Failed && VerifyNodeSignature(NodePubkeyHex, Signature, signedMessage);

    /// <summary>
    /// Verifies a base64 Ed25519 signature by the node whose key is <paramref name="nodePubkeyHex"/> (64 hex) over
    /// <paramref name="message"/>. False for malformed keys or signatures.
    /// </summary>
    public static bool VerifyNodeSignature(string nodePubkeyHex, string? signatureBase64, ReadOnlySpan<byte> message)
    {
        Span<byte> key = stackalloc byte[Ed25519.PublicKeySize];
        Span<byte> sig = stackalloc byte[Ed25519.SignatureSize];
        return signatureBase64 is not null
            && Hex.TryDecode(nodePubkeyHex, key)
            && Base64Strict.TryDecode(signatureBase64, sig, out var n)
            && n == Ed25519.SignatureSize
            && Ed25519.Verify(key, message, sig);
    }
}

/// <summary>
/// A replicated answer (client-rpc.md §8.2): one entry per swarm member keyed by the member's Ed25519 key, plus
/// the entry node's time and hard fork.
/// </summary>
/// <typeparam name="TEntry">The method's per-node entry.</typeparam>
public abstract class SwarmResult<TEntry>
    where TEntry : NodeEntry
{
    /// <summary>Parses <c>swarm</c>, <c>t</c> and <c>hf</c>; <paramref name="makeEntry"/> parses and verifies one entry.</summary>
    /// <param name="body">The response body.</param>
    /// <param name="makeEntry">Builds an entry from its map key and object.</param>
    protected SwarmResult(JsonElement body, Func<string, JsonElement, TEntry> makeEntry)
    {
        ArgumentNullException.ThrowIfNull(makeEntry);
        JsonRead.Object(body, "response");
        var swarm = JsonRead.Object(JsonRead.Required(body, "swarm"), "'swarm'");
        var entries = new Dictionary<string, TEntry>(StringComparer.Ordinal);
        foreach (var p in swarm.EnumerateObject())
        {
            entries[p.Name] = makeEntry(p.Name, p.Value);
        }

        Swarm = entries;
        Timestamp = JsonRead.Int64(body, "t");
        HardFork = JsonRead.HardFork(body);
    }

    /// <summary>Per-node results keyed by node Ed25519 key (lowercase hex); the entry node is included.</summary>
    public IReadOnlyDictionary<string, TEntry> Swarm { get; }

    /// <summary>The entry node's time in ms (<c>t</c>).</summary>
    public long Timestamp { get; }

    /// <summary>The network hard fork (<c>hf</c>).</summary>
    public HardFork HardFork { get; }

    /// <summary>Entries of the members that applied the request.</summary>
    public IEnumerable<TEntry> Succeeded => Swarm.Values.Where(e => !e.Failed);

    /// <summary>True when the swarm map is non-empty and no member failed.</summary>
    public bool AllSucceeded => Swarm.Count > 0 && Swarm.Values.All(e => !e.Failed);

    /// <summary>True when at least one member succeeded and every succeeded member's signature verifies.</summary>
    public bool SignaturesValid => Succeeded.Any() && Succeeded.All(e => e.SignatureValid);
}
