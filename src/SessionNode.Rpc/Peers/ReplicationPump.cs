using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Background loop that probes peers marked unreachable (gRPC <c>Ping</c>, doubling backoff from
/// <see cref="PeerHealth"/>) and delivers each reachable peer's retry queue in order, replaying every
/// request as of the time the entry node accepted it. Owns no state; the queue and the health table do.
/// </summary>
internal sealed partial class ReplicationPump : BackgroundService
{
    /// <summary>Loop period: a returning peer is noticed within this (plus its probe backoff).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    /// <summary>Probe and replay timeout (the replicated-request timeout of swarm.md §16).</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Requests read from the queue per round, to keep memory bounded.</summary>
    private const int DrainBatch = 256;

    private readonly PeerClient _client;
    private readonly PeerHealth _health;
    private readonly PeerRetryQueue _queue;
    private readonly NodeState _node;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ReplicationPump(PeerClient client, PeerHealth health, PeerRetryQueue queue, NodeState node, TimeProvider time, ILogger<ReplicationPump> logger)
    {
        _client = client;
        _health = health;
        _queue = queue;
        _node = node;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, _time, stoppingToken);
                await RoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One pass over the unreachable peers and the non-empty queues.</summary>
    internal async Task RoundAsync(CancellationToken cancellationToken)
    {
        var snapshot = _node.Membership.Current;
        var peers = new HashSet<string>(_health.UnreachablePeers, StringComparer.Ordinal);
        peers.UnionWith(_queue.Depths.Keys);
        foreach (var hex in peers)
        {
            if (snapshot.FindByEd25519(hex) is not { } peer || peer.PeerPort == 0)
            {
                continue;
            }

            if (_health.IsUnreachable(hex))
            {
                if (!_health.TryTakeProbe(hex) || !await ProbeAsync(peer, cancellationToken))
                {
                    continue;
                }

                var queued = _queue.Depth(hex);
                LogPeerBack(_logger, hex[..8], queued);
            }

            await DrainAsync(peer, cancellationToken);
        }
    }

    private async Task<bool> ProbeAsync(ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(CallTimeout);
        try
        {
            await _client.PingAsync(peer, cts.Token);
            _health.ReportSuccess(peer.Ed25519Hex);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task DrainAsync(ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = _queue.Peek(peer.Ed25519, DrainBatch);
            if (batch.Count == 0)
            {
                return;
            }

            foreach (var item in batch)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                cts.CancelAfter(CallTimeout);
                try
                {
                    var response = await _client.ReplicateAsync(peer, item.Method, item.Params, item.AcceptedAtMs, cts.Token);
                    if (response.Status != 200)
                    {
                        // Permanent for this request (e.g. the account moved: 421); retrying cannot help.
                        LogReplayRejected(_logger, item.Method, peer.Ed25519Hex[..8], response.Status);
                    }
                }
                catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    var refused = e is RpcException { StatusCode: StatusCode.Unavailable };
                    if (e is RpcException { StatusCode: StatusCode.PermissionDenied or StatusCode.InvalidArgument })
                    {
                        // The peer no longer accepts us, or the item is malformed: drop it.
                        _queue.Remove(peer.Ed25519, item.Sequence);
                        continue;
                    }

                    _health.ReportFailure(peer.Ed25519Hex, refused);
                    _health.ReportFailure(peer.Ed25519Hex, refused);
                    return;
                }

                _queue.Remove(peer.Ed25519, item.Sequence);
                Telemetry.Drained.Add(1);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer}… is reachable again; {Queued} queued requests to deliver")]
    private static partial void LogPeerBack(ILogger logger, string peer, long queued);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replayed {Method} rejected by peer {Peer}… with {Status}")]
    private static partial void LogReplayRejected(ILogger logger, string method, string peer, int status);
}
