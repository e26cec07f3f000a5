using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

[assembly: SessionNode.Benchmarks.StableGc]

namespace SessionNode.Benchmarks;

/// <summary>
/// Runs every job of this assembly (the default one, <c>--job short</c>, the allocation gate's) on workstation,
/// non-concurrent GC (STYLE.md §10, Garnet <c>BaseConfig</c>): a background GC thread would allocate and collect
/// while a benchmark runs and make the Allocated column unstable. The csproj's GC properties cover only in-process
/// runs; an out-of-process job gets the GC mode of its job, which BenchmarkDotNet otherwise resolves to concurrent.
/// A mutator job applies to whatever jobs the command line or the config defines.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class)]
public sealed class StableGcAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty()
        .AddJob(Job.Default.WithGcServer(false).WithGcConcurrent(false).AsMutator());
}
