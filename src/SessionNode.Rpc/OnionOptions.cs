using Microsoft.Extensions.Options;

namespace SessionNode.Rpc;

/// <summary>Onion request options (config section "Onion"): exit-proxy destinations and their protection (onion.md §9).</summary>
public sealed class OnionOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Onion";

    /// <summary>
    /// Let the exit proxy reach loopback, link-local, RFC 1918/CGNAT and ULA destinations (by literal and by the
    /// address a name resolves to). Default: false (onion.md §9.2 decision); tests set true to reach 127.0.0.1.
    /// </summary>
    public bool AllowPrivateProxyTargets { get; set; }

    /// <summary>
    /// Accept any TLS certificate from https destinations. Default: false (§9.3: validation on); tests with
    /// self-signed servers set true.
    /// </summary>
    public bool AllowInsecureProxyTls { get; set; }

    /// <summary>
    /// Total time for one proxied request, connect to last body byte. Default: 25 s (§9.3: shorter than the 30 s
    /// relay deadline so the 504 still gets back along the path).
    /// </summary>
    public TimeSpan ProxyTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// Proxied requests in flight to one destination host at a time; more are answered 429. Default: 32, about what
    /// one busy file or open-group server sees from one exit without being a flood.
    /// </summary>
    public int ProxyMaxConcurrentPerHost { get; set; } = 32;

    /// <summary>
    /// Sustained proxied requests per second to one destination host (token-bucket refill); more are answered 429.
    /// Default: 100/s.
    /// </summary>
    public double ProxyRequestsPerSecondPerHost { get; set; } = 100;

    /// <summary>Token-bucket capacity per destination host (the burst allowed after idle time). Default: 200 requests (2 s of the rate).</summary>
    public int ProxyBurstPerHost { get; set; } = 200;

    /// <summary>Largest response body accepted from a destination; larger ones are answered 502. Default: 16 MiB.</summary>
    public int ProxyMaxResponseBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>Validates <see cref="OnionOptions"/> at start.</summary>
internal sealed class OnionOptionsValidator : IValidateOptions<OnionOptions>
{
    public ValidateOptionsResult Validate(string? name, OnionOptions options)
    {
        var errors = new List<string>();
        if (options.ProxyTimeout <= TimeSpan.Zero)
        {
            errors.Add("Onion:ProxyTimeout must be positive.");
        }

        if (options.ProxyMaxConcurrentPerHost < 1)
        {
            errors.Add("Onion:ProxyMaxConcurrentPerHost must be at least 1.");
        }

        if (!(options.ProxyRequestsPerSecondPerHost > 0))
        {
            errors.Add("Onion:ProxyRequestsPerSecondPerHost must be positive.");
        }

        if (options.ProxyBurstPerHost < 1)
        {
            errors.Add("Onion:ProxyBurstPerHost must be at least 1.");
        }

        if (options.ProxyMaxResponseBytes < 1)
        {
            errors.Add("Onion:ProxyMaxResponseBytes must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
