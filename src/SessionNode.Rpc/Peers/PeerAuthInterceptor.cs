using Grpc.Core;
using Grpc.Core.Interceptors;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Checks the <c>sn-token</c> of every peer RPC except <c>Authenticate</c>: HMAC and expiry
/// (<c>Unauthenticated</c>), then that the caller is still in the current membership
/// (<c>PermissionDenied</c>): Replicate, ReplicateBatch, PushMessages, HandOver and StorageTest.Challenge need
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
        var method = context.Method;
        if (method.EndsWith("/Authenticate", StringComparison.Ordinal))
        {
            return continuation(request, context);
        }

        if (!_tokens.TryValidate(context.RequestHeaders.GetValue(PeerAuth.TokenHeader), _node.NowMs, out var caller))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing, invalid or expired peer token"));
        }

        var snapshot = _node.Membership.Current;
        var record = snapshot.FindByEd25519(Convert.ToHexStringLower(caller))
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a known service node"));
        var needsSwarm = method.EndsWith("/Replicate", StringComparison.Ordinal)
            || method.EndsWith("/ReplicateBatch", StringComparison.Ordinal)
            || method.EndsWith("/PushMessages", StringComparison.Ordinal)
            || method.EndsWith("/HandOver", StringComparison.Ordinal)
            || method.EndsWith(".StorageTest/Challenge", StringComparison.Ordinal);
        if (needsSwarm && snapshot.Members(record.SwarmId).Count == 0)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a member of any swarm"));
        }

        if (method.StartsWith(AntiEntropyPrefix, StringComparison.Ordinal)
            && !(snapshot.SelfInSwarm && snapshot.Self!.SwarmId == record.SwarmId))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "caller is not a member of our swarm"));
        }

        context.UserState[CallerKey] = record;
        return continuation(request, context);
    }
}
