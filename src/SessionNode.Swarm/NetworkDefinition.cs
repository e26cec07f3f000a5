using System.Globalization;
using System.Text.Json;
using SessionNode.Crypto;

namespace SessionNode.Swarm;

/// <summary>A network as a source describes it: the nodes, the hard fork and the height (immutable).</summary>
public sealed record NetworkDefinition(IReadOnlyList<ServiceNodeRecord> Nodes, (int Major, int Minor) HardFork, long Height)
{
    /// <summary>
    /// Turns the definition into a snapshot for the node <paramref name="local"/>: our own record
    /// (matched by Ed25519) gets the real listener ports, and the advertised IP if the source had none.
    /// </summary>
    public MembershipSnapshot ToSnapshot(long version, LocalNode local)
    {
        var (https, peer) = local.Ports;
        ServiceNodeRecord? self = null;
        var nodes = new List<ServiceNodeRecord>(Nodes.Count);
        foreach (var n in Nodes)
        {
            if (n.Ed25519Hex == local.Ed25519Hex)
            {
                var s = n with
                {
                    HttpsPort = https != 0 ? https : n.HttpsPort,
                    PeerPort = peer != 0 ? peer : n.PeerPort,
                    Ip = n.Ip is "" or "0.0.0.0" ? local.AdvertisedIp : n.Ip,
                };
                self = s;
                nodes.Add(s);
            }
            else
            {
                nodes.Add(n);
            }
        }

        return new MembershipSnapshot(version, nodes, self, HardFork, Height);
    }
}

/// <summary>
/// Parser of the static network file:
/// <c>{"hf":[19,4],"height":0,"nodes":[{"pubkey_ed25519":hex,"pubkey_x25519":hex?,"ip":"127.0.0.1","port_https":n,"port_peer":n,"swarm_id":n}]}</c>.
/// <c>pubkey_x25519</c> defaults to the conversion of the Ed25519 key, <c>pubkey_legacy</c> to the
/// Ed25519 key; <c>swarm_id</c> is an unsigned 64-bit number (or a decimal string), absent = none.
/// </summary>
public static class StaticNetworkFile
{
    /// <summary>Parses a file's bytes; throws <see cref="FormatException"/> describing the first problem.</summary>
    public static NetworkDefinition Parse(ReadOnlySpan<byte> utf8)
    {
        // Editors on some systems save a UTF-8 byte-order mark; the JSON reader does not skip it.
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException("network file is not valid JSON: " + e.Message, e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("network file must be a JSON object");
            }

            var hf = (19, 4);
            if (root.TryGetProperty("hf", out var hfEl))
            {
                if (hfEl.ValueKind != JsonValueKind.Array || hfEl.GetArrayLength() != 2
                    || !hfEl[0].TryGetInt32(out var major) || !hfEl[1].TryGetInt32(out var minor))
                {
                    throw new FormatException("\"hf\" must be [major, minor]");
                }

                hf = (major, minor);
            }

            long height = 0;
            if (root.TryGetProperty("height", out var hEl) && !hEl.TryGetInt64(out height))
            {
                throw new FormatException("\"height\" must be an integer");
            }

            if (!root.TryGetProperty("nodes", out var nodesEl) || nodesEl.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("\"nodes\" must be an array");
            }

            var nodes = new List<ServiceNodeRecord>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var n in nodesEl.EnumerateArray())
            {
                var node = ParseNode(n, i);
                if (!seen.Add(node.Ed25519Hex))
                {
                    throw new FormatException($"nodes[{i}]: duplicate pubkey_ed25519");
                }

                nodes.Add(node);
                i++;
            }

            return new NetworkDefinition(nodes, hf, height);
        }
    }

    private static ServiceNodeRecord ParseNode(JsonElement n, int i)
    {
        if (n.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"nodes[{i}] must be an object");
        }

        var ed = Key(n, "pubkey_ed25519", i) ?? throw new FormatException($"nodes[{i}]: pubkey_ed25519 is required");
        var x = Key(n, "pubkey_x25519", i);
        if (x is null)
        {
            x = new byte[32];
            if (!Ed25519.TryConvertPublicKeyToX25519(ed, x))
            {
                throw new FormatException($"nodes[{i}]: pubkey_ed25519 is not a valid Ed25519 key");
            }
        }

        var legacy = Key(n, "pubkey_legacy", i) ?? ed;
        var ip = n.TryGetProperty("ip", out var ipEl) && ipEl.ValueKind == JsonValueKind.String ? ipEl.GetString()! : "0.0.0.0";
        if (!System.Net.IPAddress.TryParse(ip, out var parsedIp) || parsedIp.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new FormatException($"nodes[{i}]: ip must be a dotted IPv4 address");
        }

        var https = Port(n, "port_https", i);
        var peer = Port(n, "port_peer", i);
        var swarm = SwarmMapping.InvalidSwarmId;
        if (n.TryGetProperty("swarm_id", out var sEl))
        {
            var ok = sEl.ValueKind switch
            {
                JsonValueKind.Number => sEl.TryGetUInt64(out swarm),
                JsonValueKind.String => ulong.TryParse(sEl.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out swarm),
                _ => false,
            };
            if (!ok)
            {
                throw new FormatException($"nodes[{i}]: swarm_id must be an unsigned 64-bit integer");
            }
        }

        return new ServiceNodeRecord(ed, x, legacy, ip, https, peer, swarm);
    }

    private static byte[]? Key(JsonElement n, string name, int i)
    {
        if (!n.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var s = el.ValueKind == JsonValueKind.String ? el.GetString()! : string.Empty;
        if (s.Length != 64 || !Core.Hex.IsHex(s))
        {
            throw new FormatException($"nodes[{i}]: {name} must be 64 hex digits");
        }

        return Convert.FromHexString(s);
    }

    private static int Port(JsonElement n, string name, int i)
    {
        if (!n.TryGetProperty(name, out var el))
        {
            return 0;
        }

        if (!el.TryGetInt32(out var port) || port is < 0 or > 65535)
        {
            throw new FormatException($"nodes[{i}]: {name} must be a port number");
        }

        return port;
    }
}
