using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using SessionNode.Protocol;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// <see cref="IPeerForwarder"/> over the peer gRPC service. Maps the peer's answer to its per-node
/// entry (client-rpc.md §8.3). A peer known to be unreachable, or one with requests still waiting in
/// its retry queue (to keep them in order), is answered at once as <c>{"failed":true,"timeout":true}</c>
/// and the request is queued; a transport failure also queues it. The <see cref="ReplicationPump"/>
/// delivers the queue when the peer is back. Calls go through the <see cref="ReplicationBatcher"/>, which
/// coalesces concurrent requests to one peer.
/// </summary>
internal sealed partial class GrpcPeerForwarder : IPeerForwarder
{
    private static readonly byte[] TimeoutEntry = Encoding.UTF8.GetBytes("""{"failed":true,"timeout":true}""");
    private static readonly byte[] BadResponseEntry = Encoding.UTF8.GetBytes("""{"bad_peer_response":true,"failed":true}""");

    private readonly ReplicationBatcher _batcher;
    private readonly PeerHealth _health;
    private readonly PeerRetryQueue _queue;
    private readonly NodeState _node;
    private readonly ILogger _logger;

    public GrpcPeerForwarder(ReplicationBatcher batcher, PeerHealth health, PeerRetryQueue queue, NodeState node, ILogger<GrpcPeerForwarder> logger)
    {
        _batcher = batcher;
        _health = health;
        _queue = queue;
        _node = node;
        _logger = logger;
    }

    public async Task<byte[]> ForwardAsync(ServiceNodeRecord peer, string method, ReadOnlyMemory<byte> rawParams, CancellationToken cancellationToken)
    {
        var acceptedAt = _node.NowMs;
        if (_health.IsUnreachable(peer.Ed25519Hex) || _queue.Depth(peer.Ed25519Hex) > 0)
        {
            Telemetry.FastFailed.Add(1);
            Enqueue(peer, method, rawParams, acceptedAt);
            return TimeoutEntry;
        }

        ReplicateResponse response;
        try
        {
            response = await _batcher.ReplicateAsync(peer, method, rawParams, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown)
        {
            _health.ReportFailure(peer.Ed25519Hex, refused: e.StatusCode == StatusCode.Unavailable);
            Enqueue(peer, method, rawParams, acceptedAt);
            return TimeoutEntry;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The handler's 5 s peer timeout (or the client went away).
            _health.ReportFailure(peer.Ed25519Hex, refused: false);
            Enqueue(peer, method, rawParams, acceptedAt);
            throw;
        }
        catch (RpcException e)
        {
            // The peer refused us (auth, membership disagreement): an answer, not an outage.
            _health.ReportSuccess(peer.Ed25519Hex);
            var code = e.StatusCode switch
            {
                StatusCode.Unauthenticated => "401",
                StatusCode.PermissionDenied => "403",
                StatusCode.InvalidArgument => "400",
                StatusCode.ResourceExhausted => "507",
                StatusCode.Unimplemented => "501",
                _ => "500",
            };
            return FailureEntry(code, "peer rejected the call: " + e.Status.Detail);
        }

        _health.ReportSuccess(peer.Ed25519Hex);
        return ToEntry(response);
    }

    /// <summary>The per-node entry for a peer's answer.</summary>
    internal static byte[] ToEntry(ReplicateResponse response)
    {
        var body = response.Body.ToByteArray();
        if (response.Status != 200)
        {
            return FailureEntry(response.Status.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(body));
        }

        return IsJsonObject(body) ? body : BadResponseEntry;
    }

    /// <summary>True if <paramref name="json"/> is exactly one well-formed JSON object (it is embedded as is).</summary>
    internal static bool IsJsonObject(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = RpcJson.DocumentOptions.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.TrySkip())
            {
                return false;
            }

            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] FailureEntry(string code, string reason) => RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("code", code);
        w.WriteBoolean("failed", true);
        w.WriteString("reason", reason);
        w.WriteEndObject();
    });

    private void Enqueue(ServiceNodeRecord peer, string method, ReadOnlyMemory<byte> rawParams, long acceptedAt)
    {
        if (!_queue.TryEnqueue(peer.Ed25519, method, rawParams.Span, acceptedAt))
        {
            LogQueueFull(_logger, peer.Ed25519Hex[..8], _queue.Capacity);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retry queue for peer {Peer}… is full ({Capacity}); a replicated request is lost for it")]
    private static partial void LogQueueFull(ILogger logger, string peer, int capacity);
}
