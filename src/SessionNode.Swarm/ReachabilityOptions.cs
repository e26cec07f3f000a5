using Microsoft.Extensions.Options;

namespace SessionNode.Swarm;

/// <summary>Peer reachability testing (config section "Reachability", swarm.md §12, §16).</summary>
public sealed class ReachabilityOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Reachability";

    /// <summary>Whether this node tests its peers periodically. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Scheduler tick (swarm.md §12.1). Default: 200 ms.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Mean of the Normal-distributed interval between random peer tests. Default: 10 s.</summary>
    public TimeSpan RandomTestMean { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Standard deviation of that interval. Default: 3 s.</summary>
    public TimeSpan RandomTestStdDev { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Extra retest delay per previous consecutive failure (the p × 10 s of swarm.md §12.4). Default: 10 s.</summary>
    public TimeSpan RetestStep { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest retest delay of a failing peer. Default: 120 s.</summary>
    public TimeSpan RetestMax { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Due failing peers retested per tick, earliest first. Default: 4.</summary>
    public int MaxRetestsPerTick { get; set; } = 4;

    /// <summary>Timeout of each sub-test (HTTPS ping, gRPC Ping). Default: 5 s.</summary>
    public TimeSpan TestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Silence after which missing incoming pings are warned about, and the re-warn period (§12.6). Default: 2 min.</summary>
    public TimeSpan IncomingSilenceWarning { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Shortest interval between two <c>TestMe</c> requests (check-reachability) from the same caller;
    /// earlier ones are refused with <c>ResourceExhausted</c>. Default: 5 s.
    /// </summary>
    public TimeSpan TestMeMinInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Validates <see cref="ReachabilityOptions"/> at start.</summary>
internal sealed class ReachabilityOptionsValidator : IValidateOptions<ReachabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ReachabilityOptions options)
    {
        var errors = new List<string>();
        if (options.Tick <= TimeSpan.Zero || options.RandomTestMean <= TimeSpan.Zero || options.TestTimeout <= TimeSpan.Zero
            || options.RetestMax <= TimeSpan.Zero || options.IncomingSilenceWarning <= TimeSpan.Zero)
        {
            errors.Add("Reachability:Tick, RandomTestMean, RetestMax, TestTimeout and IncomingSilenceWarning must be positive.");
        }

        if (options.RandomTestStdDev < TimeSpan.Zero || options.RetestStep < TimeSpan.Zero || options.TestMeMinInterval < TimeSpan.Zero)
        {
            errors.Add("Reachability:RandomTestStdDev, RetestStep and TestMeMinInterval must not be negative.");
        }

        if (options.MaxRetestsPerTick < 1)
        {
            errors.Add("Reachability:MaxRetestsPerTick must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
