namespace SessionNode.Rpc;

/// <summary>Node-wide options (config section "Node"): where it keeps data and where it listens.</summary>
public sealed class NodeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Node";

    /// <summary>Folder for all persistent files (key, certificate, database). Default: "data" (relative to the working directory).</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>IP address the client HTTPS listener binds to. Default: 127.0.0.1.</summary>
    public string BindIp { get; set; } = "127.0.0.1";

    /// <summary>Client HTTPS port; 0 picks a free port (tests). Default: 22021.</summary>
    public int HttpsPort { get; set; } = 22021;

    /// <summary>Peer (gRPC) port advertised as port_omq/port_quic; 0 picks a free port. Default: 22020.</summary>
    public int PeerPort { get; set; } = 22020;

    /// <summary>
    /// Admin HTTP port on 127.0.0.1 only (<c>GET /stats</c>, <c>POST /check_reachability</c>); 0 picks a
    /// free port (tests), negative disables. Default: 22030.
    /// </summary>
    public int AdminPort { get; set; } = 22030;

    /// <summary>IPv4 address advertised to clients in swarm lists; empty means <see cref="BindIp"/>. Default: empty.</summary>
    public string PublicIp { get; set; } = string.Empty;

    /// <summary>Answer client requests even when the node is not ready (debugging). Default: false.</summary>
    public bool ForceStart { get; set; }
}
