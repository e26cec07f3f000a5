namespace SessionNode.Swarm;

/// <summary>A transport on which other nodes test us.</summary>
public enum PingTransport
{
    /// <summary><c>POST /ping_test/v1</c> on the client HTTPS port.</summary>
    Https,

    /// <summary>The peer <c>Ping</c> RPC on the peer (gRPC) port.</summary>
    Grpc,
}

/// <summary>What <see cref="IncomingPingMonitor.Check"/> found for one transport.</summary>
/// <param name="Transport">The transport.</param>
/// <param name="Resumed">True: pings arrive again after a silence; false: still silent (warn).</param>
/// <param name="Never">True when no ping was ever received since start.</param>
/// <param name="Silence">Time since the last ping (or since start).</param>
public readonly record struct IncomingPingEvent(PingTransport Transport, bool Resumed, bool Never, TimeSpan Silence);

/// <summary>
/// Times of the last incoming reachability pings per transport (swarm.md §12.6). The responders record
/// pings; the reachability tester calls <see cref="Check"/> every tick and logs what it returns: a
/// warning when a transport has been silent for longer than the limit (then again every limit while
/// silent), an info line when pings resume. Thread-safe; the check state belongs to the tester loop.
/// </summary>
public sealed class IncomingPingMonitor
{
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly long[] _lastMs = new long[2];
    private readonly Watch[] _watch = [new(), new()];

    /// <summary>Creates the monitor; the silence is counted from now.</summary>
    public IncomingPingMonitor(TimeProvider time)
    {
        _time = time;
        _started = time.GetUtcNow();
    }

    /// <summary>Records an incoming ping on <paramref name="transport"/>.</summary>
    public void Record(PingTransport transport) =>
        Volatile.Write(ref _lastMs[(int)transport], _time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>The last incoming ping on <paramref name="transport"/>, or null if none since start.</summary>
    public DateTimeOffset? Last(PingTransport transport) =>
        Volatile.Read(ref _lastMs[(int)transport]) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>
    /// Per transport: failing when more than <paramref name="limit"/> passed since max(start, last ping).
    /// Returns an event on each transition and every <paramref name="limit"/> while failing. Called by one loop.
    /// </summary>
    public IReadOnlyList<IncomingPingEvent> Check(TimeSpan limit)
    {
        var now = _time.GetUtcNow();
        List<IncomingPingEvent>? events = null;
        foreach (var transport in (PingTransport[])[PingTransport.Https, PingTransport.Grpc])
        {
            var last = Last(transport);
            var since = last is { } l && l > _started ? l : _started;
            var silence = now - since;
            var watch = _watch[(int)transport];
            if (silence > limit)
            {
                if (!watch.Failing || now - watch.LastWarning >= limit)
                {
                    watch.Failing = true;
                    watch.LastWarning = now;
                    (events ??= []).Add(new IncomingPingEvent(transport, Resumed: false, Never: last is null, silence));
                }
            }
            else if (watch.Failing)
            {
                watch.Failing = false;
                (events ??= []).Add(new IncomingPingEvent(transport, Resumed: true, Never: false, silence));
            }
        }

        return events ?? [];
    }

    private sealed class Watch
    {
        public bool Failing { get; set; }

        public DateTimeOffset LastWarning { get; set; }
    }
}
