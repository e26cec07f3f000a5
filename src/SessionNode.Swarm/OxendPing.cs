namespace SessionNode.Swarm;

/// <summary>
/// oxend's <c>storage_server_ping</c> JSON-RPC (swarm.md §14; admin): tells oxend that the storage server is
/// alive and which ports to advertise in its uptime proofs. The answer is checked with
/// <see cref="OxendPeerStatus.Problem"/> (<c>{"status":"OK"}</c> means success).
/// </summary>
public static class OxendPing
{
    /// <summary>The JSON-RPC method.</summary>
    public const string Method = "storage_server_ping";

    /// <summary>The JSON-RPC request body: <c>{"version":[…],"pubkey_ed25519":hex,"https_port":n,"omq_port":n}</c>.</summary>
    public static byte[] Request(int[] version, string ed25519Hex, int httpsPort, int peerPort) => OxendJsonRpc.Request(Method, w =>
    {
        w.WriteStartArray("version");
        foreach (var v in version)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
        w.WriteString("pubkey_ed25519", ed25519Hex);
        w.WriteNumber("https_port", httpsPort);
        w.WriteNumber("omq_port", peerPort);
    });
}
