using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SessionNode.Rpc;

/// <summary>Every metric the client API emits (meter <c>SessionNode.Rpc</c>); the Daemon exports them.</summary>
internal static class RpcTelemetry
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "SessionNode.Rpc";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>RPC calls by method and HTTP status (sub-requests of batch/sequence/ifelse count individually).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("sessionnode.rpc.requests", "{request}", "Storage RPC calls by method and status.");

    /// <summary>Handling time of top-level RPC calls, in seconds.</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("sessionnode.rpc.duration", "s", "Time to handle a storage RPC call.");

    /// <summary>Requests refused by the per-IP rate limiter.</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("sessionnode.rpc.rate_limited", "{request}", "Requests answered 429 by the client rate limiter.");

    /// <summary>Storage-test results recorded by the tester, by result (ok, mismatch, missing, retrying, rejected, unreachable).</summary>
    public static readonly Counter<long> StorageTests = Meter.CreateCounter<long>("sessionnode.rpc.storage_tests", "{test}", "Storage tests of swarm peers by recorded result.");

    /// <summary>Storage-test challenges this node answered, by status (proof, not_found, wrong_request, rate_limited).</summary>
    public static readonly Counter<long> StorageTestsAnswered = Meter.CreateCounter<long>("sessionnode.rpc.storage_tests.answered", "{test}", "Storage-test challenges answered as the testee.");

    /// <summary>Records one call.</summary>
    public static void Record(string method, int status, long startTimestamp)
    {
        if (Requests.Enabled)
        {
            var tags = new TagList { { "method", method }, { "status", status } };
            Requests.Add(1, tags);
            Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        }
    }
}
