using System.Text.Json;
using SessionNode.Core;
using SessionNode.Protocol;
using SessionNode.Rpc.Requests;

namespace SessionNode.Rpc;

public sealed partial class RequestHandler
{
    private RpcResult? ValidateDelete(DeleteRequest r, RpcContext context)
    {
        _ = context;
        return VerifyAuth(r.Auth, SignedMessages.Delete(r.Hashes), SubaccountFlags.Delete)
            ? null
            : RpcResult.Text(401, "delete_msgs signature verification failed");
    }

    private LocalEntry ApplyDelete(DeleteRequest r, RpcContext context)
    {
        _ = context;
        var deleted = _store.DeleteByHash(r.Auth.Account, r.Hashes);
        var signature = Sign(NodeSignedMessages.Delete(r.Auth.Account, r.Hashes, deleted));
        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            WriteSortedStrings(w, "deleted", deleted);
            w.WriteBase64String("signature", signature);
            w.WriteEndObject();
        });
        return new LocalEntry(json, Failed: false, deleted.Count, null);
    }

    private RpcResult? ValidateDeleteAll(DeleteAllRequest r, RpcContext context)
    {
        if (OutsideWindow(r.TimestampMs, context.NowMs, context.Forwarded ? ForwardedWindowMs : SignatureWindowMs))
        {
            return RpcResult.Text(406, "delete_all timestamp too far from current time");
        }

        return VerifyAuth(r.Auth, SignedMessages.DeleteAll(r.Namespace, r.TimestampMs), SubaccountFlags.Delete)
            ? null
            : RpcResult.Text(401, "delete_all signature verification failed");
    }

    private LocalEntry ApplyDeleteAll(DeleteAllRequest r, RpcContext context)
    {
        _ = context;
        var account = r.Auth.Account;
        return r.Namespace is { } ns
            ? HashListEntry("deleted", account, r.TimestampMs, _store.DeleteAll(account, ns))
            : NamespaceMapEntry("deleted", account, r.TimestampMs, _store.DeleteAll(account));
    }

    private RpcResult? ValidateDeleteBefore(DeleteBeforeRequest r, RpcContext context)
    {
        if (r.BeforeMs > context.NowMs + SignatureWindowMs)
        {
            return RpcResult.Text(401, "delete_before timestamp too far in the future");
        }

        return VerifyAuth(r.Auth, SignedMessages.DeleteBefore(r.Namespace, r.BeforeMs), SubaccountFlags.Delete)
            ? null
            : RpcResult.Text(401, "delete_before signature verification failed");
    }

    private LocalEntry ApplyDeleteBefore(DeleteBeforeRequest r, RpcContext context)
    {
        _ = context;
        var account = r.Auth.Account;
        return r.Namespace is { } ns
            ? HashListEntry("deleted", account, r.BeforeMs, _store.DeleteBefore(account, ns, r.BeforeMs))
            : NamespaceMapEntry("deleted", account, r.BeforeMs, _store.DeleteBefore(account, r.BeforeMs));
    }

    private RpcResult? ValidateExpireAll(ExpireAllRequest r, RpcContext context)
    {
        if (r.ExpiryMs < context.NowMs - (context.Forwarded ? ForwardedWindowMs : SignatureWindowMs))
        {
            return RpcResult.Text(406, "expire_all timestamp should be >= current time");
        }

        return VerifyAuth(r.Auth, SignedMessages.ExpireAll(r.Namespace, r.ExpiryMs), SubaccountFlags.Delete)
            ? null
            : RpcResult.Text(401, "expire_all signature verification failed");
    }

    private LocalEntry ApplyExpireAll(ExpireAllRequest r, RpcContext context)
    {
        _ = context;
        var account = r.Auth.Account;
        return r.Namespace is { } ns
            ? HashListEntry("updated", account, r.ExpiryMs, _store.UpdateAllExpiries(account, ns, r.ExpiryMs))
            : NamespaceMapEntry("updated", account, r.ExpiryMs, _store.UpdateAllExpiries(account, r.ExpiryMs));
    }

    /// <summary>Entry <c>{key: [sorted hashes], signature}</c> signed over PUBKEY_HEX ‖ dec(value) ‖ hashes.</summary>
    private LocalEntry HashListEntry(string key, in AccountId account, long value, IReadOnlyList<string> hashes)
    {
        var sorted = hashes.Order(StringComparer.Ordinal).ToArray();
        var signature = Sign(NodeSignedMessages.WithValueAndHashes(account, value, sorted));
        var json = RpcJson.Write(w => WriteSignedEntry(w, key, signature, () => WriteSortedStrings(w, key, sorted)));
        return new LocalEntry(json, Failed: false, sorted.Length, null);
    }

    /// <summary>Writes <c>{key: value, "signature": …}</c> with the two keys in ordinal order ("deleted" &lt; "signature" &lt; "updated").</summary>
    private static void WriteSignedEntry(Utf8JsonWriter w, string key, byte[] signature, Action writeValue)
    {
        w.WriteStartObject();
        if (string.CompareOrdinal(key, "signature") < 0)
        {
            writeValue();
            w.WriteBase64String("signature", signature);
        }
        else
        {
            w.WriteBase64String("signature", signature);
            writeValue();
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// Entry for the "all" variants: <c>{key: {"ns": [sorted hashes]…}, signature}</c> where the signature
    /// covers every hash in one global sort.
    /// </summary>
    private LocalEntry NamespaceMapEntry(string key, in AccountId account, long value, IReadOnlyList<(Namespace Namespace, string Hash)> pairs)
    {
        var all = pairs.Select(p => p.Hash).Order(StringComparer.Ordinal).ToArray();
        var signature = Sign(NodeSignedMessages.WithValueAndHashes(account, value, all));
        var groups = pairs
            .GroupBy(p => p.Namespace.ToString())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, Hashes: g.Select(p => p.Hash).Order(StringComparer.Ordinal).ToArray()))
            .ToArray();
        var json = RpcJson.Write(w => WriteSignedEntry(w, key, signature, () =>
        {
            w.WriteStartObject(key);
            foreach (var (ns, hashes) in groups)
            {
                WriteSortedStrings(w, ns, hashes);
            }

            w.WriteEndObject();
        }));
        return new LocalEntry(json, Failed: false, all.Length, null);
    }
}
