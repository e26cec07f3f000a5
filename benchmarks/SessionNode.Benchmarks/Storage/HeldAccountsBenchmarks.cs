using BenchmarkDotNet.Attributes;
using SessionNode.Core;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Storage;

/// <summary>
/// Listing the accounts a node holds, as the hand-off push and purge pass do: 1 M messages over 100 k
/// accounts plus 20 k accounts holding only a revocation and 20 k holding only three tombstones each.
/// <see cref="MessageStore.EnumerateAccounts"/> (the former walk, messages only) against
/// <see cref="MessageStore.EnumerateHeldAccounts"/> (the four-family merge the services use now).
/// </summary>
[MemoryDiagnoser]
public class HeldAccountsBenchmarks
{
    private const int RevocationOnly = 20_000;
    private const int TombstoneOnly = 20_000;

    private MessageStore _store = null!;
    private string _directory = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_store, _directory) = StorageBenchmarkData.Open();
        StorageBenchmarkData.Fill(_store, 1_000_000);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read, new byte[32]);
        for (var i = 0; i < RevocationOnly; i++)
        {
            _store.Revoke(StorageBenchmarkData.Account(StorageBenchmarkData.AccountCount + i), [token], now);
        }

        for (var i = 0; i < TombstoneOnly; i++)
        {
            var account = StorageBenchmarkData.Account(StorageBenchmarkData.AccountCount + RevocationOnly + i);
            var hashes = new List<string>(3);
            for (var k = 0; k < 3; k++)
            {
                var hash = StorageBenchmarkData.Hash(2, (i * 3L) + k);
                _store.Store(account, Namespace.Default, hash, now, now + Limits.MaxTtlPublicMs, StorageBenchmarkData.Payload);
                hashes.Add(hash);
            }

            _store.DeleteByHash(account, hashes);
        }

        _store.CompactAll();
    }

    [GlobalCleanup]
    public void Cleanup() => StorageBenchmarkData.Delete(_store, _directory);

    [Benchmark(Baseline = true)]
    public int MessageAccounts() => Count(_store.EnumerateAccounts());

    [Benchmark]
    public int HeldAccounts() => Count(_store.EnumerateHeldAccounts());

    private static int Count(IEnumerable<AccountId> accounts)
    {
        var n = 0;
        foreach (var account in accounts)
        {
            n += account.Prefix == AccountId.SessionPrefix ? 1 : 0;
        }

        return n;
    }
}
