using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using SessionNode.Crypto;
using SessionNode.Onion;
using SessionNode.Rpc.Peers.Proto;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// <see cref="IOnionForwarder"/> over the peer gRPC service's <c>Relay</c> RPC (onion.md §7.3). Never throws for
/// a failed hop: deadline, unreachable peer or cancellation answer 504 <c>Request time out</c>, any other gRPC
/// error or a reply without a status 500 <c>Invalid response from snode</c>. Stateless; owned by DI.
/// </summary>
internal sealed partial class GrpcOnionForwarder : IOnionForwarder
{
    /// <summary>Per-relay deadline of the reference (onion.md §7.3), on the node's clock.</summary>
    public static readonly TimeSpan RelayTimeout = TimeSpan.FromSeconds(30);

    private readonly PeerClient _client;
    private readonly NodeState _node;
    private readonly ILogger _logger;

    public GrpcOnionForwarder(PeerClient client, NodeState node, ILogger<GrpcOnionForwarder> logger)
    {
        _client = client;
        _node = node;
        _logger = logger;
    }

    public async Task<OnionReply> ForwardAsync(OnionRelayRequest request, CancellationToken cancellationToken)
    {
        var hex = request.NextHop.Ed25519Hex;
        // The endpoint resolved the hop a moment ago; a view published in between may have dropped it.
        if (_node.Membership.Current.FindByEd25519(hex) is not { } peer)
        {
            return OnionReply.Text(502, "Next node not found: " + hex);
        }

        // The ciphertext stays valid until this method returns and gRPC serialises the request before the
        // call completes, so wrapping instead of copying is safe.
        var relay = new RelayRequest
        {
            Data = UnsafeByteOperations.UnsafeWrap(request.Ciphertext),
            EphemeralKey = UnsafeByteOperations.UnsafeWrap(request.EphemeralKey),
            EncType = EncryptionTypes.ToWireName(request.EncType),
            HopNo = request.HopNo,
        };

        using var timeout = new CancellationTokenSource(RelayTimeout, _node.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var response = await _client.RelayAsync(peer, relay, linked.Token);
            if (response.Status <= 0)
            {
                LogBadReply(_logger, hex[..8], response.Status);
                return InvalidResponse();
            }

            return new OnionReply(response.Status, response.Body.Memory);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Unavailable or StatusCode.Cancelled)
        {
            LogTimeout(_logger, hex[..8], e.StatusCode);
            return TimedOut();
        }
        catch (OperationCanceledException)
        {
            // Our deadline (or the caller went away) while waiting for a token or the reply.
            LogTimeout(_logger, hex[..8], StatusCode.DeadlineExceeded);
            return TimedOut();
        }
        catch (RpcException e)
        {
            // PermissionDenied, Internal, Unknown, …: the peer answered, but not with a relay reply.
            LogRejected(_logger, hex[..8], e.StatusCode);
            return InvalidResponse();
        }
    }

    private static OnionReply TimedOut() => OnionReply.Text(504, "Request time out");

    private static OnionReply InvalidResponse() => OnionReply.Text(500, "Invalid response from snode");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Onion relay to {Peer}… failed ({Code}): answering 504")]
    private static partial void LogTimeout(ILogger logger, string peer, StatusCode code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Onion relay to {Peer}… rejected ({Code}): answering 500")]
    private static partial void LogRejected(ILogger logger, string peer, StatusCode code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Onion relay to {Peer}… answered without a status ({Status}): answering 500")]
    private static partial void LogBadReply(ILogger logger, string peer, int status);
}
