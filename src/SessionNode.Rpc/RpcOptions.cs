namespace SessionNode.Rpc;

/// <summary>Client API options (config section "Rpc").</summary>
public sealed class RpcOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Rpc";

    /// <summary>Per-IP token bucket rate limiting of /storage_rpc/v1 (client-rpc.md §10). Default: true.</summary>
    public bool RateLimitEnabled { get; set; } = true;

    /// <summary>Network hard fork reported as <c>hf</c> when no oxend is configured. Default: [19, 4].</summary>
    public int HardForkMajor { get; set; } = 19;

    /// <summary>Hard fork minor version. Default: 4.</summary>
    public int HardForkMinor { get; set; } = 4;

    /// <summary>Chain height reported when no oxend is configured. Default: 0.</summary>
    public long Height { get; set; }
}
