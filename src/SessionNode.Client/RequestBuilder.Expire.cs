using System.Text;
using System.Text.Json.Nodes;
using SessionNode.Protocol;

namespace SessionNode.Client;

// Builders are instance members whether or not they read the clock, so every request is built the same way.
#pragma warning disable CA1822

/// <summary>How <c>expire</c> may move expiries (§9.9).</summary>
public enum ExpireMode
{
    /// <summary>Set the expiry whatever it was (no <c>shorten</c>/<c>extend</c> key).</summary>
    Set,

    /// <summary>Only lower expiries (<c>"shorten": true</c>); a subaccount needs Delete.</summary>
    Shorten,

    /// <summary>Only raise expiries (<c>"extend": true</c>).</summary>
    Extend,
}

public sealed partial class RequestBuilder
{
    /// <summary>
    /// <c>expire</c> with one expiry for every listed message (§9.9). Signed over
    /// <c>"expire" ‖ mode ‖ expiry ‖ hashes</c>.
    /// </summary>
    /// <param name="account">The account and its keys (or a subaccount with Write).</param>
    /// <param name="hashes">The messages, in request order.</param>
    /// <param name="expiry">The new expiry in ms (the node clamps it to now + 30 days).</param>
    /// <param name="mode">Set, shorten-only or extend-only.</param>
    public RpcRequest<ExpireResult> Expire(SessionAccount account, IEnumerable<string> hashes, long expiry, ExpireMode mode = ExpireMode.Set) =>
        ExpireCore(account, hashes, [expiry], multiJson: false, mode);

    /// <summary>
    /// <c>expire</c> with one expiry per message (multi-expiry mode, §9.9; needs hard fork 19.4). With exactly one
    /// value this is the single mode, sent as a one-element array.
    /// </summary>
    /// <param name="account">The account and its keys.</param>
    /// <param name="hashes">The messages, in request order.</param>
    /// <param name="expiries">One expiry in ms per message, in the same order.</param>
    /// <param name="mode">Set, shorten-only or extend-only.</param>
    public RpcRequest<ExpireResult> Expire(SessionAccount account, IEnumerable<string> hashes, IEnumerable<long> expiries, ExpireMode mode = ExpireMode.Set)
    {
        ArgumentNullException.ThrowIfNull(expiries);
        return ExpireCore(account, hashes, expiries.ToList(), multiJson: true, mode);
    }

    /// <summary>
    /// <c>expire_all</c> (§9.8): shortens every message of one or all namespaces to at most <paramref name="expiry"/>.
    /// Signed over <c>"expire_all" ‖ nsStr ‖ expiry</c>; needs Delete for a subaccount.
    /// </summary>
    /// <param name="account">The account and its keys.</param>
    /// <param name="expiry">The new maximum expiry in ms.</param>
    /// <param name="scope">One namespace (default 0) or <see cref="NamespaceScope.All"/>.</param>
    public RpcRequest<ExpireAllResult> ExpireAll(SessionAccount account, long expiry, NamespaceScope scope = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var p = new JsonObject();
        AddScope(p, scope);
        p["expiry"] = expiry;
        account.WriteAuth(p, SignedMessages.ExpireAll(scope.ForSigning, expiry));
        var id = account.Id;
        return new RpcRequest<ExpireAllResult>(
            RpcMethods.ExpireAll,
            p,
            body => new ExpireAllResult(body, e => NodeSignedMessages.WithValueAndHashes(id, expiry, SortedCopy(e.Updated))));
    }

    /// <summary>
    /// <c>get_expiries</c> (§9.10): current expiries of the listed messages. Signed over
    /// <c>"get_expiries" ‖ timestamp ‖ hashes</c>; needs Read for a subaccount.
    /// </summary>
    /// <param name="account">The account and its keys.</param>
    /// <param name="hashes">The messages.</param>
    /// <param name="timestamp">Signature time in ms; default now.</param>
    public RpcRequest<GetExpiriesResult> GetExpiries(SessionAccount account, IEnumerable<string> hashes, long? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var list = ToList(hashes, nameof(hashes));
        var ts = timestamp ?? NowMs;
        var p = new JsonObject
        {
            ["messages"] = ToJsonArray(list),
            ["timestamp"] = ts,
        };
        account.WriteAuth(p, SignedMessages.GetExpiries(ts, list));
        return new RpcRequest<GetExpiriesResult>(RpcMethods.GetExpiries, p, body => new GetExpiriesResult(body));
    }

    private static RpcRequest<ExpireResult> ExpireCore(SessionAccount account, IEnumerable<string> hashes, List<long> expiries, bool multiJson, ExpireMode mode)
    {
        ArgumentNullException.ThrowIfNull(account);
        var requested = ToList(hashes, nameof(hashes));
        var p = new JsonObject { ["messages"] = ToJsonArray(requested) };
        if (multiJson)
        {
            var array = new JsonArray();
            foreach (var e in expiries)
            {
                array.Add((JsonNode?)JsonValue.Create(e));
            }

            p["expiry"] = array;
        }
        else
        {
            p["expiry"] = expiries[0];
        }

        if (mode == ExpireMode.Shorten)
        {
            p["shorten"] = true;
        }
        else if (mode == ExpireMode.Extend)
        {
            p["extend"] = true;
        }

        account.WriteAuth(p, SignedMessages.Expire(mode == ExpireMode.Shorten, mode == ExpireMode.Extend, expiries, requested));
        var id = account.Id;
        var single = expiries.Count == 1;
        var withUnchanged = mode != ExpireMode.Set;
        return new RpcRequest<ExpireResult>(
            RpcMethods.Expire,
            p,
            body => new ExpireResult(body, e =>
            {
                var updatedSorted = SortedCopy(e.Updated);
                var unchanged = withUnchanged && e.Unchanged is { } u
                    ? u.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList()
                    : [];
                return NodeSignedMessages.Expire(id, ExpiryPart(e, single), requested, updatedSorted, unchanged);
            }));
    }

    /// <summary>
    /// The expiry part of the node's expire signature: dec(applied expiry) in single mode; in multi mode dec(expiry)
    /// of each updated hash in sorted-hash order. A shape that does not fit the mode yields a part that cannot
    /// verify.
    /// </summary>
    private static string ExpiryPart(ExpireNodeEntry e, bool single)
    {
        if (single)
        {
            return e.Expiry is { } applied ? SignedMessages.Dec(applied) : "\u0000";
        }

        if (e.Expiries is not { } list || list.Count != e.Updated.Count)
        {
            return "\u0000";
        }

        var pairs = e.Updated.Zip(list).OrderBy(x => x.First, StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var (_, expiry) in pairs)
        {
            sb.Append(SignedMessages.Dec(expiry));
        }

        return sb.ToString();
    }
}
