using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Rpc.Requests;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The server side of the peer protocol (Protos/peer.proto). Replicated requests run through the same
/// <see cref="RequestHandler"/> as client requests, marked forwarded; pushes go straight to the store.
/// Stateless; one instance per call (gRPC activation).
/// </summary>
internal sealed class PeerService : Proto.Peer.PeerBase
{
    /// <summary>The reference's answer to a forwarded non-replicated method (swarm.md §7.2).</summary>
    internal const string NonForwardable = "invalid request: received invalid forwarded non-forwardable request";

    private readonly NodeState _node;
    private readonly PeerTokenIssuer _tokens;
    private readonly RequestHandler _handler;
    private readonly MessageStore _store;
    private readonly IOnionRelayHandler? _relay;
    private readonly IncomingPingMonitor _pings;
    private readonly IHostApplicationLifetime _lifetime;

    public PeerService(NodeState node, PeerTokenIssuer tokens, RequestHandler handler, MessageStore store, IEnumerable<IOnionRelayHandler> relays, IncomingPingMonitor pings, IHostApplicationLifetime lifetime)
    {
        _lifetime = lifetime;
        _pings = pings;
        _node = node;
        _tokens = tokens;
        _handler = handler;
        _store = store;
        _relay = relays.LastOrDefault();
    }

