namespace SessionNode.Daemon.Configuration;

/// <summary>Process-level options of the daemon (config section "Daemon"): logging and reference-compatibility switches.</summary>
public sealed class DaemonOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Daemon";

    /// <summary>
    /// Global log level, in the reference's names: trace, debug, info, warn, error, critical, off.
    /// Default: "info".
    /// </summary>
    public string LogLevel { get; set; } = "info";

    /// <summary>Reference testnet switch. Accepted for compatibility; testnet rules are not implemented. Default: false.</summary>
    public bool Testnet { get; set; }

    /// <summary>
    /// The reference's get_stats access keys (X25519, 64 hex characters each). Validated for compatibility and
    /// unused: get_stats is served on the loopback-only admin listener. Default: none.
    /// </summary>
    public string[] StatsAccessKeys { get; set; } = [];

    /// <summary>
    /// A reference OxenMQ oxend address given with <c>--oxend-rpc</c> (ipc://, tcp://): not usable, logged at
    /// startup. An http(s) address goes to <c>Network:OxendRpcUrl</c> instead. Default: empty.
    /// </summary>
    public string OxendRpc { get; set; } = string.Empty;

    /// <summary>
    /// How often glibc's malloc heaps hand their free pages back to the OS (<c>malloc_trim</c>; see
    /// <c>NativeHeapTrimmer</c>); zero turns it off. Default: 10 s.
    /// </summary>
    public TimeSpan NativeHeapTrimInterval { get; set; } = TimeSpan.FromSeconds(10);
}
