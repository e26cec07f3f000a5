using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The server side of Protos/reachability.proto: <c>TestMe</c> tests the caller's advertised HTTPS and
/// peer ports as this node's membership view has them (the caller cannot name an address, so the
/// service cannot be used to probe third parties). Authenticated by <see cref="PeerAuthInterceptor"/>
/// (any known node); at most one test per caller per <see cref="ReachabilityOptions.TestMeMinInterval"/>.
/// One instance per call; the rate limit state lives in <see cref="TestMeLimiter"/>.
/// </summary>
internal sealed class ReachabilityService : Proto.Reachability.ReachabilityBase
{
    private readonly ReachabilityProbe _probe;
    private readonly TestMeLimiter _limiter;

    public ReachabilityService(ReachabilityProbe probe, TestMeLimiter limiter)
    {
        _probe = probe;
        _limiter = limiter;
    }

    public override async Task<TestMeResponse> TestMe(TestMeRequest request, ServerCallContext context)
    {
        var caller = (ServiceNodeRecord)context.UserState[PeerAuthInterceptor.CallerKey];
        if (caller.Ip == "0.0.0.0" || caller.HttpsPort == 0 || caller.PeerPort == 0)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node does not know your address and ports"));
        }

        if (!_limiter.TryEnter(caller.Ed25519Hex))
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many reachability test requests; try again in a few seconds"));
        }

        try
        {
            var report = await _probe.TestAsync(caller, freshGrpcConnection: true, context.CancellationToken);
            return new TestMeResponse { Results = { ToProto(report.Https), ToProto(report.Grpc) } };
        }
        finally
        {
            _limiter.Exit(caller.Ed25519Hex);
        }
    }

    private static Proto.TransportResult ToProto(TransportResult r) => new()
    {
        Transport = r.Transport,
        Ip = r.Ip,
        Port = r.Port,
        Reached = r.Reached,
        Error = r.Error ?? string.Empty,
        LatencyUs = (long)r.Latency.TotalMicroseconds,
    };
}

/// <summary>
/// Per-caller limit of <c>TestMe</c>: one test at a time and at most one start per
/// <see cref="ReachabilityOptions.TestMeMinInterval"/>. Callers are authenticated known nodes, so the
/// table is bounded by the network size. Thread-safe.
/// </summary>
internal sealed class TestMeLimiter
{
    private readonly ConcurrentDictionary<string, Entry> _callers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;

    public TestMeLimiter(IOptions<ReachabilityOptions> options, TimeProvider time)
    {
        _time = time;
        _interval = options.Value.TestMeMinInterval;
    }

    public bool TryEnter(string caller)
    {
        var now = _time.GetUtcNow();
        while (true)
        {
            if (!_callers.TryGetValue(caller, out var e))
            {
                if (_callers.TryAdd(caller, new Entry(now, InFlight: true)))
                {
                    return true;
                }

                continue;
            }

            if (e.InFlight || now - e.Started < _interval)
            {
                return false;
            }

            if (_callers.TryUpdate(caller, new Entry(now, InFlight: true), e))
            {
                return true;
            }
        }
    }

    public void Exit(string caller)
    {
        while (_callers.TryGetValue(caller, out var e) && !_callers.TryUpdate(caller, e with { InFlight = false }, e))
        {
        }
    }

    private sealed record Entry(DateTimeOffset Started, bool InFlight);
}