    public override Task<AuthResponse> Authenticate(AuthRequest request, ServerCallContext context)
    {
        var now = _node.NowMs;
        if (request.CallerEd25519.Length != Ed25519.PublicKeySize || request.Signature.Length != Ed25519.SignatureSize)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "bad key or signature length"));
        }

        if (Math.Abs(request.TimestampMs - now) > (long)PeerAuth.ClockSkew.TotalMilliseconds)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "timestamp outside ±60 s"));
        }

        var caller = request.CallerEd25519.Span;
        if (!Ed25519.Verify(caller, PeerAuth.AuthMessage(_node.Keys.PublicKey, caller, request.TimestampMs), request.Signature.Span))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "bad signature"));
        }

        if (_node.Membership.Current.FindByEd25519(Convert.ToHexStringLower(caller)) is null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a known service node"));
        }

        var expires = now + (long)PeerAuth.TokenLifetime.TotalMilliseconds;
        var token = _tokens.Issue(caller, expires);
        return Task.FromResult(new AuthResponse
        {
            Token = token,
            ExpiresMs = expires,
            CalleeSignature = ByteString.CopyFrom(_node.Keys.Sign(PeerAuth.AckMessage(token))),
        });
    }

    /// <summary>Most requests one <c>ReplicateBatch</c> call may carry (callers send at most <see cref="ReplicationBatcher.MaxBatchRequests"/>).</summary>
    internal const int MaxBatchRequests = 1024;

    public override Task<ReplicateResponse> Replicate(ReplicateRequest request, ServerCallContext context) =>
        ReplicateOneAsync(request, context.CancellationToken);

    public override Task<ReplicateBatchResponse> ReplicateBatch(ReplicateBatchRequest request, ServerCallContext context) =>
        HandleBatchAsync(request, context.CancellationToken);

    /// <summary>
    /// Batches one after another on one stream, each answered before the next is read (so answers keep the
    /// order). The caller must still be a member of some swarm for every batch: membership can change while
    /// a stream lives. The stream ends when the caller completes it, or quietly when this node stops (batches
    /// the caller sent after the last answer then fail on its side and go to its retry queue).
    /// </summary>
    public override async Task ReplicateStream(IAsyncStreamReader<ReplicateBatchRequest> requestStream, IServerStreamWriter<ReplicateBatchResponse> responseStream, ServerCallContext context)
    {
        var caller = (ServiceNodeRecord)context.UserState[PeerAuthInterceptor.CallerKey];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _lifetime.ApplicationStopping);
        while (true)
        {
            try
            {
                if (!await requestStream.MoveNext(stop.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
            {
                return; // this node is stopping
            }

            var snapshot = _node.Membership.Current;
            if (snapshot.FindByEd25519(caller.Ed25519Hex) is not { } current || snapshot.Members(current.SwarmId).Count == 0)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is no longer a member of any swarm"));
            }

            await responseStream.WriteAsync(await HandleBatchAsync(requestStream.Current, context.CancellationToken));
        }
    }

    private async Task<ReplicateBatchResponse> HandleBatchAsync(ReplicateBatchRequest request, CancellationToken cancellationToken)
    {
        if (request.Requests.Count > MaxBatchRequests)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"more than {MaxBatchRequests} requests in one batch"));
        }

        // In order, one at a time: the same order a sequence of Replicate calls on one stream would have.
        var response = new ReplicateBatchResponse();
        foreach (var item in request.Requests)
        {
            response.Responses.Add(await ReplicateOneAsync(item, cancellationToken));
        }

        return response;
    }

    private async Task<ReplicateResponse> ReplicateOneAsync(ReplicateRequest request, CancellationToken cancellationToken)
    {
        if (!RequestParser.IsReplicated(request.Method))
        {
            return Answer(RpcResult.Text(400, NonForwardable));
        }

        var now = _node.NowMs;
        var at = request.ValidateAtMs;
        if (at > now + (long)PeerAuth.ClockSkew.TotalMilliseconds)
        {
            return Answer(RpcResult.Text(400, "invalid request: replay time in the future"));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(request.Params.Memory, RpcJson.DocumentOptions);
        }
        catch (JsonException)
        {
            return Answer(RpcResult.Text(400, "invalid json"));
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Answer(RpcResult.Text(400, "invalid json: no `params` field"));
            }

            var rpcContext = new RpcContext(at > 0 ? at : now, forwarded: true, _node.Membership.Current, cancellationToken);
            return Answer(await _handler.HandleAsync(request.Method, doc.RootElement, rpcContext));
        }
    }

    public override Task<PushResponse> PushMessages(PushRequest request, ServerCallContext context)
    {
        var messages = new List<StoredMessage>(request.Messages.Count);
        foreach (var m in request.Messages)
        {
            if (m.Account.Length != AccountId.Length || m.Namespace is < short.MinValue or > short.MaxValue || m.Hash.Length == 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "bad pushed message"));
            }

            messages.Add(new StoredMessage(AccountId.FromBytes(m.Account.Span), new Namespace((short)m.Namespace), m.Hash, m.TimestampMs, m.ExpiryMs, m.Data.ToByteArray()));
        }

        int stored;
        try
        {
            stored = messages.Count == 0 ? 0 : _store.BulkStore(messages);
        }
        catch (StorageFullException)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "storage full"));
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "bad pushed message: " + e.Message));
        }

        foreach (var group in request.Revocations.GroupBy(r => r.Account))
        {
            if (group.Key.Length != AccountId.Length)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "bad pushed revocation"));
            }

            var account = AccountId.FromBytes(group.Key.Span);
            foreach (var r in group)
            {
                if (r.Token.Length != SubaccountToken.Length)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "bad pushed revocation"));
                }

                _store.Revoke(account, [SubaccountToken.FromBytes(r.Token.Span)], r.RevokedAtMs);
            }
        }

        return Task.FromResult(new PushResponse { Stored = stored });
    }

    public override async Task<RelayResponse> Relay(RelayRequest request, ServerCallContext context)
    {
        if (_relay is null)
        {
            return new RelayResponse { Status = 501, Body = ByteString.CopyFromUtf8("onion relay not available") };
        }

        var caller = (ServiceNodeRecord)context.UserState[PeerAuthInterceptor.CallerKey];
        var result = await _relay.RelayAsync(request.Data.Memory, request.EphemeralKey.Memory, request.EncType, request.HopNo, caller, context.CancellationToken);
        return new RelayResponse { Status = result.Status, Body = ByteString.CopyFrom(result.Body) };
    }

    /// <summary>Reachability probe; recorded as an incoming gRPC ping (swarm.md §12.6).</summary>
    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context)
    {
        _pings.Record(PingTransport.Grpc);
        return Task.FromResult(new PingResponse { Pong = "pong" });
    }

    private static ReplicateResponse Answer(RpcResult result)
    {
        var response = new ReplicateResponse { Status = result.Status, Body = ByteString.CopyFrom(result.Body.Span) };
        result.ReleaseBody();
        return response;
    }
}
