using System.Text.Json.Nodes;
using SessionNode.Core;

namespace SessionNode.Client;

public sealed partial class SessionNodeClient
{
    /// <inheritdoc cref="RequestBuilder.Store(SessionAccount, ReadOnlyMemory{byte}, Namespace, TimeSpan?, long?, long?, long?, bool?)"/>
    public Task<StoreResult> StoreAsync(
        SessionAccount account,
        ReadOnlyMemory<byte> data,
        Namespace @namespace = default,
        TimeSpan? ttl = null,
        long? expiry = null,
        long? timestamp = null,
        long? sigTimestamp = null,
        bool? sign = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Store(account, data, @namespace, ttl, expiry, timestamp, sigTimestamp, sign), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Store(AccountId, ReadOnlyMemory{byte}, Namespace, TimeSpan?, long?, long?)"/>
    public Task<StoreResult> StoreAsync(
        AccountId recipient,
        ReadOnlyMemory<byte> data,
        Namespace @namespace = default,
        TimeSpan? ttl = null,
        long? expiry = null,
        long? timestamp = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Store(recipient, data, @namespace, ttl, expiry, timestamp), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Retrieve(SessionAccount, Namespace, string?, int?, int?, long?)"/>
    public Task<RetrieveResult> RetrieveAsync(
        SessionAccount account,
        Namespace @namespace = default,
        string? lastHash = null,
        int? maxCount = null,
        int? maxSize = null,
        long? timestamp = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Retrieve(account, @namespace, lastHash, maxCount, maxSize, timestamp), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Retrieve(AccountId, Namespace?, string?, int?, int?)"/>
    public Task<RetrieveResult> RetrieveAsync(
        AccountId account,
        Namespace? @namespace,
        string? lastHash = null,
        int? maxCount = null,
        int? maxSize = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Retrieve(account, @namespace, lastHash, maxCount, maxSize), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Info"/>
    public Task<InfoResult> InfoAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Info(), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.GetSwarm"/>
    public Task<SwarmInfo> GetSwarmAsync(AccountId account, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.GetSwarm(account), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Delete"/>
    /// <exception cref="SessionNodeRpcException">404 when <paramref name="required"/> and nothing was deleted.</exception>
    public Task<DeleteResult> DeleteAsync(SessionAccount account, IEnumerable<string> hashes, bool required = false, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Delete(account, hashes, required), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.DeleteAll"/>
    public Task<DeleteResult> DeleteAllAsync(SessionAccount account, NamespaceScope scope = default, long? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.DeleteAll(account, scope, timestamp), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.DeleteBefore"/>
    public Task<DeleteResult> DeleteBeforeAsync(SessionAccount account, long before, NamespaceScope scope = default, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.DeleteBefore(account, before, scope), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Expire(SessionAccount, IEnumerable{string}, long, ExpireMode)"/>
    public Task<ExpireResult> ExpireAsync(SessionAccount account, IEnumerable<string> hashes, long expiry, ExpireMode mode = ExpireMode.Set, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Expire(account, hashes, expiry, mode), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Expire(SessionAccount, IEnumerable{string}, IEnumerable{long}, ExpireMode)"/>
    public Task<ExpireResult> ExpireAsync(SessionAccount account, IEnumerable<string> hashes, IEnumerable<long> expiries, ExpireMode mode = ExpireMode.Set, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Expire(account, hashes, expiries, mode), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.ExpireAll"/>
    public Task<ExpireAllResult> ExpireAllAsync(SessionAccount account, long expiry, NamespaceScope scope = default, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.ExpireAll(account, expiry, scope), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.GetExpiries"/>
    public Task<GetExpiriesResult> GetExpiriesAsync(SessionAccount account, IEnumerable<string> hashes, long? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.GetExpiries(account, hashes, timestamp), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.RevokeSubaccount"/>
    public Task<RevocationResult> RevokeSubaccountAsync(SessionAccount owner, IEnumerable<SubaccountToken> tokens, long? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.RevokeSubaccount(owner, tokens, timestamp), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.UnrevokeSubaccount"/>
    public Task<RevocationResult> UnrevokeSubaccountAsync(SessionAccount owner, IEnumerable<SubaccountToken> tokens, long? timestamp = null, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.UnrevokeSubaccount(owner, tokens, timestamp), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.OxendRequest"/>
    public Task<OxendResult> OxendRequestAsync(string endpoint, JsonNode? parameters = null, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.OxendRequest(endpoint, parameters), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Batch"/>
    /// <param name="requests">Up to 20 sub-requests.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<BatchResult> BatchAsync(IEnumerable<RpcRequest> requests, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Batch(requests), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.Sequence"/>
    /// <param name="requests">Up to 20 sub-requests.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<BatchResult> SequenceAsync(IEnumerable<RpcRequest> requests, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.Sequence(requests), cancellationToken);

    /// <inheritdoc cref="RequestBuilder.IfElse"/>
    public Task<IfElseResult> IfElseAsync(IfElseCondition condition, RpcRequest? then, RpcRequest? @else = null, CancellationToken cancellationToken = default) =>
        SendAsync(Requests.IfElse(condition, then, @else), cancellationToken);
}
