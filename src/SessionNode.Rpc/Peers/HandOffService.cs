using Google.Protobuf;
using Grpc.Core;
using SessionNode.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The server side of Protos/handoff.proto: answers a former owner's "do you hold exactly this" with the
/// store's digest of each asked account. Read-only; authenticated by <see cref="PeerAuthInterceptor"/>
/// (any known node). Stateless; one instance per call (gRPC activation).
/// </summary>
internal sealed class HandOffService : Proto.HandOff.HandOffBase
{
    /// <summary>Most accounts one call may ask about (a digest costs one prefix scan of the account).</summary>
    internal const int MaxAccountsPerCall = 1000;

    private readonly MessageStore _store;

    public HandOffService(MessageStore store) => _store = store;

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
        foreach (var bytes in request.Accounts)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (digest, count) = _store.AccountDigest(AccountId.FromBytes(bytes.Span), request.AsOfMs);
            response.Holdings.Add(new AccountHolding { Account = bytes, Digest = ByteString.CopyFrom(digest), Count = count });
        }

        return Task.FromResult(response);
    }
}
