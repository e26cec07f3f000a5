namespace SessionNode.Daemon.Configuration;

/// <summary>Limits of the client HTTPS listener (config section "Https"). The port and address live in <c>Node</c>.</summary>
public sealed class HttpsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Https";

    /// <summary>
    /// Maximum open client connections; further connections are refused. Default: 10 000 (the
    /// rate limiter tracks at most 10 000 clients, and the systemd unit allows 16 384 descriptors,
    /// leaving room for peer connections and RocksDB files).
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Idle time after which a keep-alive connection is closed. Default: 2 minutes (Kestrel's default is 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time a client has to send all request headers. Default: 30 seconds (Kestrel's default).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time in-flight requests get to finish after SIGTERM before the host stops anyway. Default: 10 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
