using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using SessionNode.Storage.Rocks;

namespace SessionNode.Swarm;

/// <summary>One replicated request waiting for a peer: the method, its raw JSON params and the time the entry node accepted it.</summary>
public sealed record QueuedRequest(long Sequence, string Method, byte[] Params, long AcceptedAtMs);

/// <summary>
/// Persistent, bounded, per-peer FIFO of replicated requests a peer missed (RocksDB in its own folder,
/// so it survives restarts). Key = peer Ed25519 (32) ‖ sequence (BE64); value = accepted_at (BE64) ‖
/// method length (1) ‖ method (ASCII) ‖ params. Thread-safe; writers are the request handlers, the
/// only remover is the replication pump.
/// </summary>
public sealed class PeerRetryQueue : IDisposable
{
    private readonly RocksDb _db;
    private readonly WriteOptions _write = new WriteOptions().SetSync(false);
    private readonly ConcurrentDictionary<string, long> _depth = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _nextSequence;

    private PeerRetryQueue(RocksDb db, int capacity)
    {
        _db = db;
        Capacity = capacity;
        using var it = _db.NewIterator();
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            var key = it.Key();
            var peer = Convert.ToHexStringLower(key.AsSpan(0, 32));
            _depth.AddOrUpdate(peer, 1, (_, d) => d + 1);
            _nextSequence = Math.Max(_nextSequence, BinaryPrimitives.ReadInt64BigEndian(key.AsSpan(32)) + 1);
        }

        Telemetry.ObserveQueueDepth(() => _depth.Select(d => new KeyValuePair<string, long>(d.Key[..8], d.Value)));
    }

    /// <summary>Maximum queued requests per peer.</summary>
    public int Capacity { get; }

    /// <summary>Opens (creating) the queue database in <paramref name="path"/>.</summary>
    public static PeerRetryQueue Open(string path, int capacity)
    {
        Directory.CreateDirectory(path);
        var options = new DbOptions().SetCreateIfMissing(true);
        return new PeerRetryQueue(RocksDb.Open(options, path), capacity);
    }

    /// <summary>Queued requests per peer (Ed25519 hex), only peers with a non-empty queue.</summary>
    public IReadOnlyDictionary<string, long> Depths => _depth.Where(d => d.Value > 0).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);

    /// <summary>Queued requests for one peer.</summary>
    public long Depth(string peerHex) => _depth.GetValueOrDefault(peerHex);

    /// <summary>Appends a request for <paramref name="peer"/>; false (and nothing stored) when its queue is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> peer, string method, ReadOnlySpan<byte> parameters, long acceptedAtMs)
    {
        var peerHex = Convert.ToHexStringLower(peer);
        var methodBytes = Encoding.ASCII.GetBytes(method);
        var value = new byte[8 + 1 + methodBytes.Length + parameters.Length];
        BinaryPrimitives.WriteInt64BigEndian(value, acceptedAtMs);
        value[8] = (byte)methodBytes.Length;
        methodBytes.CopyTo(value.AsSpan(9));
        parameters.CopyTo(value.AsSpan(9 + methodBytes.Length));
        lock (_lock)
        {
            if (_depth.GetValueOrDefault(peerHex) >= Capacity)
            {
                Telemetry.Dropped.Add(1);
                return false;
            }

            var key = new byte[40];
            peer.CopyTo(key);
            BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(32), _nextSequence++);
            _db.Put(key, value, writeOptions: _write);
            _depth.AddOrUpdate(peerHex, 1, (_, d) => d + 1);
        }

        Telemetry.Queued.Add(1);
        return true;
    }

    /// <summary>The oldest <paramref name="max"/> requests for a peer, in order.</summary>
    public IReadOnlyList<QueuedRequest> Peek(ReadOnlySpan<byte> peer, int max)
    {
        var result = new List<QueuedRequest>();
        var prefix = peer.ToArray();
        using var it = _db.NewIterator();
        for (it.Seek(prefix); it.Valid() && result.Count < max; it.Next())
        {
            var key = it.Key();
            if (!key.AsSpan(0, 32).SequenceEqual(prefix))
            {
                break;
            }

            var v = it.Value();
            var methodLength = v[8];
            result.Add(new QueuedRequest(
                BinaryPrimitives.ReadInt64BigEndian(key.AsSpan(32)),
                Encoding.ASCII.GetString(v, 9, methodLength),
                v.AsSpan(9 + methodLength).ToArray(),
                BinaryPrimitives.ReadInt64BigEndian(v)));
        }

        return result;
    }

    /// <summary>Removes a delivered (or permanently rejected) request.</summary>
    public void Remove(ReadOnlySpan<byte> peer, long sequence)
    {
        var key = new byte[40];
        peer.CopyTo(key);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(32), sequence);
        lock (_lock)
        {
            if (_db.Get(key) is null)
            {
                return;
            }

            _db.Remove(key, writeOptions: _write);
            _depth.AddOrUpdate(Convert.ToHexStringLower(peer), 0, (_, d) => Math.Max(0, d - 1));
        }
    }

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }
    }
}
