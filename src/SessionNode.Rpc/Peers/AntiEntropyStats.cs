using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using SessionNode.Rpc.Admin;

namespace SessionNode.Rpc.Peers;

/// <summary>Outcome of one anti-entropy round with one peer.</summary>
/// <param name="Peer">The peer's Ed25519 key (hex).</param>
/// <param name="InSync">True when every compared digest matched (nothing to repair).</param>
/// <param name="Completed">False when the round stopped early (error, byte budget, cancellation).</param>
/// <param name="LeavesCompared">Leaves in the compared range.</param>
/// <param name="DifferingLeaves">Leaves whose digests differed.</param>
/// <param name="Pulled">Items fetched from the peer and applied here.</param>
/// <param name="Pushed">Items sent to the peer and applied there.</param>
/// <param name="BytesSent">Request bytes (protobuf sizes).</param>
/// <param name="BytesReceived">Response bytes.</param>
/// <param name="Duration">Wall time of the round.</param>
/// <param name="Error">Why it stopped early, if it did.</param>
public sealed record AntiEntropyRoundResult(
    string Peer,
    bool InSync,
    bool Completed,
    int LeavesCompared,
    int DifferingLeaves,
    long Pulled,
    long Pushed,
    long BytesSent,
    long BytesReceived,
    TimeSpan Duration,
    string? Error);

/// <summary>
/// Anti-entropy counters: the <c>anti_entropy</c> stats section and the OTel instruments (meter
/// "SessionNode.Rpc.AntiEntropy"). Thread-safe (interlocked counters, last results per peer).
/// </summary>
public sealed class AntiEntropyStats : IStatsContributor
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "SessionNode.Rpc.AntiEntropy";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> RoundsCounter = Meter.CreateCounter<long>("sessionnode.antientropy.rounds", "{round}", "Anti-entropy rounds run by this node.");
    private static readonly Counter<long> DifferingCounter = Meter.CreateCounter<long>("sessionnode.antientropy.differing_leaves", "{leaf}", "Digest leaves found different from a peer's.");
    private static readonly Counter<long> ItemsCounter = Meter.CreateCounter<long>("sessionnode.antientropy.items", "{item}", "Items repaired, by direction (pulled, pushed, applied_for_peer).");
    private static readonly Counter<long> BytesCounter = Meter.CreateCounter<long>("sessionnode.antientropy.bytes", "By", "Anti-entropy traffic, by direction (sent, received).");

    private readonly ConcurrentDictionary<string, AntiEntropyRoundResult> _lastByPeer = new(StringComparer.Ordinal);
    private long _rounds;
    private long _inSyncRounds;
    private long _skippedRounds;
    private long _leavesCompared;
    private long _differingLeaves;
    private long _pulled;
    private long _pushed;
    private long _appliedForPeers;
    private long _bytesSent;
    private long _bytesReceived;
    private long _servedBytes;
    private long _lastRoundAtMs;
    private long _lastRoundTicks;

    /// <inheritdoc />
    public string Section => "anti_entropy";

    /// <summary>Rounds completed or attempted (not counting skipped ones).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>The last round's result with each peer.</summary>
    public IReadOnlyDictionary<string, AntiEntropyRoundResult> LastByPeer => _lastByPeer;

    internal void Record(AntiEntropyRoundResult result, long atMs)
    {
        Interlocked.Increment(ref _rounds);
        if (result.InSync)
        {
            Interlocked.Increment(ref _inSyncRounds);
        }

        Interlocked.Add(ref _leavesCompared, result.LeavesCompared);
        Interlocked.Add(ref _differingLeaves, result.DifferingLeaves);
        Interlocked.Add(ref _pulled, result.Pulled);
        Interlocked.Add(ref _pushed, result.Pushed);
        Interlocked.Add(ref _bytesSent, result.BytesSent);
        Interlocked.Add(ref _bytesReceived, result.BytesReceived);
        Interlocked.Exchange(ref _lastRoundAtMs, atMs);
        Interlocked.Exchange(ref _lastRoundTicks, result.Duration.Ticks);
        _lastByPeer[result.Peer] = result;

        RoundsCounter.Add(1);
        DifferingCounter.Add(result.DifferingLeaves);
        ItemsCounter.Add(result.Pulled, new KeyValuePair<string, object?>("direction", "pulled"));
        ItemsCounter.Add(result.Pushed, new KeyValuePair<string, object?>("direction", "pushed"));
        BytesCounter.Add(result.BytesSent, new KeyValuePair<string, object?>("direction", "sent"));
        BytesCounter.Add(result.BytesReceived, new KeyValuePair<string, object?>("direction", "received"));
    }

    internal void Skipped() => Interlocked.Increment(ref _skippedRounds);

    internal void Served(long received, long sent)
    {
        Interlocked.Add(ref _servedBytes, received + sent);
        BytesCounter.Add(sent, new KeyValuePair<string, object?>("direction", "served"));
    }

    internal void Applied(int count)
    {
        Interlocked.Add(ref _appliedForPeers, count);
        ItemsCounter.Add(count, new KeyValuePair<string, object?>("direction", "applied_for_peer"));
    }

    /// <inheritdoc />
    public void WriteStats(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("rounds", Interlocked.Read(ref _rounds));
        writer.WriteNumber("in_sync_rounds", Interlocked.Read(ref _inSyncRounds));
        writer.WriteNumber("skipped_rounds", Interlocked.Read(ref _skippedRounds));
        writer.WriteNumber("last_round_ms", Interlocked.Read(ref _lastRoundAtMs));
        writer.WriteNumber("last_round_duration_s", TimeSpan.FromTicks(Interlocked.Read(ref _lastRoundTicks)).TotalSeconds);
        writer.WriteNumber("leaves_compared", Interlocked.Read(ref _leavesCompared));
        writer.WriteNumber("differing_leaves", Interlocked.Read(ref _differingLeaves));
        writer.WriteNumber("items_pulled", Interlocked.Read(ref _pulled));
        writer.WriteNumber("items_pushed", Interlocked.Read(ref _pushed));
        writer.WriteNumber("items_applied_for_peers", Interlocked.Read(ref _appliedForPeers));
        writer.WriteNumber("bytes_sent", Interlocked.Read(ref _bytesSent));
        writer.WriteNumber("bytes_received", Interlocked.Read(ref _bytesReceived));
        writer.WriteNumber("bytes_served", Interlocked.Read(ref _servedBytes));
        writer.WriteStartObject("peers");
        foreach (var (peer, r) in _lastByPeer)
        {
            writer.WriteStartObject(peer);
            writer.WriteBoolean("in_sync", r.InSync);
            writer.WriteBoolean("completed", r.Completed);
            writer.WriteNumber("differing_leaves", r.DifferingLeaves);
            writer.WriteNumber("pulled", r.Pulled);
            writer.WriteNumber("pushed", r.Pushed);
            writer.WriteNumber("bytes", r.BytesSent + r.BytesReceived);
            writer.WriteNumber("duration_s", r.Duration.TotalSeconds);
            if (r.Error is { } error)
            {
                writer.WriteString("error", error);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
