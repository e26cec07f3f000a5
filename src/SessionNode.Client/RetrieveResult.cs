using System.Text.Json;
using SessionNode.Core;

namespace SessionNode.Client;

/// <summary>A stored message as returned by <c>retrieve</c> (client-rpc.md §9.2).</summary>
/// <param name="Hash">The message hash (43 characters).</param>
/// <param name="Timestamp">The sender's timestamp in ms, as given to <c>store</c>.</param>
/// <param name="Expiry">The current expiry in ms (wire key <c>expiration</c>).</param>
/// <param name="Data">The message body.</param>
public sealed record RetrievedMessage(string Hash, long Timestamp, long Expiry, ReadOnlyMemory<byte> Data);

/// <summary>The answer to <c>retrieve</c>: messages in the node's insertion order.</summary>
public sealed class RetrieveResult
{
    internal RetrieveResult(JsonElement body)
    {
        JsonRead.Object(body, "response");
        var messages = JsonRead.Required(body, "messages");
        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw JsonRead.Bad("'messages' is not an array");
        }

        var list = new List<RetrievedMessage>(messages.GetArrayLength());
        foreach (var m in messages.EnumerateArray())
        {
            JsonRead.Object(m, "message");
            var data = Base64Strict.DecodeOrNull(JsonRead.String(m, "data")) ?? throw JsonRead.Bad("message 'data' is not base64");
            list.Add(new RetrievedMessage(JsonRead.String(m, "hash"), JsonRead.Int64(m, "timestamp"), JsonRead.Int64(m, "expiration"), data));
        }

        Messages = list;
        More = JsonRead.Bool(body, "more");
        Timestamp = JsonRead.Int64(body, "t");
        HardFork = JsonRead.HardFork(body);
    }

    /// <summary>The messages, oldest stored first.</summary>
    public IReadOnlyList<RetrievedMessage> Messages { get; }

    /// <summary>True when the count or size limit stopped the listing before the end of the mailbox.</summary>
    public bool More { get; }

    /// <summary>The node's time in ms (<c>t</c>).</summary>
    public long Timestamp { get; }

    /// <summary>The network hard fork (<c>hf</c>).</summary>
    public HardFork HardFork { get; }
}

/// <summary>The answer to <c>get_expiries</c> (§9.10).</summary>
public sealed class GetExpiriesResult
{
    internal GetExpiriesResult(JsonElement body)
    {
        JsonRead.Object(body, "response");
        var expiries = JsonRead.Object(JsonRead.Required(body, "expiries"), "'expiries'");
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var p in expiries.EnumerateObject())
        {
            map[p.Name] = JsonRead.Int64Value(p.Value, "expiries");
        }

        Expiries = map;
    }

    /// <summary>Hash → current expiry (ms), only for requested hashes the account has.</summary>
    public IReadOnlyDictionary<string, long> Expiries { get; }
}

/// <summary>The answer to <c>info</c> (§9.3).</summary>
public sealed class InfoResult
{
    internal InfoResult(JsonElement body)
    {
        JsonRead.Object(body, "response");
        Version = JsonRead.IntArray(body, "version");
        NodeTime = JsonRead.Int64(body, "timestamp");
        Timestamp = JsonRead.Int64(body, "t");
        HardFork = JsonRead.HardFork(body);
    }

    /// <summary>The storage-server version the node reports, e.g. <c>[2, 8, 0]</c>.</summary>
    public IReadOnlyList<int> Version { get; }

    /// <summary>The node's time in ms (<c>timestamp</c>).</summary>
    public long NodeTime { get; }

    /// <summary>The node's time in ms (<c>t</c>).</summary>
    public long Timestamp { get; }

    /// <summary>The network hard fork (<c>hf</c>).</summary>
    public HardFork HardFork { get; }
}

/// <summary>The answer to <c>oxend_request</c> (§9.13).</summary>
public sealed class OxendResult
{
    internal OxendResult(JsonElement body)
    {
        JsonRead.Object(body, "response");
        Result = JsonRead.TryGet(body, "result", out var r) ? r.Clone() : default;
        Timestamp = JsonRead.Int64(body, "t");
        HardFork = JsonRead.HardFork(body);
    }

    /// <summary>oxend's JSON result (undefined <see cref="JsonValueKind"/> when absent).</summary>
    public JsonElement Result { get; }

    /// <summary>The node's time in ms (<c>t</c>).</summary>
    public long Timestamp { get; }

    /// <summary>The network hard fork (<c>hf</c>).</summary>
    public HardFork HardFork { get; }
}
