using System.Text.Json;
using System.Text.Json.Serialization;

namespace SessionNode.Benchmarks.Gate;

/// <summary>The allowed allocation of one benchmark case, in bytes per operation (allocation-budgets.json).</summary>
/// <param name="Benchmark">The case's key, <c>Class.Method</c> or <c>Class.Method(Param=Value, ...)</c> (see <see cref="AllocationBudgetCheck.KeyOf(string, string, IEnumerable{KeyValuePair{string, object?}})"/>).</param>
/// <param name="Bytes">Allowed bytes per operation as BenchmarkDotNet's Allocated column reports them; an overrun fails the gate.</param>
/// <param name="Why">What the bytes are (and where a margin was added, why the runtime is not deterministic there).</param>
/// <param name="Operations">
/// Operations the gate runs per iteration for this case instead of its default (a multiple of 16). Only for cases whose
/// one operation is many messages (a 32-store batch): fewer operations still put one extra object per message far
/// above the gate's fixed slack, and the case then takes seconds instead of minutes.
/// </param>
public sealed record AllocationBudget(string Benchmark, long Bytes, string? Why = null, int? Operations = null);

/// <summary>The budget file's root.</summary>
public sealed record AllocationBudgetFile(IReadOnlyList<AllocationBudget> Budgets);

/// <summary>Source-generated JSON for the budget file (reflection-based serialization is not used in the project).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(AllocationBudgetFile))]
internal sealed partial class BudgetJsonContext : JsonSerializerContext;

/// <summary>Reads and validates allocation-budgets.json.</summary>
public static class AllocationBudgets
{
    /// <summary>The budget file's name, beside the project and copied next to the assembly.</summary>
    public const string FileName = "allocation-budgets.json";

    /// <summary>Parses a budget file; throws <see cref="InvalidDataException"/> on an empty, duplicate or negative budget.</summary>
    public static IReadOnlyList<AllocationBudget> Parse(string json)
    {
        var file = JsonSerializer.Deserialize(json, BudgetJsonContext.Default.AllocationBudgetFile)
            ?? throw new InvalidDataException("the budget file is null");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var budget in file.Budgets)
        {
            if (string.IsNullOrWhiteSpace(budget.Benchmark) || budget.Bytes < 0)
            {
                throw new InvalidDataException($"invalid budget: '{budget.Benchmark}' = {budget.Bytes} B");
            }

            if (budget.Operations is { } ops && (ops <= 0 || ops % 16 != 0))
            {
                throw new InvalidDataException($"invalid operation count for '{budget.Benchmark}': {ops} (a positive multiple of 16)");
            }

            if (!seen.Add(budget.Benchmark))
            {
                throw new InvalidDataException($"benchmark budgeted twice: '{budget.Benchmark}'");
            }
        }

        return file.Budgets.Count > 0 ? file.Budgets : throw new InvalidDataException("the budget file lists no benchmark");
    }

    /// <summary>Reads and parses the budget file at <paramref name="path"/>.</summary>
    public static IReadOnlyList<AllocationBudget> Load(string path) => Parse(File.ReadAllText(path));
}
