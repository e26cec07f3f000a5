using System.Text.Json;

namespace SessionNode.Swarm;

/// <summary>
/// oxend's <c>report_peer_status</c> JSON-RPC (swarm.md §12.5; an admin method, served on oxend's
/// unrestricted RPC port): after every completed reachability test in <see cref="NetworkMode.Oxend"/>
/// the node reports <c>{"type":"storage","pubkey":"&lt;legacy hex&gt;","passed":bool}</c>.
/// </summary>
public static class OxendPeerStatus
{
    /// <summary>The JSON-RPC request body.</summary>
    public static byte[] Request(string legacyHex, bool passed)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteString("id", "0");
            w.WriteString("method", "report_peer_status");
            w.WriteStartObject("params");
            w.WriteString("type", "storage");
            w.WriteString("pubkey", legacyHex);
            w.WriteBoolean("passed", passed);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Null if the answer is <c>{"result":{"status":"OK"}}</c> (or a bare <c>{"status":"OK"}</c>), else what was wrong.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "answer is not a JSON object";
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                return "oxend error: " + error.GetRawText();
            }

            var r = root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object ? result : root;
            return r.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() == "OK"
                ? null
                : "unexpected answer: " + r.GetRawText();
        }
        catch (JsonException e)
        {
            return "malformed answer: " + e.Message;
        }
    }
}
