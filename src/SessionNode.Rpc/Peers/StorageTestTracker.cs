using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Rpc.Admin;

namespace SessionNode.Rpc.Peers;

/// <summary>What one storage-test challenge got back, as the tester sees it.</summary>
internal enum ChallengeAnswer
{
    /// <summary>A proof equal to the tester's own computation.</summary>
    Proven,

    /// <summary>A proof that differs: the testee holds other bytes under that hash.</summary>
    WrongProof,

    /// <summary>The testee does not hold the message (yet).</summary>
    NotFound,

    /// <summary>The testee refused the challenge (it does not see us or the account in its swarm).</summary>
    WrongRequest,

    /// <summary>No answer in time, a transport error, or the testee's rate limit.</summary>
    Unreachable,
}

/// <summary>A recorded storage-test result (per peer, in stats and logs).</summary>
internal enum StorageTestResult
{
    /// <summary>Proof verified.</summary>
    Ok,

    /// <summary>Counted failure: the proof was wrong twice in a row for the same message.</summary>
    Mismatch,

    /// <summary>Counted failure: the message stayed missing through every retry and the retry window.</summary>
    Missing,

    /// <summary>Not found or a first wrong proof: the same challenge is repeated later.</summary>
    Retrying,

    /// <summary>The testee refused the challenge (membership lag); not a failure.</summary>
    Rejected,

    /// <summary>Timeout or transport error; reachability's business, never a storage failure.</summary>
    Unreachable,
}

/// <summary>A challenge waiting to be repeated against one peer.</summary>
internal sealed record PendingChallenge(string Hash, bool Mismatch, DateTimeOffset FirstAt, int Answers);

/// <summary>Per-peer counters over the retention window, for stats and tests.</summary>
internal sealed record StorageTestSummary(
    int Passed, int Failed, int Unreachable, int Rejected, int Retrying, int ConsecutiveFailures, bool Failing, StorageTestResult? LastResult, DateTimeOffset LastAt);

