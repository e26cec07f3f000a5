using BenchmarkDotNet.Attributes;
using SessionNode.Core;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Storage;

/// <summary>
/// One client store of a new 100-byte message (the RPC hot path) into a store pre-filled with
/// 10 k or 1 M messages. Each call uses a fresh hash; building that 43-char string is part of the
/// measured allocation (~112 B), as it is in the RPC handler.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private MessageStore _store = null!;
    private string _directory = null!;
    private long _next;
    private long _expiry;

    [Params(10_000, 1_000_000)]
    public int Prefilled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_store, _directory) = StorageBenchmarkData.Open();
        StorageBenchmarkData.Fill(_store, Prefilled);
        _expiry = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + Limits.MaxTtlPublicMs;
    }

    [GlobalCleanup]
    public void Cleanup() => StorageBenchmarkData.Delete(_store, _directory);

    [Benchmark]
    public StoreOutcome Store()
    {
        var i = _next++;
        var account = StorageBenchmarkData.Account((int)(i % StorageBenchmarkData.AccountCount));
        return _store.Store(account, Namespace.Default, StorageBenchmarkData.Hash(2, i), _expiry - Limits.MaxTtlPublicMs, _expiry, StorageBenchmarkData.Payload).Outcome;
    }
}
