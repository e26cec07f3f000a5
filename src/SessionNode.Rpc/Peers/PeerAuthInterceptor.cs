using Grpc.Core;
using Grpc.Core.Interceptors;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Checks the <c>sn-token</c> of every peer RPC except <c>Authenticate</c>: HMAC and expiry
/// (<c>Unauthenticated</c>), then that the caller is still in the current membership
/// (<c>PermissionDenied</c>), for unary and streaming calls alike: Replicate, ReplicateBatch, ReplicateStream, PushMessages, HandOver and StorageTest.Challenge need
/// a member of some swarm (the storage-test responder further requires ours), the anti-entropy methods a
/// member of our own swarm, Relay, Ping, ConfirmHoldings and Reachability.TestMe any known node. The caller's
/// record is left in <see cref="ServerCallContext.UserState"/>.
/// </summary>
internal sealed class PeerAuthInterceptor : Interceptor
{
    internal const string CallerKey = "sn-caller";

    /// <summary>Method-name prefix of the anti-entropy service (antientropy.proto): callers must share our swarm.</summary>
    internal const string AntiEntropyPrefix = "/sessionnode.antientropy.v1.AntiEntropy/";

    private readonly PeerTokenIssuer _tokens;
    private readonly NodeState _node;

    public PeerAuthInterceptor(PeerTokenIssuer tokens, NodeState node)
    {
        _tokens = tokens;
        _node = node;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!context.Method.EndsWith("/Authenticate", StringComparison.Ordinal))
        {
            Authorize(context);
        }

        return continuation(request, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    /// <summary>Token, membership and method policy; leaves the caller's record in the call's user state.</summary>
    private void Authorize(ServerCallContext context)
    {
        var method = context.Method;
        if (!_tokens.TryValidate(context.RequestHeaders.GetValue(PeerAuth.TokenHeader), _node.NowMs, out var caller))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing, invalid or expired peer token"));
        }

        var snapshot = _node.Membership.Current;
        var record = snapshot.FindByEd25519(Convert.ToHexStringLower(caller))
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a known service node"));
        if (NeedsSwarm(method) && snapshot.Members(record.SwarmId).Count == 0)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a member of any swarm"));
        }

        if (method.StartsWith(AntiEntropyPrefix, StringComparison.Ordinal)
            && !(snapshot.SelfInSwarm && snapshot.Self!.SwarmId == record.SwarmId))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a member of our swarm"));
        }

        context.UserState[CallerKey] = record;
    }

    private static bool NeedsSwarm(string method) =>
        method.EndsWith("/Replicate", StringComparison.Ordinal)
        || method.EndsWith("/ReplicateBatch", StringComparison.Ordinal)
        || method.EndsWith("/ReplicateStream", StringComparison.Ordinal)
        || method.EndsWith("/PushMessages", StringComparison.Ordinal)
        || method.EndsWith("/HandOver", StringComparison.Ordinal)
        || method.EndsWith(".StorageTest/Challenge", StringComparison.Ordinal);
}
