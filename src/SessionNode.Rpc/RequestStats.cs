namespace SessionNode.Rpc;

/// <summary>The four request kinds counted by <see cref="RequestStats"/> (swarm.md §15.1).</summary>
public enum RequestKind
{
    /// <summary>A store applied on this node, whether it came from a client or was forwarded by a peer.</summary>
    Store,

    /// <summary>A retrieve that passed validation.</summary>
    Retrieve,

    /// <summary>An onion layer processed by this node (edge or relay hop).</summary>
    Onion,

    /// <summary>An onion request proxied to an external server.</summary>
    Proxy,
}

/// <summary>
/// Request counters of the reference's <c>get_stats</c> and status line (swarm.md §15.1): totals since
/// start, and a "recent" window made of the current period plus up to <see cref="HistoryPeriods"/>
/// finished periods of <see cref="PeriodMs"/>. Periods rotate lazily (on the next record or read after
/// a period ended), so no timer is needed. Counting is lock-free; rotation and reads take a small lock.
/// Singleton owned by DI.
/// </summary>
public sealed class RequestStats
{
    /// <summary>Length of one period: 10 min, as the reference.</summary>
    public const long PeriodMs = 10 * 60 * 1000;

    /// <summary>Finished periods kept in the recent window (the reference keeps 6: one hour).</summary>
    public const int HistoryPeriods = 6;

    private const int Kinds = 4;

    private readonly long[] _totals = new long[Kinds];
    private readonly long[] _current = new long[Kinds];
    private readonly Queue<(long StartMs, long[] Counts)> _history = new();
    private readonly Lock _lock = new();
    private long _periodStartMs;

    /// <summary>Creates the counters; the first period starts at <paramref name="startMs"/>.</summary>
    public RequestStats(long startMs) => _periodStartMs = startMs;

    /// <summary>Creates the counters with the first period starting now.</summary>
    public RequestStats(TimeProvider time)
        : this(time.GetUtcNow().ToUnixTimeMilliseconds())
    {
    }

    /// <summary>Counts one request of <paramref name="kind"/> at <paramref name="nowMs"/>.</summary>
    public void Record(RequestKind kind, long nowMs)
    {
        if (nowMs >= Volatile.Read(ref _periodStartMs) + PeriodMs)
        {
            Rotate(nowMs);
        }

        Interlocked.Increment(ref _totals[(int)kind]);
        Interlocked.Increment(ref _current[(int)kind]);
    }

    /// <summary>Totals, recent counts and the recent window's length as of <paramref name="nowMs"/>.</summary>
    public RequestStatsSnapshot Snapshot(long nowMs)
    {
        lock (_lock)
        {
            RotateLocked(nowMs);
            var recent = new long[Kinds];
            var windowStart = _periodStartMs;
            foreach (var (start, counts) in _history)
            {
                windowStart = Math.Min(windowStart, start);
                for (var i = 0; i < Kinds; i++)
                {
                    recent[i] += counts[i];
                }
            }

            var totals = new long[Kinds];
            for (var i = 0; i < Kinds; i++)
            {
                recent[i] += Volatile.Read(ref _current[i]);
                totals[i] = Volatile.Read(ref _totals[i]);
            }

            return new RequestStatsSnapshot(totals, recent, Math.Max(0, nowMs - windowStart));
        }
    }

    private void Rotate(long nowMs)
    {
        lock (_lock)
        {
            RotateLocked(nowMs);
        }
    }

    private void RotateLocked(long nowMs)
    {
        var first = true;
        while (nowMs >= _periodStartMs + PeriodMs)
        {
            // After a long quiet spell every missed period is empty: keep at most a history's worth.
            var counts = new long[Kinds];
            if (first)
            {
                for (var i = 0; i < Kinds; i++)
                {
                    counts[i] = Interlocked.Exchange(ref _current[i], 0);
                }

                first = false;
            }

            _history.Enqueue((_periodStartMs, counts));
            while (_history.Count > HistoryPeriods)
            {
                _history.Dequeue();
            }

            var next = _periodStartMs + PeriodMs;
            if (nowMs - next >= (HistoryPeriods + 1) * PeriodMs)
            {
                next = nowMs - ((nowMs - next) % PeriodMs) - (HistoryPeriods * PeriodMs);
            }

            Volatile.Write(ref _periodStartMs, next);
        }
    }
}

/// <summary>One reading of <see cref="RequestStats"/>, indexed by <see cref="RequestKind"/>.</summary>
public sealed record RequestStatsSnapshot(IReadOnlyList<long> Totals, IReadOnlyList<long> Recent, long RecentWindowMs)
{
    /// <summary>Total count of <paramref name="kind"/> since start.</summary>
    public long Total(RequestKind kind) => Totals[(int)kind];

    /// <summary>Count of <paramref name="kind"/> in the recent window.</summary>
    public long RecentCount(RequestKind kind) => Recent[(int)kind];
}
