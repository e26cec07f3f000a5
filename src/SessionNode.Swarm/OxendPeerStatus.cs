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
    public static byte[] Request(string legacyHex, bool passed) => OxendJsonRpc.Request("report_peer_status", w =>
    {
        w.WriteString("type", "storage");
        w.WriteString("pubkey", legacyHex);
        w.WriteBoolean("passed", passed);
    });

    /// <summary>Null if the answer is <c>{"result":{"status":"OK"}}</c> (or a bare <c>{"status":"OK"}</c>), else what was wrong.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var r = OxendJsonRpc.Result(doc.RootElement);
            return r.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String && status.GetString() == "OK"
                ? null
                : "unexpected answer: " + r.GetRawText();
        }
        catch (JsonException e)
        {
            return "malformed answer: " + e.Message;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
