using SessionNode.Core;
using SessionNode.Protocol;
using SessionNode.Rpc.Requests;

namespace SessionNode.Rpc;

public sealed partial class RequestHandler
{
    private RpcResult? ValidateExpire(ExpireRequest r, RpcContext context)
    {
        var now = context.NowMs;
        foreach (var e in r.Expiries)
        {
            if (e < now - SignatureWindowMs)
            {
                return RpcResult.Text(401, "expire: timestamp should be >= current time");
            }
        }

        if (r.Expiries.Count > 1 && context.Membership.HardFork.CompareTo((19, 4)) < 0)
        {
            return RpcResult.Text(403, "expire: multi-expiry requests are not yet active on the network");
        }

        if (!VerifyAuth(r.Auth, SignedMessages.Expire(r.Shorten, r.Extend, r.Expiries, r.Hashes), SubaccountFlags.Write))
        {
            return RpcResult.Text(401, "expire: signature verification failed");
        }

        if (r.Shorten && r.Auth.Subaccount is { } token && (token.Flags & SubaccountFlags.Delete) == 0)
        {
            return RpcResult.Text(400, "expire: shorten parameter cannot be used with this subaccount token (missing delete access)");
        }

        return null;
    }

    private LocalEntry ApplyExpire(ExpireRequest r, RpcContext context)
    {
        var account = r.Auth.Account;
        var cap = context.NowMs + Limits.MaxTtlPrivateMs;
        var clamped = r.Expiries.Select(e => Math.Min(e, cap)).ToArray();
        var single = clamped.Length == 1;

        // A Write-only subaccount may only extend (client-rpc.md §9.9 step 5).
        var extendOnly = r.Extend || (r.Auth.Subaccount is { } token && (token.Flags & SubaccountFlags.Delete) == 0);
        var updated = _store.UpdateExpiry(account, r.Hashes, clamped, extendOnly, r.Shorten)
            .OrderBy(u => u.Hash, StringComparer.Ordinal)
            .ToArray();
        var updatedHashes = updated.Select(u => u.Hash).ToArray();

        KeyValuePair<string, long>[] unchanged = [];
        var withUnchanged = r.Shorten || r.Extend;
        if (withUnchanged)
        {
            var updatedSet = updatedHashes.ToHashSet(StringComparer.Ordinal);
            unchanged = [.. _store.GetExpiries(account, r.Hashes)
                .Where(kv => !updatedSet.Contains(kv.Key))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)];
        }

        var expiryPart = single
            ? SignedMessages.Dec(clamped[0])
            : string.Concat(updated.Select(u => SignedMessages.Dec(u.ExpiryMs)));
        var signature = Sign(NodeSignedMessages.Expire(account, expiryPart, r.Hashes, updatedHashes, unchanged));

        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            if (single)
            {
                w.WriteNumber("expiry", clamped[0]);
            }
            else
            {
                w.WriteStartArray("expiry");
                foreach (var u in updated)
                {
                    w.WriteNumberValue(u.ExpiryMs);
                }

                w.WriteEndArray();
            }

            w.WriteBase64String("signature", signature);
            if (withUnchanged)
            {
                w.WriteStartObject("unchanged");
                foreach (var (h, e) in unchanged)
                {
                    w.WriteNumber(h, e);
                }

                w.WriteEndObject();
            }

            WriteSortedStrings(w, "updated", updatedHashes);
            w.WriteEndObject();
        });
        return new LocalEntry(json, Failed: false, updated.Length, null);
    }

    private RpcResult GetExpiries(GetExpiriesRequest r, RpcContext context)
    {
        if (WrongSwarm(r.Auth.Account, context) is { } wrong)
        {
            return wrong;
        }

        if (OutsideWindow(r.TimestampMs, context.NowMs, SignatureWindowMs))
        {
            return RpcResult.Text(406, "get_expiries timestamp too far from current time");
        }

        if (!VerifyAuth(r.Auth, SignedMessages.GetExpiries(r.TimestampMs, r.Hashes), SubaccountFlags.Read))
        {
            return RpcResult.Text(401, "get_expiries signature verification failed");
        }

        var expiries = _store.GetExpiries(r.Auth.Account, r.Hashes);
        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("expiries");
            foreach (var (h, e) in expiries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(h, e);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
        return RpcResult.Ok(json);
    }

    private RpcResult? ValidateRevocation(RevocationRequest r, RpcContext context)
    {
        if (OutsideWindow(r.TimestampMs, context.NowMs, SignatureWindowMs))
        {
            return RpcResult.Text(406, r.Method + " timestamp too far from current time");
        }

        var message = r.Revoke
            ? SignedMessages.RevokeSubaccount(r.TimestampMs, r.Tokens)
            : SignedMessages.UnrevokeSubaccount(r.TimestampMs, r.Tokens);
        return VerifyAuth(r.Auth, message, SubaccountFlags.None)
            ? null
            : RpcResult.Text(401, r.Method + " signature verification failed");
    }

    private LocalEntry ApplyRevocation(RevocationRequest r, RpcContext context)
    {
        var account = r.Auth.Account;
        var count = r.Revoke ? _store.Revoke(account, r.Tokens, context.NowMs) : _store.Unrevoke(account, r.Tokens);
        var signature = Sign(NodeSignedMessages.Revocation(account, r.TimestampMs, r.Tokens));
        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            if (!r.Revoke)
            {
                w.WriteNumber("count", count);
            }

            w.WriteBase64String("signature", signature);
            w.WriteEndObject();
        });
        return new LocalEntry(json, Failed: false, count, null);
    }
}
