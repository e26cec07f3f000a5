using System.Diagnostics.Metrics;

namespace SessionNode.Swarm;

/// <summary>The Swarm library's instruments (meter "SessionNode.Swarm").</summary>
public static class Telemetry
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "SessionNode.Swarm";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Replicated requests answered at once as failed because the peer was known unreachable.</summary>
    public static readonly Counter<long> FastFailed = Meter.CreateCounter<long>("sessionnode.swarm.replication.fast_failed", "{request}");

    /// <summary>Requests written to a peer's retry queue.</summary>
    public static readonly Counter<long> Queued = Meter.CreateCounter<long>("sessionnode.swarm.retry_queue.enqueued", "{request}");

    /// <summary>Requests dropped because a peer's retry queue was full.</summary>
    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("sessionnode.swarm.retry_queue.dropped", "{request}");

    /// <summary>Queued requests delivered after the peer came back.</summary>
    public static readonly Counter<long> Drained = Meter.CreateCounter<long>("sessionnode.swarm.retry_queue.drained", "{request}");

    /// <summary>Items (messages, tombstones, revocations, unrevocations) sent by hand-off pushes.</summary>
    public static readonly Counter<long> Pushed = Meter.CreateCounter<long>("sessionnode.swarm.push.messages", "{message}");

    /// <summary>Accounts purged after their new owners confirmed holding them.</summary>
    public static readonly Counter<long> PurgedAccounts = Meter.CreateCounter<long>("sessionnode.swarm.handoff.purged_accounts", "{account}");

    /// <summary>Logical bytes of the purged accounts' messages.</summary>
    public static readonly Counter<long> PurgedBytes = Meter.CreateCounter<long>("sessionnode.swarm.handoff.purged_bytes", "By");

    /// <summary>Registers the per-peer queue depth gauge over <paramref name="depths"/>.</summary>
    internal static void ObserveQueueDepth(Func<IEnumerable<KeyValuePair<string, long>>> depths) =>
        Meter.CreateObservableGauge("sessionnode.swarm.retry_queue.depth", () =>
            depths().Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("peer", d.Key))), "{request}");
}
