using System.Globalization;

namespace SessionNode.Benchmarks.Gate;

/// <summary>Verdict on one budgeted benchmark case.</summary>
public enum BudgetVerdict
{
    /// <summary>Ran and allocated no more than its budget.</summary>
    Within,

    /// <summary>Ran and allocated more than its budget.</summary>
    Overrun,

    /// <summary>Did not run, failed, or reported no allocation figure: the gate cannot vouch for it.</summary>
    NotMeasured,
}

/// <summary>What the memory diagnoser saw in one case's measured run: all bytes allocated in the process and the operations run.</summary>
public readonly record struct AllocationMeasurement(long AllocatedBytes, long Operations)
{
    /// <summary>Bytes per operation, unrounded (BenchmarkDotNet's Allocated column rounds it).</summary>
    public double BytesPerOperation => Operations == 0 ? double.NaN : (double)AllocatedBytes / Operations;
}

/// <summary>One row of the gate's result.</summary>
public sealed record BudgetResult(string Benchmark, long Budget, AllocationMeasurement? Measured, BudgetVerdict Verdict);

/// <summary>
/// Compares measured bytes per operation with the budgets. Pure, so its verdicts are tested without running
/// BenchmarkDotNet; <see cref="AllocationGate"/> feeds it the real measurements.
/// </summary>
public static class AllocationBudgetCheck
{
    /// <summary>
    /// Bytes a measured run may allocate beyond budget × operations. The diagnoser counts every thread's allocations,
    /// and the in-process harness adds a few one-off KB to some runs whatever the benchmark does (0, 3 312 or 4 656 B
    /// seen, wall-clock dependent). Rounding that into a per-operation figure would flip a 0 B budget to 1 B on an
    /// unlucky run, so the slack is a total instead: 64 KiB, while one extra object per operation (at least 24 B)
    /// over the gate's 16 384 operations is 384 KiB and always fails.
    /// </summary>
    public const long HarnessAllowanceBytes = 64 * 1024;

    /// <summary>
    /// The key of a benchmark case: <c>Class.Method</c>, followed by <c>(Name=Value, ...)</c> in declaration order when
    /// the class has parameters. Values are formatted with the invariant culture (<c>Prefilled=10000</c>).
    /// </summary>
    public static string KeyOf(string typeName, string methodName, IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var args = string.Join(", ", parameters.Select(p => p.Key + "=" + Convert.ToString(p.Value, CultureInfo.InvariantCulture)));
        return args.Length == 0 ? $"{typeName}.{methodName}" : $"{typeName}.{methodName}({args})";
    }

    /// <summary>
    /// One verdict per budget, in the budgets' order. <paramref name="measured"/> maps a case key to its measurement,
    /// or to null when the case ran but produced no figure (failed). A case is within budget when it allocated at most
    /// budget × operations + <see cref="HarnessAllowanceBytes"/>. Measured cases without a budget are ignored: the gate
    /// runs only budgeted cases.
    /// </summary>
    public static IReadOnlyList<BudgetResult> Evaluate(
        IReadOnlyList<AllocationBudget> budgets,
        IReadOnlyDictionary<string, AllocationMeasurement?> measured)
    {
        var results = new List<BudgetResult>(budgets.Count);
        foreach (var budget in budgets)
        {
            var m = measured.TryGetValue(budget.Benchmark, out var value) ? value : null;
            var verdict = m is not { Operations: > 0 } run ? BudgetVerdict.NotMeasured
                : run.AllocatedBytes > (budget.Bytes * run.Operations) + HarnessAllowanceBytes ? BudgetVerdict.Overrun
                : BudgetVerdict.Within;
            results.Add(new BudgetResult(budget.Benchmark, budget.Bytes, m, verdict));
        }

        return results;
    }

    /// <summary>True when every budgeted case ran and stayed within its budget.</summary>
    public static bool Passed(IReadOnlyList<BudgetResult> results) => results.All(r => r.Verdict == BudgetVerdict.Within);
}
