using System.Buffers;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// Handles a batch in order with the same per-item answers as a sequence of <c>Replicate</c> calls. Consecutive
    /// stores are checked one by one as they come (parse, swarm, signature: <see cref="RequestHandler.TryPrepareForwardedStore"/>)
    /// and those that pass are stored together (<see cref="RequestHandler.ApplyForwardedStores"/>: one RocksDB write
    /// for the run, outcomes as if stored one by one); any other method first commits the stores before it, so
    /// every item sees the effects of the items before it.
    /// </summary>
    internal async Task<ReplicateBatchResponse> HandleBatchAsync(ReplicateBatchRequest request, CancellationToken cancellationToken)
    {
        var items = request.Requests;
        if (items.Count > MaxBatchRequests)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"more than {MaxBatchRequests} requests in one batch"));
        }

        var answers = new ReplicateResponse[items.Count];
        var run = new StoreRun(items.Count);
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (item.Method == RpcMethods.Store)
                {
                    if (PrepareStore(item, cancellationToken, out var pending) is { } refused)
                    {
                        answers[i] = refused;
                    }
                    else
                    {
                        run.Add(i, pending);
                    }

                    continue;
                }

                run.Apply(_handler, answers);
                answers[i] = await ReplicateOneAsync(item, cancellationToken);
            }

            run.Apply(_handler, answers);
        }
        finally
        {
            run.Dispose();
        }

        var response = new ReplicateBatchResponse();
        response.Responses.AddRange(answers);
        return response;
    }

    internal async Task<ReplicateResponse> ReplicateOneAsync(ReplicateRequest request, CancellationToken cancellationToken)
    {
        if (!RequestParser.IsReplicated(request.Method))
        {
            return Answer(RpcResult.Text(400, NonForwardable));
        }

        using var doc = OpenParams(request, cancellationToken, out var rpcContext, out var refused);
        return doc is null ? refused! : Answer(await _handler.HandleAsync(request.Method, doc.RootElement, rpcContext!));
    }

    /// <summary>A forwarded store's checks; null when it waits in <paramref name="pending"/> for its run's apply, else its answer.</summary>
    private ReplicateResponse? PrepareStore(ReplicateRequest request, CancellationToken cancellationToken, out PendingStore pending)
    {
        pending = default;
        using var doc = OpenParams(request, cancellationToken, out var rpcContext, out var refused);
        if (doc is null)
        {
            return refused;
        }

        // The parsed request owns copies of everything it needs (data, keys), so the document may go.
        return _handler.TryPrepareForwardedStore(doc.RootElement, rpcContext!, out pending, out var result) ? null : Answer(result);
    }

    /// <summary>
    /// Parses a forwarded request's params and builds its context (a replay is judged as of its
    /// <c>validate_at_ms</c>); null with <paramref name="refused"/> set when it is answered before the handler.
    /// </summary>
    private JsonDocument? OpenParams(ReplicateRequest request, CancellationToken cancellationToken, out RpcContext? context, out ReplicateResponse? refused)
    {
        context = null;
        var now = _node.NowMs;
        var at = request.ValidateAtMs;
        if (at > now + (long)PeerAuth.ClockSkew.TotalMilliseconds)
        {
            refused = Answer(RpcResult.Text(400, "invalid request: replay time in the future"));
            return null;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(request.Params.Memory, RpcJson.DocumentOptions);
        }
        catch (JsonException)
        {
            refused = Answer(RpcResult.Text(400, "invalid json"));
            return null;
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            refused = Answer(RpcResult.Text(400, "invalid json: no `params` field"));
            return null;
        }

        refused = null;
        context = new RpcContext(at > 0 ? at : now, forwarded: true, _node.Membership.Current, cancellationToken);
        return doc;
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
        // A body in an array of its own (not pooled, never written again) is wrapped instead of copied.
        var body = !result.IsPooled && MemoryMarshal.TryGetArray(result.Body, out var array) && array.Offset == 0 && array.Count == array.Array!.Length
            ? UnsafeByteOperations.UnsafeWrap(array.Array)
            : ByteString.CopyFrom(result.Body.Span);
        var response = new ReplicateResponse { Status = result.Status, Body = body };
        result.ReleaseBody();
        return response;
    }

    /// <summary>
    /// The forwarded stores of a batch waiting to be stored together, with their slots in the answer. Pooled
    /// arrays sized for the batch; <see cref="Apply"/> stores them (if any) and empties the run.
    /// </summary>
    private struct StoreRun(int capacity) : IDisposable
    {
        private PendingStore[]? _stores;
        private int[]? _slots;
        private RpcResult[]? _results;
        private int _count;

        public void Add(int slot, PendingStore store)
        {
            _stores ??= ArrayPool<PendingStore>.Shared.Rent(capacity);
            _slots ??= ArrayPool<int>.Shared.Rent(capacity);
            _stores[_count] = store;
            _slots[_count++] = slot;
        }

        public void Apply(RequestHandler handler, ReplicateResponse[] answers)
        {
            if (_count == 0)
            {
                return;
            }

            _results ??= ArrayPool<RpcResult>.Shared.Rent(capacity);
            var count = _count;
            _count = 0;
            handler.ApplyForwardedStores(_stores.AsSpan(0, count), _results);
            for (var i = 0; i < count; i++)
            {
                answers[_slots![i]] = Answer(_results[i]);
            }

            Array.Clear(_stores!, 0, count);
            Array.Clear(_results, 0, count);
        }

        public void Dispose()
        {
            if (_stores is not null)
            {
                ArrayPool<PendingStore>.Shared.Return(_stores, clearArray: true);
                ArrayPool<int>.Shared.Return(_slots!);
            }

            if (_results is not null)
            {
                ArrayPool<RpcResult>.Shared.Return(_results, clearArray: true);
            }
        }
    }
}
