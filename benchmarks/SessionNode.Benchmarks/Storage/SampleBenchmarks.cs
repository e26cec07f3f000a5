using BenchmarkDotNet.Attributes;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Storage;

/// <summary>
/// The two sides of one storage test against a store pre-filled with 10 k or 1 M 100-byte messages: the
/// tester's random sample (<see cref="MessageStore.TrySampleMessage"/>, one in four accounts accepted, as when a
/// node still holds data of a swarm it left), and the testee's work (hash lookup plus BLAKE2b over nonce, account,
/// namespace and data).
/// </summary>
[MemoryDiagnoser]
public class SampleBenchmarks
{
    private readonly Random _random = new(17);
    private readonly byte[] _nonce = new byte[32];
    private readonly byte[] _proof = new byte[32];
    private readonly Func<AccountId, bool> _quarter = a => (a.Span[^1] & 3) == 0;
    private MessageStore _store = null!;
    private string _directory = null!;
    private long _now;
    private long _next;

    [Params(10_000, 1_000_000)]
    public int Prefilled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_store, _directory) = StorageBenchmarkData.Open();
        StorageBenchmarkData.Fill(_store, Prefilled);
        _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    [GlobalCleanup]
    public void Cleanup() => StorageBenchmarkData.Delete(_store, _directory);

    [Benchmark]
    public bool Sample() => _store.TrySampleMessage(_random, _quarter, _now, _now, out _);

    [Benchmark]
    public byte Answer()
    {
        var i = _next++ % Prefilled;
        var message = _store.GetByHash(StorageBenchmarkData.Hash(1, i))!;
        Span<byte> header = stackalloc byte[32 + AccountId.Length + sizeof(short)];
        _nonce.CopyTo(header);
        message.Account.Span.CopyTo(header[32..]);
        Blake2b.Hash256(header, message.Data, [], _proof);
        return _proof[0];
    }
}
