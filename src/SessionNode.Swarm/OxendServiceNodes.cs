using System.Globalization;
using System.Text.Json;

namespace SessionNode.Swarm;

/// <summary>One parsed <c>get_service_nodes</c> answer (swarm.md §2.2).</summary>
/// <param name="Unchanged">oxend answered <c>"unchanged": true</c> (nothing else was read).</param>
/// <param name="BlockHash">The top block hash.</param>
/// <param name="Network">The nodes, hard fork and height (null when unchanged).</param>
/// <param name="SkippedWithoutKeys">Funded elements skipped for lacking an aux key.</param>
/// <param name="SkippedWithoutAddress">Funded elements with keys skipped for lacking an address field.</param>
public sealed record OxendUpdate(bool Unchanged, string BlockHash, NetworkDefinition? Network, int SkippedWithoutKeys, int SkippedWithoutAddress = 0)
{
    /// <summary>
    /// True if more than 3 % of the funded nodes came without aux keys: oxend has probably not synced
    /// their uptime proofs yet (swarm.md §2.2 diagnostic).
    /// </summary>
    public bool ManyWithoutKeys => Network is { } n && SkippedWithoutKeys > 3 * (n.Nodes.Count + SkippedWithoutKeys + SkippedWithoutAddress) / 100;
}

/// <summary>
/// Request body and answer parser of oxend's <c>get_service_nodes</c> JSON-RPC (swarm.md §2.2):
/// unfunded elements, elements without both aux keys and elements without an address (no
/// <c>public_ip</c>, <c>storage_port</c> or <c>storage_lmq_port</c> field) are skipped, never failing the whole
/// update; an address oxend does not know yet (<c>0.0.0.0</c> or empty, ports 0) is kept, and IP preservation
/// applies to it (§3.4); swarm ids are unsigned 64-bit.
/// </summary>
public static class OxendServiceNodes
{
    /// <summary>The JSON-RPC request; <paramref name="pollBlockHash"/> is sent once a hash is known.</summary>
    public static byte[] Request(string? pollBlockHash) => OxendJsonRpc.Request("get_service_nodes", w =>
    {
        w.WriteStartObject("fields");
        foreach (var f in (string[])["service_node_pubkey", "swarm_id", "storage_port", "public_ip", "height", "block_hash", "hardfork", "snode_revision", "funded", "pubkey_x25519", "pubkey_ed25519", "storage_lmq_port"])
        {
            w.WriteBoolean(f, true);
        }

        w.WriteEndObject();
        w.WriteBoolean("active_only", false);
        if (!string.IsNullOrEmpty(pollBlockHash))
        {
            w.WriteString("poll_block_hash", pollBlockHash);
        }
    });

    /// <summary>Parses a JSON-RPC answer; throws <see cref="FormatException"/> if it is an error or malformed.</summary>
    public static OxendUpdate Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var r = OxendJsonRpc.Result(doc.RootElement);
            var blockHash = r.TryGetProperty("block_hash", out var bh) && bh.ValueKind == JsonValueKind.String ? bh.GetString()! : string.Empty;
            if (r.TryGetProperty("unchanged", out var u) && u.ValueKind == JsonValueKind.True)
            {
                return new OxendUpdate(true, blockHash, null, 0);
            }

            var height = r.GetProperty("height").GetInt64();
            var hf = r.GetProperty("hardfork").GetInt32();
            var revision = r.TryGetProperty("snode_revision", out var rev) ? rev.GetInt32() : 0;
            var nodes = new List<ServiceNodeRecord>();
            var skipped = 0;
            var skippedNoAddress = 0;
            foreach (var e in r.GetProperty("service_node_states").EnumerateArray())
            {
                if (!e.GetProperty("funded").GetBoolean())
                {
                    continue;
                }

                var legacy = Key(e, "service_node_pubkey") ?? throw new FormatException("service_node_pubkey missing");
                var ed = Key(e, "pubkey_ed25519");
                var x = Key(e, "pubkey_x25519");
                if (ed is null || x is null)
                {
                    skipped++;
                    continue;
                }

                // No address at all: skipped (the reference would fail the whole update on the missing field).
                if (!e.TryGetProperty("public_ip", out var ipEl) || ipEl.ValueKind == JsonValueKind.Null
                    || !e.TryGetProperty("storage_port", out var hp) || hp.ValueKind == JsonValueKind.Null
                    || !e.TryGetProperty("storage_lmq_port", out var pp) || pp.ValueKind == JsonValueKind.Null)
                {
                    skippedNoAddress++;
                    continue;
                }

                // An empty address means "not yet known", like 0.0.0.0 (swarm.md §3.1), so IP preservation applies to it.
                var ip = ipEl.ValueKind == JsonValueKind.String && ipEl.GetString() is { Length: > 0 } text ? text : "0.0.0.0";
                var https = hp.GetUInt16();
                var peer = pp.GetUInt16();
                var swarm = e.GetProperty("swarm_id").GetUInt64();
                nodes.Add(new ServiceNodeRecord(ed, x, legacy, ip, https, peer, swarm));
            }

            return new OxendUpdate(false, blockHash, new NetworkDefinition(nodes, (hf, revision), height), skipped, skippedNoAddress);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("malformed get_service_nodes answer: " + e.Message, e);
        }
    }

    /// <summary>
    /// IP preservation (swarm.md §3.4): a record with 0.0.0.0 and both ports 0 takes the address of the
    /// same node (legacy key) from the previous view if that one is complete.
    /// </summary>
    public static NetworkDefinition PreserveAddresses(NetworkDefinition next, IReadOnlyList<ServiceNodeRecord> previous)
    {
        var old = previous.GroupBy(n => n.LegacyHex).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var nodes = next.Nodes.Select(n =>
            n is { Ip: "0.0.0.0", HttpsPort: 0, PeerPort: 0 }
            && old.TryGetValue(n.LegacyHex, out var o) && o.Ip != "0.0.0.0" && o.HttpsPort != 0 && o.PeerPort != 0
                ? n with { Ip = o.Ip, HttpsPort = o.HttpsPort, PeerPort = o.PeerPort }
                : n).ToArray();
        return next with { Nodes = nodes };
    }

    private static byte[]? Key(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var el) || el.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var s = el.GetString()!;
        if (s.Length == 0)
        {
            return null;
        }

        if (s.Length != 64 || !Core.Hex.IsHex(s))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{name} is not 64 hex digits"));
        }

        return Convert.FromHexString(s);
    }
}
