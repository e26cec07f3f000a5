using System.Text.Json.Nodes;
using SessionNode.Core;
using SessionNode.Protocol;

namespace SessionNode.Client;

// Builders are instance members whether or not they read the clock, so every request is built the same way.
#pragma warning disable CA1822

public sealed partial class RequestBuilder
{
    /// <summary>
    /// <c>delete</c> (§9.5): deletes the listed messages of the account (any namespace). Signed over
    /// <c>"delete" ‖ hashes</c>; needs Delete for a subaccount.
    /// </summary>
    /// <param name="account">The account and its keys.</param>
    /// <param name="hashes">The hashes to delete, in request order (at least one).</param>
    /// <param name="required">When true the node answers 404 if no member deleted anything.</param>
    public RpcRequest<DeleteResult> Delete(SessionAccount account, IEnumerable<string> hashes, bool required = false)
    {
        ArgumentNullException.ThrowIfNull(account);
        var requested = ToList(hashes, nameof(hashes));
        var p = new JsonObject { ["messages"] = ToJsonArray(requested) };
        if (required)
        {
            p["required"] = true;
        }

        account.WriteAuth(p, SignedMessages.Delete(requested));
        var id = account.Id;
        return new RpcRequest<DeleteResult>(
            RpcMethods.Delete,
            p,
            body => new DeleteResult(body, e => NodeSignedMessages.Delete(id, requested, SortedCopy(e.Deleted))));
    }

    /// <summary>
    /// <c>delete_all</c> (§9.6): deletes every message of one namespace or of all namespaces. Signed over
    /// <c>"delete_all" ‖ nsStr ‖ timestamp</c>.
    /// </summary>
    /// <param name="account">The account and its keys.</param>
    /// <param name="scope">One namespace (default 0, then omitted) or <see cref="NamespaceScope.All"/>.</param>
    /// <param name="timestamp">Signature time in ms; default now.</param>
    public RpcRequest<DeleteResult> DeleteAll(SessionAccount account, NamespaceScope scope = default, long? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var ts = timestamp ?? NowMs;
        var p = new JsonObject();
        AddScope(p, scope);
        p["timestamp"] = ts;
        account.WriteAuth(p, SignedMessages.DeleteAll(scope.ForSigning, ts));
        var id = account.Id;
        return new RpcRequest<DeleteResult>(
            RpcMethods.DeleteAll,
            p,
            body => new DeleteResult(body, e => NodeSignedMessages.WithValueAndHashes(id, ts, SortedCopy(e.Deleted))));
    }

    /// <summary>
    /// <c>delete_before</c> (§9.7): deletes messages whose stored timestamp is at or before <paramref name="before"/>.
    /// Signed over <c>"delete_before" ‖ nsStr ‖ before</c>.
    /// </summary>
    /// <param name="account">The account and its keys.</param>
    /// <param name="before">Cut-off in ms (inclusive).</param>
    /// <param name="scope">One namespace (default 0) or <see cref="NamespaceScope.All"/>.</param>
    public RpcRequest<DeleteResult> DeleteBefore(SessionAccount account, long before, NamespaceScope scope = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var p = new JsonObject();
        AddScope(p, scope);
        p["before"] = before;
        account.WriteAuth(p, SignedMessages.DeleteBefore(scope.ForSigning, before));
        var id = account.Id;
        return new RpcRequest<DeleteResult>(
            RpcMethods.DeleteBefore,
            p,
            body => new DeleteResult(body, e => NodeSignedMessages.WithValueAndHashes(id, before, SortedCopy(e.Deleted))));
    }

    /// <summary>
    /// <c>revoke_subaccount</c> (§9.11): adds tokens to the account's revocation list. Owner only; signed over
    /// <c>"revoke_subaccount" ‖ timestamp ‖ raw tokens</c>. Tokens are sent as hex, as Session Desktop does.
    /// </summary>
    /// <param name="owner">The account owner's keys.</param>
    /// <param name="tokens">The tokens to revoke (at most 50 per call).</param>
    /// <param name="timestamp">Signature time in ms; default now.</param>
    public RpcRequest<RevocationResult> RevokeSubaccount(SessionAccount owner, IEnumerable<SubaccountToken> tokens, long? timestamp = null) =>
        Revocation(RpcMethods.RevokeSubaccount, "revoke", owner, tokens, timestamp);

    /// <summary>
    /// <c>unrevoke_subaccount</c> (§9.12): removes tokens from the revocation list. Owner only; signed over
    /// <c>"unrevoke_subaccount" ‖ timestamp ‖ raw tokens</c>.
    /// </summary>
    /// <param name="owner">The account owner's keys.</param>
    /// <param name="tokens">The tokens to unrevoke.</param>
    /// <param name="timestamp">Signature time in ms; default now.</param>
    public RpcRequest<RevocationResult> UnrevokeSubaccount(SessionAccount owner, IEnumerable<SubaccountToken> tokens, long? timestamp = null) =>
        Revocation(RpcMethods.UnrevokeSubaccount, "unrevoke", owner, tokens, timestamp);

    private RpcRequest<RevocationResult> Revocation(string method, string key, SessionAccount owner, IEnumerable<SubaccountToken> tokens, long? timestamp)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(tokens);
        var list = tokens.ToList();
        var ts = timestamp ?? NowMs;
        var p = new JsonObject
        {
            [key] = ToJsonArray(list.Select(t => Convert.ToHexStringLower(t.Span))),
            ["timestamp"] = ts,
        };
        var signed = method == RpcMethods.RevokeSubaccount
            ? SignedMessages.RevokeSubaccount(ts, list)
            : SignedMessages.UnrevokeSubaccount(ts, list);

        // revoke/unrevoke never read subaccount keys (§6.4): a member's request simply fails verification.
        owner.WriteAuth(p, signed, includeSubaccount: false);
        var nodeSigned = NodeSignedMessages.Revocation(owner.Id, ts, list);
        return new RpcRequest<RevocationResult>(method, p, body => new RevocationResult(body, nodeSigned));
    }
}
