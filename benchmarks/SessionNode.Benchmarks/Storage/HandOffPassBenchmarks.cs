using BenchmarkDotNet.Attributes;
using SessionNode.Core;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Storage;

/// <summary>
/// The store work of one hand-off purge pass (Rpc <c>HandOffPurgeService</c>) on a store of 1 M messages
/// over 100 k accounts, after a split that made the half of the ring above 2^63 foreign: classifying
/// every held account, summing the foreign accounts' logical bytes, and the digests of one batch of
/// 1 000 due accounts (what the pass computes for itself and each new owner computes when asked).
/// </summary>
[MemoryDiagnoser]
public class HandOffPassBenchmarks
{
    private const int Batch = 1000;

    private MessageStore _store = null!;
    private string _directory = null!;
    private AccountId[] _due = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_store, _directory) = StorageBenchmarkData.Open();
        StorageBenchmarkData.Fill(_store, 1_000_000);
        _due = [.. _store.EnumerateAccounts().Where(IsForeign).Take(Batch)];
    }

    [GlobalCleanup]
    public void Cleanup() => StorageBenchmarkData.Delete(_store, _directory);

    [Benchmark]
    public int ClassifyAccounts()
    {
        var foreign = 0;
        foreach (var account in _store.EnumerateAccounts())
        {
            foreign += IsForeign(account) ? 1 : 0;
        }

        return foreign;
    }

    [Benchmark]
    public long ForeignBytes() => _store.LogicalBytesOf(IsForeign);

    /// <summary>The first version: the same sum over <see cref="MessageStore.EnumerateMessages"/> (copies every message).</summary>
    [Benchmark]
    public long ForeignBytesByEnumeration()
    {
        long bytes = 0;
        foreach (var message in _store.EnumerateMessages(IsForeign))
        {
            bytes += 100 + (3L * message.Hash.Length) + message.Data.Length;
        }

        return bytes;
    }

    [Benchmark]
    public long DigestBatch()
    {
        var asOf = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000;
        long items = 0;
        foreach (var account in _due)
        {
            items += _store.AccountDigest(account, asOf).Count;
        }

        return items;
    }

    private static bool IsForeign(AccountId account) => account.SwarmSpace >= 0x8000_0000_0000_0000UL;
}
