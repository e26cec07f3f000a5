using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Background loop of swarm.md §12: every <see cref="ReachabilityOptions.Tick"/> it checks incoming
/// pings (§12.6, logging only) and, while this node is in a swarm, starts the tests the
/// <see cref="ReachabilitySchedule"/> says are due (HTTPS ping + gRPC Ping via
/// <see cref="ReachabilityProbe"/>, in the background so a slow peer does not delay the tick). Results go
/// back to the schedule (backoff), to <see cref="PeerHealth"/> (an unanswered gRPC sub-test counts as a
/// failed peer call, so two in a row make the peer known unreachable for replication and the
/// replication pump's probes take it from there; a passed one marks it reachable) and, in
/// <c>oxend</c> mode, to oxend's <c>report_peer_status</c>. Owns only the set of running tests.
/// </summary>
internal sealed partial class ReachabilityTester : BackgroundService
{
    private readonly ReachabilitySchedule _schedule;
    private readonly ReachabilityProbe _probe;
    private readonly IncomingPingMonitor _pings;
    private readonly PeerHealth _health;
    private readonly NodeState _node;
    private readonly ReachabilityOptions _options;
    private readonly NetworkOptions _network;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<Task> _running = [];
    private readonly Lock _runningLock = new();
    private HttpClient? _oxend;

    public ReachabilityTester(
        ReachabilitySchedule schedule,
        ReachabilityProbe probe,
        IncomingPingMonitor pings,
        PeerHealth health,
        NodeState node,
        IOptions<ReachabilityOptions> options,
        IOptions<NetworkOptions> network,
        TimeProvider time,
        ILogger<ReachabilityTester> logger)
    {
        _schedule = schedule;
        _probe = probe;
        _pings = pings;
        _health = health;
        _node = node;
        _options = options.Value;
        _network = network.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || _network.Mode == NetworkMode.Standalone)
        {
            return;
        }

        using var oxend = _network.Mode == NetworkMode.Oxend ? new HttpClient { Timeout = _network.OxendRequestTimeout } : null;
        _oxend = oxend;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(_options.Tick, _time, stoppingToken);
                Tick(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Task[] running;
            lock (_runningLock)
            {
                running = [.. _running];
            }

            // Each test ends within its timeout (and at once on cancellation); they log their own faults.
            await Task.WhenAll(running);
        }
    }

    /// <summary>One tick: incoming-ping check, then start the due tests.</summary>
    private void Tick(CancellationToken stoppingToken)
    {
        var view = _node.Membership.Current;
        if (view.Self is not { } self)
        {
            return; // not (yet) a known service node: nothing to test or expect (§12.1 step 1)
        }

        foreach (var e in _pings.Check(_options.IncomingSilenceWarning))
        {
            var transport = e.Transport == PingTransport.Https ? "HTTPS (port " + self.HttpsPort + ")" : "gRPC (peer port " + self.PeerPort + ")";
            if (e.Resumed)
            {
                LogPingsResumed(_logger, transport);
            }
            else if (e.Never)
            {
                LogPingsNever(_logger, transport, (int)e.Silence.TotalMinutes);
            }
            else
            {
                LogPingsSilent(_logger, transport, (int)e.Silence.TotalMinutes);
            }
        }

        if (!view.SelfInSwarm)
        {
            return; // decommissioned or not yet placed: no outgoing tests (§12.1 step 3)
        }

        foreach (var target in _schedule.TakeDue(view, self.Ed25519Hex))
        {
            var task = TestAsync(target, stoppingToken);
            lock (_runningLock)
            {
                if (!task.IsCompleted)
                {
                    _running.Add(task);
                }
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_runningLock)
                    {
                        _running.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task TestAsync(ReachabilityTarget target, CancellationToken stoppingToken)
    {
        var peer = target.Peer;
        ReachabilityReport report;
        try
        {
            report = await _probe.TestAsync(peer, freshGrpcConnection: false, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        _schedule.Report(target, report.Passed);
        if (report.Grpc.Reached)
        {
            _health.ReportSuccess(peer.Ed25519Hex);
        }
        else if (report.Grpc.Unanswered)
        {
            // Counted like a failed replication call: two in a row (from either source) make the peer
            // known unreachable. Wrong or unexpected answers (a closing connection, auth) say nothing
            // about whether replication can reach the peer and are not counted.
            _health.ReportFailure(peer.Ed25519Hex, refused: false);
        }

        if (report.Passed)
        {
            if (target.PreviousFailures > 0)
            {
                LogPeerPassed(_logger, peer.Ed25519Hex[..8], target.PreviousFailures);
            }
        }
        else
        {
            var failed = report.Https.Reached ? report.Grpc : report.Https;
            if (target.PreviousFailures == 0)
            {
                LogPeerFailed(_logger, peer.Ed25519Hex[..8], failed.Transport, failed.Ip, failed.Port, failed.Error ?? string.Empty);
            }
            else
            {
                LogPeerStillFailing(_logger, peer.Ed25519Hex[..8], failed.Transport, failed.Ip, failed.Port, failed.Error ?? string.Empty, target.PreviousFailures + 1);
            }
        }

        await ReportToOxendAsync(peer, report.Passed, stoppingToken);
    }

    private async Task ReportToOxendAsync(ServiceNodeRecord peer, bool passed, CancellationToken stoppingToken)
    {
        if (_oxend is not { } http)
        {
            return;
        }

        try
        {
            using var content = new ByteArrayContent(OxendPeerStatus.Request(peer.LegacyHex, passed));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri(_network.OxendRpcUrl.TrimEnd('/') + "/json_rpc"), content, stoppingToken);
            var problem = response.IsSuccessStatusCode
                ? OxendPeerStatus.Problem(await response.Content.ReadAsByteArrayAsync(stoppingToken))
                : $"HTTP {(int)response.StatusCode}";
            if (problem is not null)
            {
                LogOxendReportFailed(_logger, peer.Ed25519Hex[..8], problem);
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            LogOxendReportFailed(_logger, peer.Ed25519Hex[..8], e.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reachability test of peer {Peer}… failed ({Transport} {Ip}:{Port}: {Error}); retesting with backoff")]
    private static partial void LogPeerFailed(ILogger logger, string peer, string transport, string ip, int port, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reachability test of peer {Peer}… failed ({Transport} {Ip}:{Port}: {Error}); {Failures} failures in a row")]
    private static partial void LogPeerStillFailing(ILogger logger, string peer, string transport, string ip, int port, string error, int failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer}… passes reachability tests again after {Failures} failure(s)")]
    private static partial void LogPeerPassed(ILogger logger, string peer, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No reachability ping received over {Transport} since this node started {Minutes} min ago: check that the port is open to the internet")]
    private static partial void LogPingsNever(ILogger logger, string transport, int minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No reachability ping received over {Transport} for {Minutes} min: check that the port is still open to the internet")]
    private static partial void LogPingsSilent(ILogger logger, string transport, int minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reachability pings over {Transport} are being received again")]
    private static partial void LogPingsResumed(ILogger logger, string transport);

    [LoggerMessage(Level = LogLevel.Debug, Message = "report_peer_status for {Peer}… to oxend failed: {Problem}")]
    private static partial void LogOxendReportFailed(ILogger logger, string peer, string problem);
}
