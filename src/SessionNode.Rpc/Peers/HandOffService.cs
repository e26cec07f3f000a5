using Google.Protobuf;
using Grpc.Core;
using SessionNode.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The server side of Protos/handoff.proto: applies items handed over by a former owner (resolved like
/// repair; a batch with an account our swarm does not serve is refused with <c>FailedPrecondition</c>, to
/// be retried once the views agree) and answers "do you hold exactly this" with the
/// store's digest of each asked account. Authenticated by <see cref="PeerAuthInterceptor"/>.
/// Stateless; one instance per call (gRPC activation).
/// </summary>
internal sealed class HandOffService : Proto.HandOff.HandOffBase
{
    /// <summary>Most accounts one call may ask about (a digest costs one prefix scan of the account).</summary>
    internal const int MaxAccountsPerCall = 1000;

    private readonly NodeState _node;
    private readonly MessageStore _store;

    public HandOffService(NodeState node, MessageStore store)
    {
        _node = node;
        _store = store;
    }

    public override Task<ConfirmHoldingsResponse> ConfirmHoldings(ConfirmHoldingsRequest request, ServerCallContext context)
    {
        if (request.Accounts.Count > MaxAccountsPerCall)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {MaxAccountsPerCall} accounts per call"));
        }

        if (request.Accounts.Any(a => a.Length != AccountId.Length))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "bad account"));
        }

        var response = new ConfirmHoldingsResponse();
        Span<byte> hash = stackalloc byte[16];
        foreach (var bytes in request.Accounts)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var digest = _store.AccountDigest(AccountId.FromBytes(bytes.Span), request.AsOfMs);
            digest.WriteHash(hash);
            var holding = new AccountHolding { Account = bytes, Digest = ByteString.CopyFrom(hash), Count = digest.Count };
            if (request.IncludeIds)
            {
                holding.Ids.AddRange(_store.ListAccountItems(AccountId.FromBytes(bytes.Span), request.AsOfMs).Select(i => i.Id));
            }

            response.Holdings.Add(holding);
        }

        return Task.FromResult(response);
    }

    public override Task<HandOverResponse> HandOver(HandOverRequest request, ServerCallContext context)
    {
        var view = _node.Membership.Current;
        var items = new List<SyncItem>(request.Items.Count);
        foreach (var i in request.Items)
        {
            var item = AntiEntropyWire.FromProto(i) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "bad handed-over item"));
            var account = item.Account;
            if (!view.ServesAccount(account))
            {
                // Our view differs from the caller's (one of us has not seen the latest change yet):
                // refuse the whole batch so the caller retries it later.
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "account not served by this node's swarm (view version " + view.Version + ")"));
            }

            items.Add(item);
        }

        var result = _store.ApplyRepair(items);
        return Task.FromResult(new HandOverResponse { Applied = result.Applied, Skipped = result.Skipped });
    }
}
