using SessionNode.Benchmarks.Gate;

namespace SessionNode.Benchmarks.Tests;

/// <summary>The allocation gate's verdicts (STYLE.md §10, §12): it must fail on an overrun and on a budgeted case that did not run.</summary>
public sealed class AllocationBudgetCheckTests
{
    private static readonly AllocationBudget[] Budgets =
    [
        new("OnionHopBenchmarks.RelayHop(EncType=AesGcm)", 0),
        new("MessageHashBenchmarks.Compute100B", 112),
    ];

    private const long Ops = 16_384;

    [Fact]
    public void Evaluate_AllWithinBudgetWithHarnessNoise_Passes()
    {
        var results = AllocationBudgetCheck.Evaluate(Budgets, Measured(
            ("OnionHopBenchmarks.RelayHop(EncType=AesGcm)", 4_656), // a harness one-off, not the hop's
            ("MessageHashBenchmarks.Compute100B", 112 * Ops)));

        Assert.All(results, r => Assert.Equal(BudgetVerdict.Within, r.Verdict));
        Assert.True(AllocationBudgetCheck.Passed(results));
    }

    [Fact]
    public void Evaluate_OneObjectPerOperationOverZeroBudget_Fails()
    {
        var results = AllocationBudgetCheck.Evaluate(Budgets, Measured(
            ("OnionHopBenchmarks.RelayHop(EncType=AesGcm)", 24 * Ops),
            ("MessageHashBenchmarks.Compute100B", 100 * Ops)));

        Assert.Equal([BudgetVerdict.Overrun, BudgetVerdict.Within], results.Select(r => r.Verdict));
        Assert.Equal(24, results[0].Measured!.Value.BytesPerOperation);
        Assert.False(AllocationBudgetCheck.Passed(results));
    }

    [Fact]
    public void Evaluate_OneObjectPerOperationOverNonZeroBudget_Fails()
    {
        var results = AllocationBudgetCheck.Evaluate(Budgets, Measured(
            ("OnionHopBenchmarks.RelayHop(EncType=AesGcm)", 0),
            ("MessageHashBenchmarks.Compute100B", (112 + 24) * Ops)));

        Assert.Equal([BudgetVerdict.Within, BudgetVerdict.Overrun], results.Select(r => r.Verdict));
        Assert.False(AllocationBudgetCheck.Passed(results));
    }

    [Fact]
    public void Evaluate_BudgetedCaseMissingOrWithoutFigure_Fails()
    {
        var missing = AllocationBudgetCheck.Evaluate(Budgets, Measured(("MessageHashBenchmarks.Compute100B", 112 * Ops)));
        var failed = AllocationBudgetCheck.Evaluate(Budgets, new Dictionary<string, AllocationMeasurement?>
        {
            ["OnionHopBenchmarks.RelayHop(EncType=AesGcm)"] = null,
            ["MessageHashBenchmarks.Compute100B"] = new AllocationMeasurement(112 * Ops, Ops),
        });

        Assert.Equal(BudgetVerdict.NotMeasured, missing[0].Verdict);
        Assert.Equal(BudgetVerdict.NotMeasured, failed[0].Verdict);
        Assert.False(AllocationBudgetCheck.Passed(missing));
        Assert.False(AllocationBudgetCheck.Passed(failed));
    }

    [Fact]
    public void KeyOf_ParametersInOrder_MatchesTheBudgetFileFormat()
    {
        Assert.Equal("StoreBenchmarks.Store(Prefilled=10000)", AllocationBudgetCheck.KeyOf("StoreBenchmarks", "Store", [new("Prefilled", 10_000)]));
        Assert.Equal(
            "ChannelKeyBenchmarks.Seal(Type=AesGcm, Size=100)",
            AllocationBudgetCheck.KeyOf("ChannelKeyBenchmarks", "Seal", [new("Type", SessionNode.Crypto.EncryptionType.AesGcm), new("Size", 100)]));
        Assert.Equal("Ed25519Benchmarks.Sign", AllocationBudgetCheck.KeyOf("Ed25519Benchmarks", "Sign", []));
    }

    [Fact]
    public void Parse_DuplicateOrNegativeBudget_Throws()
    {
        Assert.Throws<InvalidDataException>(() => AllocationBudgets.Parse("""{"budgets":[{"benchmark":"A.B","bytes":0},{"benchmark":"A.B","bytes":8}]}"""));
        Assert.Throws<InvalidDataException>(() => AllocationBudgets.Parse("""{"budgets":[{"benchmark":"A.B","bytes":-1}]}"""));
        Assert.Throws<InvalidDataException>(() => AllocationBudgets.Parse("""{"budgets":[]}"""));
    }

    [Fact]
    public void Parse_OperationCount_OptionalPositiveMultipleOf16()
    {
        Assert.Null(AllocationBudgets.Parse("""{"budgets":[{"benchmark":"A.B","bytes":0}]}""")[0].Operations);
        Assert.Equal(1024, AllocationBudgets.Parse("""{"budgets":[{"benchmark":"A.B","bytes":0,"operations":1024}]}""")[0].Operations);
        Assert.Throws<InvalidDataException>(() => AllocationBudgets.Parse("""{"budgets":[{"benchmark":"A.B","bytes":0,"operations":1000}]}"""));
        Assert.Throws<InvalidDataException>(() => AllocationBudgets.Parse("""{"budgets":[{"benchmark":"A.B","bytes":0,"operations":0}]}"""));
    }

    [Fact]
    public void CheckedInBudgets_Parse_AndHoldTheOnionRelayHopAtZero()
    {
        var budgets = AllocationBudgets.Load(Path.Combine(AppContext.BaseDirectory, AllocationBudgets.FileName));

        Assert.Equal(0, budgets.Single(b => b.Benchmark == "OnionHopBenchmarks.RelayHop(EncType=AesGcm)").Bytes);
        Assert.Equal(0, budgets.Single(b => b.Benchmark == "OnionHopBenchmarks.RelayHop(EncType=XChaCha20)").Bytes);
    }

    private static Dictionary<string, AllocationMeasurement?> Measured(params (string Key, long Bytes)[] rows) =>
        rows.ToDictionary(r => r.Key, r => (AllocationMeasurement?)new AllocationMeasurement(r.Bytes, Ops));
}
