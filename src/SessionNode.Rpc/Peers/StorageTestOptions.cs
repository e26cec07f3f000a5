using Microsoft.Extensions.Options;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Storage-test options (the <c>StorageTest*</c> keys of config section "Network"; Rpc Peers README "Storage tests"). Production
/// defaults detect a member that lost its data in about ten minutes while riding out replication lag,
/// catch-up after downtime and overload.
/// </summary>
public sealed class StorageTestOptions
{
    /// <summary>Configuration section name (shared with the membership options).</summary>
    public const string SectionName = "Network";

    /// <summary>Run the tester. Default: true. The testee side is always served.</summary>
    public bool StorageTestEnabled { get; set; } = true;

    /// <summary>Time between two test rounds (±10% jitter); each round tests one peer plus pending retries. Default: 60 s.</summary>
    public TimeSpan StorageTestInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Minimum age (by the message's client timestamp) of a tested message, and time a peer must have been in our
    /// swarm before it is tested: long enough for replication, retry queues and joining pushes. Default: 5 min.
    /// </summary>
    public TimeSpan StorageTestMinAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A tested message must not expire within this (so expiry sweeps do not race the test). Default: 10 min.</summary>
    public TimeSpan StorageTestMinRemaining { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Deadline of one challenge; a late answer counts as unreachable, never as a failure. Default: 15 s (swarm.md §13.4).</summary>
    public TimeSpan StorageTestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>"Not found" answers to the same challenge that are retried before it counts as a failure. Default: 3.</summary>
    public int StorageTestRetries { get; set; } = 3;

    /// <summary>Minimum time between the first "not found" and a counted failure (catch-up time). Default: 3 min.</summary>
    public TimeSpan StorageTestRetryWindow { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Consecutive counted failures after which a peer is reported failing. Default: 2.</summary>
    public int StorageTestFailingAfter { get; set; } = 2;

    /// <summary>Results older than this are dropped (swarm.md §15.1). Default: 120 min.</summary>
    public TimeSpan StorageTestRetention { get; set; } = TimeSpan.FromMinutes(120);
}

/// <summary>Validates <see cref="StorageTestOptions"/> at start.</summary>
internal sealed class StorageTestOptionsValidator : IValidateOptions<StorageTestOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageTestOptions options)
    {
        var errors = new List<string>();
        if (options.StorageTestInterval <= TimeSpan.Zero || options.StorageTestTimeout <= TimeSpan.Zero || options.StorageTestRetention <= TimeSpan.Zero)
        {
            errors.Add("Network:StorageTestInterval, StorageTestTimeout and StorageTestRetention must be positive.");
        }

        if (options.StorageTestMinAge < TimeSpan.Zero || options.StorageTestMinRemaining < TimeSpan.Zero || options.StorageTestRetryWindow < TimeSpan.Zero)
        {
            errors.Add("Network:StorageTestMinAge, StorageTestMinRemaining and StorageTestRetryWindow must not be negative.");
        }

        if (options.StorageTestRetries < 0)
        {
            errors.Add("Network:StorageTestRetries must not be negative.");
        }

        if (options.StorageTestFailingAfter < 1)
        {
            errors.Add("Network:StorageTestFailingAfter must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
