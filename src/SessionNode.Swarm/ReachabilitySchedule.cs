namespace SessionNode.Swarm;

/// <summary>A peer picked for a reachability test and its consecutive failures before this test.</summary>
public readonly record struct ReachabilityTarget(ServiceNodeRecord Peer, int PreviousFailures);

/// <summary>A peer whose last reachability test failed.</summary>
public readonly record struct FailingPeer(string Ed25519Hex, int Failures, DateTimeOffset NextTest);

/// <summary>
/// Which peers to test when (swarm.md §12.1, §12.4): one random peer every Normal(mean, sd), drawn
/// from a shuffled queue of every known node that is refilled when empty, plus due failing peers
/// (earliest first, at most <see cref="ReachabilityOptions.MaxRetestsPerTick"/> per tick), retested
/// after <c>min(p × step + Normal(mean, sd), max)</c>. No sockets; the Rpc tester runs the tests and
/// reports results here. Thread-safe (one lock; the tester loop and the stats reader use it).
/// </summary>
public sealed class ReachabilitySchedule
{
    private readonly ReachabilityOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FailingEntry> _failing = new(StringComparer.Ordinal);
    private readonly List<string> _queue = [];
    private DateTimeOffset _nextRandomTest;
    private long _tested;
    private long _passed;

    /// <summary>Creates the schedule; <paramref name="random"/> is injectable so tests can fix the draws.</summary>
    public ReachabilitySchedule(ReachabilityOptions options, TimeProvider time, Random? random = null)
    {
        _options = options;
        _time = time;
        _random = random ?? Random.Shared;
        _nextRandomTest = time.GetUtcNow();
    }

    /// <summary>Completed tests.</summary>
    public long Tested => Interlocked.Read(ref _tested);

    /// <summary>Completed tests that passed.</summary>
    public long Passed => Interlocked.Read(ref _passed);

    /// <summary>Completed tests that failed.</summary>
    public long Failed => Tested - Passed;

    /// <summary>When the next random test is due.</summary>
    public DateTimeOffset NextRandomTest
    {
        get
        {
            lock (_lock)
            {
                return _nextRandomTest;
            }
        }
    }

    /// <summary>Peers whose last test failed, earliest retest first.</summary>
    public IReadOnlyList<FailingPeer> Failing
    {
        get
        {
            lock (_lock)
            {
                return [.. _failing.Select(f => new FailingPeer(f.Key, f.Value.Failures, f.Value.NextTest)).OrderBy(f => f.NextTest)];
            }
        }
    }

    /// <summary>True if the peer's last test failed.</summary>
    public bool IsFailing(string ed25519Hex)
    {
        lock (_lock)
        {
            return _failing.ContainsKey(ed25519Hex);
        }
    }

    /// <summary>
    /// The retest delay after a failed test with <paramref name="previousFailures"/> earlier consecutive
    /// failures: <c>min(p × step + draw, max)</c>, never negative.
    /// </summary>
    public static TimeSpan RetestDelay(int previousFailures, TimeSpan normalDraw, TimeSpan step, TimeSpan max)
    {
        var delay = (step * previousFailures) + normalDraw;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > max ? max : delay;
    }

    /// <summary>A Normal(<paramref name="mean"/>, <paramref name="stdDev"/>) draw (Box–Muller).</summary>
    public static TimeSpan NextNormal(Random random, TimeSpan mean, TimeSpan stdDev)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]: log is finite
        var u2 = random.NextDouble();
        var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return mean + (stdDev * z);
    }

    /// <summary>
    /// The peers to test now: due failing peers (at most <see cref="ReachabilityOptions.MaxRetestsPerTick"/>,
    /// earliest first; those no longer in <paramref name="view"/> are dropped) and, when the random timer
    /// is due, one random peer. Returned failing peers are not handed out again until their result is reported.
    /// </summary>
    public IReadOnlyList<ReachabilityTarget> TakeDue(MembershipSnapshot view, string selfEd25519Hex)
    {
        var now = _time.GetUtcNow();
        var due = new List<ReachabilityTarget>();
        lock (_lock)
        {
            foreach (var (hex, entry) in _failing.Where(f => !f.Value.InFlight && f.Value.NextTest <= now).OrderBy(f => f.Value.NextTest).ToList())
            {
                if (due.Count == _options.MaxRetestsPerTick)
                {
                    break;
                }

                if (view.FindByEd25519(hex) is not { } peer || !IsTestable(peer))
                {
                    _failing.Remove(hex);
                    continue;
                }

                _failing[hex] = entry with { InFlight = true };
                due.Add(new ReachabilityTarget(peer, entry.Failures));
            }

            if (now >= _nextRandomTest)
            {
                var draw = NextNormal(_random, _options.RandomTestMean, _options.RandomTestStdDev);
                _nextRandomTest = now + (draw < TimeSpan.Zero ? TimeSpan.Zero : draw);
                if (NextRandomPeer(view, selfEd25519Hex) is { } peer)
                {
                    due.Add(new ReachabilityTarget(peer, 0));
                }
            }
        }

        return due;
    }

    /// <summary>Records the result of a test handed out by <see cref="TakeDue"/>.</summary>
    public void Report(ReachabilityTarget target, bool passed)
    {
        Interlocked.Increment(ref _tested);
        var hex = target.Peer.Ed25519Hex;
        lock (_lock)
        {
            if (passed)
            {
                Interlocked.Increment(ref _passed);
                _failing.Remove(hex);
                return;
            }

            var draw = NextNormal(_random, _options.RandomTestMean, _options.RandomTestStdDev);
            var delay = RetestDelay(target.PreviousFailures, draw, _options.RetestStep, _options.RetestMax);
            _failing[hex] = new FailingEntry(target.PreviousFailures + 1, _time.GetUtcNow() + delay, InFlight: false);
        }
    }

    /// <summary>A node we can test: not unknown-address, has both ports.</summary>
    private static bool IsTestable(ServiceNodeRecord peer) => peer.Ip != "0.0.0.0" && peer.HttpsPort != 0 && peer.PeerPort != 0;

    private ServiceNodeRecord? NextRandomPeer(MembershipSnapshot view, string selfHex)
    {
        for (var round = 0; round < 2; round++)
        {
            while (_queue.Count > 0)
            {
                var hex = _queue[^1];
                _queue.RemoveAt(_queue.Count - 1);
                if (hex != selfHex && !_failing.ContainsKey(hex) && view.FindByEd25519(hex) is { } peer && IsTestable(peer))
                {
                    return peer;
                }
            }

            // Refill with every known node (active and decommissioned), uniformly shuffled.
            _queue.AddRange(view.Nodes.Select(n => n.Ed25519Hex));
            for (var i = _queue.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (_queue[i], _queue[j]) = (_queue[j], _queue[i]);
            }
        }

        return null;
    }

    private sealed record FailingEntry(int Failures, DateTimeOffset NextTest, bool InFlight);
}
