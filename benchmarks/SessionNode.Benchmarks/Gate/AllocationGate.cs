using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SessionNode.Benchmarks.Gate;

/// <summary>
/// The CI allocation gate (STYLE.md §10, §12): runs exactly the benchmark cases listed in allocation-budgets.json
/// with a short in-process job, compares the bytes BenchmarkDotNet's memory diagnoser counted per operation with each
/// budget (<see cref="AllocationBudgetCheck.Evaluate"/>) and returns 1 on any overrun or any budgeted case that did not
/// run. Timings are written to the artifacts folder, never gated.
/// </summary>
public static class AllocationGate
{
    /// <summary>The command-line switch that selects the gate instead of the BenchmarkDotNet switcher.</summary>
    public const string Switch = "--allocation-gate";

    /// <summary>
    /// Runs the gate. Arguments after <see cref="Switch"/>: <c>--budgets &lt;file&gt;</c> (default: the copy beside the
    /// assembly) and <c>--artifacts &lt;folder&gt;</c> (default: BenchmarkDotNet.Artifacts/allocation-gate).
    /// </summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var budgetsPath = Path.Combine(AppContext.BaseDirectory, AllocationBudgets.FileName);
        var artifacts = Path.GetFullPath(Path.Combine("BenchmarkDotNet.Artifacts", "allocation-gate"));
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--budgets" when i + 1 < args.Count:
                    budgetsPath = args[++i];
                    break;
                case "--artifacts" when i + 1 < args.Count:
                    artifacts = Path.GetFullPath(args[++i]);
                    break;
                default:
                    Console.Error.WriteLine($"allocation gate: unknown argument '{args[i]}' (use --budgets <file> --artifacts <folder>)");
                    return 2;
            }
        }

        var budgets = AllocationBudgets.Load(budgetsPath);
        var measured = new Dictionary<string, AllocationMeasurement?>(StringComparer.Ordinal);

        // One run per operation count (nearly every case uses the default).
        foreach (var group in budgets.GroupBy(b => b.Operations ?? GateInvocations))
        {
            var budgeted = group.Select(b => b.Benchmark).ToHashSet(StringComparer.Ordinal);
            var config = ManualConfig.CreateEmpty()
                .AddJob(GateJob(group.Key))
                .AddDiagnoser(MemoryDiagnoser.Default)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddLogger(ConsoleLogger.Default)
                .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
                .AddFilter(new SimpleFilter(c => budgeted.Contains(KeyOf(c))))
                .WithArtifactsPath(artifacts)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator);

            foreach (var summary in BenchmarkRunner.Run(typeof(AllocationGate).Assembly, config))
            {
                foreach (var report in summary.Reports)
                {
                    var bytes = report.Success ? report.GcStats.GetTotalAllocatedBytes(excludeAllocationQuantumSideEffects: false) : null;
                    measured[KeyOf(report.BenchmarkCase)] = bytes is { } b ? new AllocationMeasurement(b, report.GcStats.TotalOperations) : null;
                }
            }
        }

        var results = AllocationBudgetCheck.Evaluate(budgets, measured);
        Console.WriteLine();
        Console.WriteLine($"allocation gate: {budgetsPath} (bytes per operation; artifacts in {artifacts})");
        foreach (var r in results)
        {
            var got = r.Measured is { } m
                ? string.Create(CultureInfo.InvariantCulture, $"{m.BytesPerOperation,10:F2} B ({m.AllocatedBytes} B / {m.Operations} ops)")
                : "         - (did not run)";
            Console.WriteLine($"  {Label(r.Verdict),-12} {r.Benchmark,-64} budget {r.Budget,6} B  measured {got}");
        }

        var failed = results.Count(r => r.Verdict != BudgetVerdict.Within);
        Console.WriteLine(failed == 0
            ? $"allocation gate: all {results.Count} budgeted benchmarks within budget"
            : $"allocation gate: FAILED, {failed} of {results.Count} budgeted benchmarks over budget or not measured");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// In process: no per-run project build, which alone takes minutes on the CI box. A fixed
    /// <see cref="GateInvocations"/> operations per iteration instead of a pilot stage, one warm-up and one measured
    /// iteration: the memory diagnoser then divides by the same large count whatever the box's load. A budget may set
    /// its own count (<see cref="AllocationBudget.Operations"/>).
    /// </summary>
    private static Job GateJob(int invocations) => Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(1)
        .WithIterationCount(1)
        .WithInvocationCount(invocations)
        .WithGcServer(false)
        .WithGcConcurrent(false)
        .WithId("AllocationGate");

    /// <summary>
    /// Operations per iteration, so per measured run. Enough that one extra object per operation (≥ 24 B, 384 KiB in
    /// all) stands far above the harness's one-off allocations (<see cref="AllocationBudgetCheck.HarnessAllowanceBytes"/>),
    /// and few enough that a case costs ~3 × 16 384 calls: about a second for a 25 µs onion hop. A multiple of the
    /// default unroll factor (16).
    /// </summary>
    private const int GateInvocations = 16_384;

    private static string KeyOf(BenchmarkCase c) => AllocationBudgetCheck.KeyOf(
        c.Descriptor.Type.Name,
        c.Descriptor.WorkloadMethod.Name,
        c.Parameters.Items.Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)));

    private static string Label(BudgetVerdict verdict) => verdict switch
    {
        BudgetVerdict.Within => "ok",
        BudgetVerdict.Overrun => "OVER BUDGET",
        _ => "NOT RUN",
    };
}
