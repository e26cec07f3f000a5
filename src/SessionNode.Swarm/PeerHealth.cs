using System.Collections.Concurrent;

namespace SessionNode.Swarm;

/// <summary>
/// Reachability of peers as seen by our own calls: a refused connection, or
/// <see cref="FailuresBeforeUnreachable"/> failures in a row, make a peer "known unreachable" so that
/// replicated requests answer its entry at once instead of waiting 5 s. The replication pump probes
/// such peers with a doubling backoff and marks them reachable again. Thread-safe.
/// </summary>
public sealed class PeerHealth
{
    /// <summary>Consecutive timeouts/errors that mark a peer unreachable (two: one slow answer is not an outage).</summary>
    public const int FailuresBeforeUnreachable = 2;

    /// <summary>First probe delay after a peer became unreachable.</summary>
    public static readonly TimeSpan InitialProbeDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest probe delay (a returning peer is noticed within this).</summary>
    public static readonly TimeSpan MaxProbeDelay = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, State> _peers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the tracker.</summary>
    public PeerHealth(TimeProvider time) => _time = time;

    /// <summary>True if calls to the peer should fail fast.</summary>
    public bool IsUnreachable(string peerHex) => _peers.TryGetValue(peerHex, out var s) && s.Unreachable;

    /// <summary>Peers currently marked unreachable.</summary>
    public IReadOnlyList<string> UnreachablePeers => [.. _peers.Where(p => p.Value.Unreachable).Select(p => p.Key)];

    /// <summary>Records a successful call.</summary>
    public void ReportSuccess(string peerHex) => _peers[peerHex] = new State(0, false, default, InitialProbeDelay);

    /// <summary>Records a failed call; <paramref name="refused"/> marks the peer unreachable at once.</summary>
    public void ReportFailure(string peerHex, bool refused)
    {
        var now = _time.GetUtcNow();
        _peers.AddOrUpdate(
            peerHex,
            _ => Next(new State(0, false, default, InitialProbeDelay), refused, now),
            (_, s) => Next(s, refused, now));
    }

    /// <summary>True if an unreachable peer is due for a probe; schedules the next one with a doubled delay.</summary>
    public bool TryTakeProbe(string peerHex)
    {
        var now = _time.GetUtcNow();
        while (_peers.TryGetValue(peerHex, out var s) && s.Unreachable)
        {
            if (now < s.NextProbe)
            {
                return false;
            }

            var delay = TimeSpan.FromTicks(Math.Min(s.Delay.Ticks * 2, MaxProbeDelay.Ticks));
            if (_peers.TryUpdate(peerHex, s with { NextProbe = now + s.Delay, Delay = delay }, s))
            {
                return true;
            }
        }

        return false;
    }

    private static State Next(State s, bool refused, DateTimeOffset now)
    {
        var failures = s.Failures + 1;
        if (s.Unreachable)
        {
            return s with { Failures = failures };
        }

        var unreachable = refused || failures >= FailuresBeforeUnreachable;
        return new State(failures, unreachable, unreachable ? now + InitialProbeDelay : default, InitialProbeDelay);
    }

    private sealed record State(int Failures, bool Unreachable, DateTimeOffset NextProbe, TimeSpan Delay);
}
