using System.Text.Json;

namespace SessionNode.Client;

/// <summary>One service node of a swarm list (client-rpc.md §7.3).</summary>
/// <param name="Address">Deprecated: z-base-32 of the legacy key followed by <c>.snode</c>.</param>
/// <param name="PubkeyLegacy">Legacy key, 64 hex.</param>
/// <param name="PubkeyX25519">X25519 key, 64 hex.</param>
/// <param name="PubkeyEd25519">Ed25519 key, 64 hex (the key of the node's signatures).</param>
/// <param name="Port">Deprecated: the HTTPS port as a decimal string.</param>
/// <param name="PortHttps">HTTPS port.</param>
/// <param name="PortOmq">OxenMQ port.</param>
/// <param name="PortQuic">QUIC port.</param>
/// <param name="Ip">Dotted IPv4 address.</param>
public sealed record ServiceNodeInfo(
    string Address,
    string PubkeyLegacy,
    string PubkeyX25519,
    string PubkeyEd25519,
    string Port,
    int PortHttps,
    int PortOmq,
    int PortQuic,
    string Ip);

/// <summary>The swarm object of <c>get_swarm</c> and of 421 answers (§7.3).</summary>
public sealed class SwarmInfo
{
    private SwarmInfo(IReadOnlyList<ServiceNodeInfo> snodes, string swarmId, long? timestamp, HardFork? hardFork)
    {
        Snodes = snodes;
        SwarmId = swarmId;
        Timestamp = timestamp;
        HardFork = hardFork;
    }

    /// <summary>The swarm's members.</summary>
    public IReadOnlyList<ServiceNodeInfo> Snodes { get; }

    /// <summary>The swarm id as lowercase hex without leading zeros (<c>ffffffffffffffff</c> when none).</summary>
    public string SwarmId { get; }

    /// <summary>The node's time in ms (<c>t</c>), when present.</summary>
    public long? Timestamp { get; }

    /// <summary>The network hard fork (<c>hf</c>), when present.</summary>
    public HardFork? HardFork { get; }

    /// <summary>Parses a swarm object.</summary>
    /// <exception cref="SessionNodeProtocolException">The object does not have the swarm shape.</exception>
    public static SwarmInfo Parse(JsonElement body)
    {
        JsonRead.Object(body, "swarm object");
        var snodes = JsonRead.Required(body, "snodes");
        if (snodes.ValueKind != JsonValueKind.Array)
        {
            throw JsonRead.Bad("'snodes' is not an array");
        }

        var list = new List<ServiceNodeInfo>(snodes.GetArrayLength());
        foreach (var n in snodes.EnumerateArray())
        {
            JsonRead.Object(n, "snode");
            list.Add(new ServiceNodeInfo(
                JsonRead.String(n, "address"),
                JsonRead.String(n, "pubkey_legacy"),
                JsonRead.String(n, "pubkey_x25519"),
                JsonRead.String(n, "pubkey_ed25519"),
                JsonRead.String(n, "port"),
                checked((int)JsonRead.Int64(n, "port_https")),
                checked((int)JsonRead.Int64(n, "port_omq")),
                checked((int)JsonRead.Int64(n, "port_quic")),
                JsonRead.String(n, "ip")));
        }

        var hf = JsonRead.TryGet(body, "hf", out _) ? JsonRead.HardFork(body) : (HardFork?)null;
        return new SwarmInfo(list, JsonRead.String(body, "swarm"), JsonRead.OptionalInt64(body, "t"), hf);
    }
}
