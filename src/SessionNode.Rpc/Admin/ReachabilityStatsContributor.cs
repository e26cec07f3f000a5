using System.Text.Json;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Admin;

/// <summary>
/// The <c>reachability</c> stats section: test totals, the failing peers with their failure count and
/// next retest, and the last incoming HTTPS and gRPC pings (unix ms, null if none since start).
/// </summary>
internal sealed class ReachabilityStatsContributor : IStatsContributor
{
    private readonly ReachabilitySchedule _schedule;
    private readonly IncomingPingMonitor _pings;

    public ReachabilityStatsContributor(ReachabilitySchedule schedule, IncomingPingMonitor pings)
    {
        _schedule = schedule;
        _pings = pings;
    }

    public string Section => "reachability";

    public void WriteStats(Utf8JsonWriter writer)
    {
        writer.WriteNumber("tested", _schedule.Tested);
        writer.WriteNumber("passed", _schedule.Passed);
        writer.WriteNumber("failed", _schedule.Failed);
        writer.WriteStartObject("failing");
        foreach (var f in _schedule.Failing)
        {
            writer.WriteStartObject(f.Ed25519Hex);
            writer.WriteNumber("failures", f.Failures);
            writer.WriteNumber("next_test_ms", f.NextTest.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        WriteTime(writer, "last_incoming_https_ping_ms", _pings.Last(PingTransport.Https));
        WriteTime(writer, "last_incoming_grpc_ping_ms", _pings.Last(PingTransport.Grpc));
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            writer.WriteNumber(name, t.ToUnixTimeMilliseconds());
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
