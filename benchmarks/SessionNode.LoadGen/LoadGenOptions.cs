namespace SessionNode.LoadGen;

/// <summary>Settings of one generator invocation, parsed from the command line. Immutable.</summary>
internal sealed record LoadGenOptions
{
    /// <summary>
    /// The nodes' base addresses; connection <c>i</c> sends to <c>Targets[i % Targets.Count]</c>, setup and
    /// verification use the first. Default: https://127.0.0.1:22021/.
    /// </summary>
    public IReadOnlyList<Uri> Targets { get; init; } = [new("https://127.0.0.1:22021/")];

    /// <summary>The first target: setup, verification and the clock sync go there.</summary>
    public Uri Target => Targets[0];

    /// <summary>Workloads to run, in order.</summary>
    public IReadOnlyList<string> Workloads { get; init; } = ["store-100b"];

    /// <summary>Concurrent connections (one task each). Default: 64.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>Measured phase length. Default: 10 s.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured phase before it (connections, JIT, node caches). Default: 2 s.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Accounts per workload; null uses each workload's default.</summary>
    public int? Accounts { get; init; }

    /// <summary>Time limit for one request, including reading the answer. Default: 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap on measured requests over all connections; 0 means only the duration bounds the run.</summary>
    public long MaxRequests { get; init; }

    /// <summary>The node processes' pids for RSS and CPU sampling (same host only); empty skips it.</summary>
    public IReadOnlyList<int> NodePids { get; init; } = [];

    /// <summary>Write machine-readable JSON to stdout instead of text.</summary>
    public bool Json { get; init; }
}