/// <summary>
/// Classifies storage-test answers per peer (Rpc Peers README "Storage tests") and keeps the results: a verified proof passes; "not
/// found" is retried with the same message and counts as <see cref="StorageTestResult.Missing"/> only after
/// <see cref="StorageTestOptions.StorageTestRetries"/> retries spanning <see cref="StorageTestOptions.StorageTestRetryWindow"/>;
/// a wrong proof counts as <see cref="StorageTestResult.Mismatch"/> when one retry confirms it; refusals and
/// unreachable answers are recorded but never counted. A peer is failing after
/// <see cref="StorageTestOptions.StorageTestFailingAfter"/> consecutive counted failures, until it passes again.
/// Results older than the retention are dropped. Also the <c>storage_tests</c> stats section. Guarded by one lock.
/// </summary>
internal sealed partial class StorageTestTracker : IStatsContributor
{
    /// <summary>Results kept per peer at most (a retention window at one test per second).</summary>
    private const int MaxHistory = 8192;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PeerState> _peers = new(StringComparer.Ordinal);
    private readonly StorageTestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public StorageTestTracker(IOptions<StorageTestOptions> options, TimeProvider time, ILogger<StorageTestTracker> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public string Section => "storage_tests";

    /// <summary>The challenge to repeat against <paramref name="peer"/>, if any.</summary>
    public PendingChallenge? Pending(string peer)
    {
        lock (_lock)
        {
            return _peers.TryGetValue(peer, out var s) ? s.Pending : null;
        }
    }

    /// <summary>True if the peer's last counted result was a failure but it is not failing yet (worth confirming soon).</summary>
    public bool IsSuspect(string peer)
    {
        lock (_lock)
        {
            return _peers.TryGetValue(peer, out var s) && s.Consecutive > 0 && !s.Failing;
        }
    }

    /// <summary>Drops the pending challenge (the message is gone here too, or the peer left our swarm).</summary>
    public void Abandon(string peer)
    {
        lock (_lock)
        {
            if (_peers.TryGetValue(peer, out var s))
            {
                s.Pending = null;
            }
        }
    }

    /// <summary>Records one answer to a challenge about message <paramref name="hash"/>; returns the recorded result.</summary>
    public StorageTestResult Record(string peer, string hash, ChallengeAnswer answer)
    {
        var now = _time.GetUtcNow();
        StorageTestResult result;
        lock (_lock)
        {
            Prune(now);
            if (!_peers.TryGetValue(peer, out var s))
            {
                s = new PeerState();
                _peers.Add(peer, s);
            }

            switch (answer)
            {
                case ChallengeAnswer.Proven:
                    result = StorageTestResult.Ok;
                    s.Pending = null;
                    s.Consecutive = 0;
                    if (s.Failing)
                    {
                        s.Failing = false;
                        LogRecovered(_logger, peer[..Math.Min(8, peer.Length)]);
                    }

                    break;

                case ChallengeAnswer.NotFound:
                    var missing = s.Pending is { Mismatch: false } p && p.Hash == hash
                        ? p with { Answers = p.Answers + 1 }
                        : new PendingChallenge(hash, Mismatch: false, now, Answers: 1);
                    if (missing.Answers > _options.StorageTestRetries && now - missing.FirstAt >= _options.StorageTestRetryWindow)
                    {
                        result = StorageTestResult.Missing;
                        s.Pending = null;
                        CountFailure(peer, s, result);
                    }
                    else
                    {
                        result = StorageTestResult.Retrying;
                        s.Pending = missing;
                    }

                    break;

                case ChallengeAnswer.WrongProof:
                    if (s.Pending is { Mismatch: true } m && m.Hash == hash)
                    {
                        result = StorageTestResult.Mismatch;
                        s.Pending = null;
                        CountFailure(peer, s, result);
                    }
                    else
                    {
                        result = StorageTestResult.Retrying;
                        s.Pending = new PendingChallenge(hash, Mismatch: true, now, Answers: 1);
                    }

                    break;

                case ChallengeAnswer.WrongRequest:
                    result = StorageTestResult.Rejected;
                    break;

                default:
                    result = StorageTestResult.Unreachable;
                    break;
            }

            if (s.History.Count >= MaxHistory)
            {
                s.History.Dequeue();
            }

            s.History.Enqueue((now, result));
            s.Last = (now, result);
        }

        RpcTelemetry.StorageTests.Add(1, new KeyValuePair<string, object?>("result", Name(result)));
        return result;
    }

    /// <summary>The peer's counters over the retention window, null if it has no results.</summary>
    public StorageTestSummary? Summary(string peer)
    {
        lock (_lock)
        {
            Prune(_time.GetUtcNow());
            return _peers.TryGetValue(peer, out var s) ? Summarize(s) : null;
        }
    }

    public void WriteStats(Utf8JsonWriter writer)
    {
        List<(string Peer, StorageTestSummary Summary)> rows;
        lock (_lock)
        {
            Prune(_time.GetUtcNow());
            rows = [.. _peers.Select(p => (p.Key, Summarize(p.Value)))];
        }

        foreach (var (peer, s) in rows.OrderBy(r => r.Peer, StringComparer.Ordinal))
        {
            writer.WriteStartObject(peer);
            writer.WriteNumber("passed", s.Passed);
            writer.WriteNumber("failed", s.Failed);
            writer.WriteNumber("unreachable", s.Unreachable);
            writer.WriteNumber("rejected", s.Rejected);
            writer.WriteNumber("retrying", s.Retrying);
            writer.WriteNumber("consecutive_failures", s.ConsecutiveFailures);
            writer.WriteBoolean("failing", s.Failing);
            if (s.LastResult is { } last)
            {
                writer.WriteString("last_result", Name(last));
                writer.WriteNumber("last_time", s.LastAt.ToUnixTimeMilliseconds() / 1000.0);
            }
            else
            {
                writer.WriteNull("last_result");
                writer.WriteNull("last_time");
            }

            writer.WriteEndObject();
        }
    }

    internal static string Name(StorageTestResult result) => result switch
    {
        StorageTestResult.Ok => "ok",
        StorageTestResult.Mismatch => "mismatch",
        StorageTestResult.Missing => "missing",
        StorageTestResult.Retrying => "retrying",
        StorageTestResult.Rejected => "rejected",
        _ => "unreachable",
    };

    private static StorageTestSummary Summarize(PeerState s)
    {
        int passed = 0, failed = 0, unreachable = 0, rejected = 0, retrying = 0;
        foreach (var (_, r) in s.History)
        {
            switch (r)
            {
                case StorageTestResult.Ok: passed++; break;
                case StorageTestResult.Mismatch or StorageTestResult.Missing: failed++; break;
                case StorageTestResult.Rejected: rejected++; break;
                case StorageTestResult.Retrying: retrying++; break;
                default: unreachable++; break;
            }
        }

        var hasLast = s.History.Count > 0;
        return new StorageTestSummary(passed, failed, unreachable, rejected, retrying, s.Consecutive, s.Failing, hasLast ? s.Last.Result : null, s.Last.At);
    }

    private void CountFailure(string peer, PeerState s, StorageTestResult result)
    {
        s.Consecutive++;
        if (!s.Failing && s.Consecutive >= _options.StorageTestFailingAfter)
        {
            s.Failing = true;
            var name = Name(result);
            LogFailing(_logger, peer[..Math.Min(8, peer.Length)], name, s.Consecutive);
        }
    }

    /// <summary>Drops results older than the retention, and peers left with neither results nor a pending challenge.</summary>
    private void Prune(DateTimeOffset now)
    {
        var cutoff = now - _options.StorageTestRetention;
        List<string>? empty = null;
        foreach (var (peer, s) in _peers)
        {
            while (s.History.TryPeek(out var oldest) && oldest.At < cutoff)
            {
                s.History.Dequeue();
            }

            if (s.History.Count == 0 && s.Pending is null)
            {
                (empty ??= []).Add(peer);
            }
        }

        if (empty is not null)
        {
            foreach (var peer in empty)
            {
                _peers.Remove(peer);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage tests: peer {Peer}… is failing ({Result}, {Consecutive} counted failures in a row)")]
    private static partial void LogFailing(ILogger logger, string peer, string result, int consecutive);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage tests: peer {Peer}… passes again")]
    private static partial void LogRecovered(ILogger logger, string peer);

    /// <summary>One peer's state; only touched under the tracker's lock.</summary>
    private sealed class PeerState
    {
        public Queue<(DateTimeOffset At, StorageTestResult Result)> History { get; } = new();

        public (DateTimeOffset At, StorageTestResult Result) Last { get; set; }

        public PendingChallenge? Pending { get; set; }

        public int Consecutive { get; set; }

        public bool Failing { get; set; }
    }
}
