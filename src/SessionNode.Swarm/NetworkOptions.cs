using Microsoft.Extensions.Options;

namespace SessionNode.Swarm;

/// <summary>Where the membership view comes from.</summary>
public enum NetworkMode
{
    /// <summary>A one-node network: this node is swarm 0 and serves every account.</summary>
    Standalone,

    /// <summary>A JSON network file (<see cref="NetworkOptions.StaticFile"/>), reloaded when it changes.</summary>
    Static,

    /// <summary>oxend's HTTP JSON-RPC <c>get_service_nodes</c>, polled (swarm.md §2).</summary>
    Oxend,
}

/// <summary>Membership source options (config section "Network").</summary>
public sealed class NetworkOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Network";

    /// <summary>standalone | static | oxend. Default: standalone.</summary>
    public NetworkMode Mode { get; set; } = NetworkMode.Standalone;

    /// <summary>Path of the static network file (mode static). Default: empty.</summary>
    public string StaticFile { get; set; } = string.Empty;

    /// <summary>How often the static file is re-read as a fallback to change notifications. Default: 1 s.</summary>
    public TimeSpan StaticPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>oxend RPC base URL (mode oxend); requests go to <c>&lt;url&gt;/json_rpc</c>. Default: http://127.0.0.1:22023.</summary>
    public string OxendRpcUrl { get; set; } = "http://127.0.0.1:22023";

    /// <summary>
    /// Mode oxend: take this node's keys from oxend's <c>get_service_node_privkey</c> at start (swarm.md §1),
    /// as a service node must; false keeps the key file of the data folder (devnets and tests where one
    /// oxend serves several nodes). Default: true.
    /// </summary>
    public bool OxendKeys { get; set; } = true;

    /// <summary>Interval between <c>get_service_nodes</c> polls (and retries while oxend is unreachable, key retrieval at start included). Default: 5 s.</summary>
    public TimeSpan OxendPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Interval of <c>storage_server_ping</c> to oxend (mode oxend; swarm.md §14); zero turns pings off. Default: 30 s.</summary>
    public TimeSpan OxendPingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one oxend request. Default: 15 s (the OxenMQ default, swarm.md §2.1).</summary>
    public TimeSpan OxendRequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>True if <paramref name="text"/> can be <see cref="OxendRpcUrl"/>: an absolute http(s) URL (oxend's HTTP JSON-RPC).</summary>
    public static bool IsOxendRpcUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>Per-peer capacity of the persistent replication retry queue (requests). Default: 100000.</summary>
    public int RetryQueueCapacity { get; set; } = 100_000;

    /// <summary>
    /// How often held accounts that our swarm no longer serves are checked with their new owners and
    /// purged once confirmed (a pass also runs soon after account placement changes). Default: 5 min.
    /// </summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an account must have been continuously foreign (another swarm's) before it may be
    /// purged, even when its new owners confirm holding it. Default: 1 h.
    /// </summary>
    public TimeSpan PurgeGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most foreign accounts checked (and purged) per pass. Default: 1000.</summary>
    public int PurgeBatchAccounts { get; set; } = 1000;

    /// <summary>Period of anti-entropy rounds with one swarm peer (round-robin); zero disables the timer. Default: 30 s.</summary>
    public TimeSpan AntiEntropyInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pace of anti-entropy traffic (both directions), bytes per second. Default: 4 MiB/s.</summary>
    public long AntiEntropyBytesPerSecond { get; set; } = 4L * 1024 * 1024;

    /// <summary>Traffic after which a round stops (the next round continues the repair). Default: 64 MiB.</summary>
    public long AntiEntropyMaxRoundBytes { get; set; } = 64L * 1024 * 1024;
}

/// <summary>Validates <see cref="NetworkOptions"/> at start.</summary>
internal sealed class NetworkOptionsValidator : IValidateOptions<NetworkOptions>
{
    public ValidateOptionsResult Validate(string? name, NetworkOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add("Network:Mode must be standalone, static or oxend.");
        }

        if (options.Mode == NetworkMode.Static && string.IsNullOrWhiteSpace(options.StaticFile))
        {
            errors.Add("Network:StaticFile is required when Network:Mode is static.");
        }

        if (options.Mode == NetworkMode.Oxend
            && !NetworkOptions.IsOxendRpcUrl(options.OxendRpcUrl))
        {
            errors.Add($"Network:OxendRpcUrl '{options.OxendRpcUrl}' is not an http(s) URL.");
        }

        if (options.StaticPollInterval <= TimeSpan.Zero || options.OxendPollInterval <= TimeSpan.Zero || options.OxendRequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("Network:StaticPollInterval, OxendPollInterval and OxendRequestTimeout must be positive.");
        }

        if (options.OxendPingInterval < TimeSpan.Zero)
        {
            errors.Add("Network:OxendPingInterval must not be negative (zero turns pings off).");
        }

        if (options.RetryQueueCapacity < 1)
        {
            errors.Add("Network:RetryQueueCapacity must be at least 1.");
        }

        if (options.PurgeInterval <= TimeSpan.Zero || options.PurgeGracePeriod < TimeSpan.Zero)
        {
            errors.Add("Network:PurgeInterval must be positive and Network:PurgeGracePeriod must not be negative.");
        }

        if (options.PurgeBatchAccounts < 1)
        {
            errors.Add("Network:PurgeBatchAccounts must be at least 1.");
        }

        if (options.AntiEntropyInterval < TimeSpan.Zero)
        {
            errors.Add("Network:AntiEntropyInterval must not be negative (zero disables the timer).");
        }

        if (options.AntiEntropyBytesPerSecond < 64 * 1024 || options.AntiEntropyMaxRoundBytes < 1024 * 1024)
        {
            errors.Add("Network:AntiEntropyBytesPerSecond must be at least 65536 and Network:AntiEntropyMaxRoundBytes at least 1048576.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
