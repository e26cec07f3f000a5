using BenchmarkDotNet.Running;
using SessionNode.Benchmarks.Gate;

if (args.Length > 0 && args[0] == AllocationGate.Switch)
{
    return AllocationGate.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
