using System.Diagnostics;
using SessionNode.LoadGen.Workloads;

namespace SessionNode.LoadGen;

/// <summary>The measured outcome of one workload run, merged from all connections. Immutable.</summary>
internal sealed class RunResult
{
    private RunResult(
        string workload,
        LoadGenOptions options,
        TimeSpan setup,
        IReadOnlyList<KeyValuePair<string, double>> setupFacts,
        double measuredSeconds,
        LatencyHistogram latency,
        SortedDictionary<int, long> statuses,
        SortedDictionary<string, long> errors,
        long bytesReceived,
        long partialAnswers,
        SelfStats before,
        SelfStats after,
        MonitorResult node)
    {
        Workload = workload;
        Options = options;
        SetupTime = setup;
        SetupFacts = setupFacts;
        MeasuredSeconds = measuredSeconds;
        Latency = latency;
        Statuses = statuses;
        Errors = errors;
        BytesReceived = bytesReceived;
        PartialAnswers = partialAnswers;
        Before = before;
        After = after;
        Node = node;
    }

    public string Workload { get; }

    public LoadGenOptions Options { get; }

    public TimeSpan SetupTime { get; }

    public IReadOnlyList<KeyValuePair<string, double>> SetupFacts { get; }

    /// <summary>From the start of the measured phase to the last measured completion.</summary>
    public double MeasuredSeconds { get; }

    /// <summary>Latency of 2xx answers, µs.</summary>
    public LatencyHistogram Latency { get; }

    public SortedDictionary<int, long> Statuses { get; }

    /// <summary>Requests without an HTTP answer, by kind (timeout, http_*, io_*).</summary>
    public SortedDictionary<string, long> Errors { get; }

    public long BytesReceived { get; }

    /// <summary>2xx answers of replicated requests with a failed member entry (e.g. a dead peer's).</summary>
    public long PartialAnswers { get; }

    public SelfStats Before { get; }

    public SelfStats After { get; }

    public MonitorResult Node { get; }

    /// <summary>2xx answers.</summary>
    public long Succeeded => Latency.Count;

    /// <summary>Non-2xx answers plus requests without an answer.</summary>
    public long Failed => Statuses.Where(s => s.Key is < 200 or > 299).Sum(s => s.Value) + Errors.Values.Sum();

    /// <summary>2xx answers per second.</summary>
    public double RequestsPerSecond => MeasuredSeconds > 0 ? Succeeded / MeasuredSeconds : 0;

    /// <summary>CPU time of all node processes per measured request, µs (NaN without <c>--node-pid</c>).</summary>
    public double NodeCpuMicrosPerRequest =>
        Succeeded + Failed > 0 && double.IsFinite(Node.NodeCpuSeconds) ? Node.NodeCpuSeconds * 1e6 / (Succeeded + Failed) : double.NaN;

    /// <summary>The generator's CPU over the window; 100 = one core.</summary>
    public double LoadGenCpuPercent =>
        (After.Cpu - Before.Cpu).TotalSeconds / Stopwatch.GetElapsedTime(Before.Ticks, After.Ticks).TotalSeconds * 100;

    /// <summary>Bytes the generator allocated per measured request (all requests, warm-up excluded).</summary>
    public double AllocatedBytesPerRequest
    {
        get
        {
            var requests = Succeeded + Failed;
            return requests > 0 ? (double)(After.AllocatedBytes - Before.AllocatedBytes) / requests : 0;
        }
    }

    public static RunResult Merge(
        IWorkload workload,
        LoadGenOptions options,
        IReadOnlyList<ConnectionResult> connections,
        Schedule schedule,
        TimeSpan setup,
        SelfStats before,
        SelfStats after,
        MonitorResult node)
    {
        var latency = new LatencyHistogram();
        var statuses = new SortedDictionary<int, long>();
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long bytes = 0;
        long partial = 0;
        var last = schedule.MeasureStartTicks;
        foreach (var c in connections)
        {
            latency.Add(c.Histogram);
            for (var s = 0; s < c.Statuses.Length; s++)
            {
                if (c.Statuses[s] > 0)
                {
                    statuses[s] = statuses.GetValueOrDefault(s) + c.Statuses[s];
                }
            }

            foreach (var (kind, count) in c.Errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + count;
            }

            bytes += c.BytesReceived;
            partial += c.PartialAnswers;
            last = Math.Max(last, c.LastCompletionTicks);
        }

        var measured = (double)(last - schedule.MeasureStartTicks) / Stopwatch.Frequency;
        return new RunResult(workload.Name, options, setup, workload.Setup, measured, latency, statuses, errors, bytes, partial, before, after, node);
    }
}
