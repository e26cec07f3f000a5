using BenchmarkDotNet.Attributes;
using SessionNode.Core;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Storage;

/// <summary>
/// Retrieve of a whole 50-message mailbox (100-byte messages, no limits, no last_hash) from a store
/// pre-filled with 10 k or 1 M other messages; the mailbox is stored first so it sits in compacted SSTs.
/// <see cref="Retrieve"/> materializes the messages; <see cref="RetrieveToSink"/> is the RPC path's
/// streaming form (each message handed over as spans from the iterator).
/// </summary>
[MemoryDiagnoser]
public class RetrieveBenchmarks
{
    private const int MailboxSize = 50;

    private static readonly AccountId Mailbox = AccountId.ParseHex("05" + new string('7', 64));

    private readonly long[] _sinkTotal = new long[1];
    private MessageStore _store = null!;
    private string _directory = null!;

    [Params(10_000, 1_000_000)]
    public int Prefilled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_store, _directory) = StorageBenchmarkData.Open();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < MailboxSize; i++)
        {
            _store.Store(Mailbox, Namespace.Default, StorageBenchmarkData.Hash(3, i), now, now + Limits.MaxTtlPublicMs, StorageBenchmarkData.Payload);
        }

        StorageBenchmarkData.Fill(_store, Prefilled);
        if (Retrieve() != MailboxSize)
        {
            throw new InvalidOperationException("mailbox not filled");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => StorageBenchmarkData.Delete(_store, _directory);

    [Benchmark]
    public int Retrieve() => _store.Retrieve(Mailbox, Namespace.Default, null, null, null).Messages.Count;

    [Benchmark]
    public long RetrieveToSink()
    {
        _sinkTotal[0] = 0;
        _store.Retrieve(Mailbox, Namespace.Default, null, null, null, new CountingSink(_sinkTotal));
        return _sinkTotal[0];
    }

    /// <summary>Touches every byte it is given, as a JSON writer would.</summary>
    private readonly struct CountingSink(long[] bytes) : IRetrieveSink
    {
        public long[] Bytes { get; } = bytes;

        public void Add(ReadOnlySpan<byte> hash, long timestampMs, long expiryMs, ReadOnlySpan<byte> data)
        {
            long sum = hash.Length + timestampMs + expiryMs;
            foreach (var b in data)
            {
                sum += b;
            }

            Bytes[0] += sum;
        }
    }
}
