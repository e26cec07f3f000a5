using System.Text.Json;
using SessionNode.Core;
using SessionNode.Protocol;
using SessionNode.Rpc.Requests;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>The entry node's own result for a replicated request.</summary>
internal readonly record struct LocalEntry(byte[] Json, bool Failed, int Affected, string? StoredHash);

public sealed partial class RequestHandler
{
    private static readonly byte[] NoTransportEntry = RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("failed", true);
        w.WriteString("reason", "no peer transport configured");
        w.WriteEndObject();
    });

    private static readonly byte[] TimeoutEntry = RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("failed", true);
        w.WriteBoolean("timeout", true);
        w.WriteEndObject();
    });

    /// <summary>
    /// Runs a replicated ("recursive") method: swarm check, validation, then the local apply and the
    /// fan-out to the other members in parallel, combined into one response (client-rpc.md §8).
    /// A forwarded request answers with this node's entry only.
    /// </summary>
    private async Task<RpcResult> ReplicateAsync<T>(
        T request,
        AccountId account,
        RpcContext context,
        Func<T, RpcContext, RpcResult?> validate,
        Func<T, RpcContext, LocalEntry> apply)
        where T : ParsedRequest
    {
        if (WrongSwarm(account, context) is { } wrong)
        {
            return wrong;
        }

        if (validate(request, context) is { } error)
        {
            return error;
        }

        if (context.Forwarded)
        {
            return RpcResult.Ok(apply(request, context).Json);
        }

        var self = context.Membership.Self;
        var peers = self is null
            ? []
            : context.Membership.Members(self.SwarmId).Where(n => n.Ed25519Hex != self.Ed25519Hex).ToArray();

        Task<byte[]>[] peerTasks = peers.Length == 0 ? [] : [.. peers.Select(p => ForwardAsync(p, request, context.CancellationToken))];
        var local = apply(request, context);
        var peerEntries = peerTasks.Length == 0 ? [] : await Task.WhenAll(peerTasks);

        var status = 200;
        if (request is DeleteRequest { Required: true })
        {
            var any = local.Affected > 0 || peerEntries.Any(PeerDeletedSomething);
            status = any ? 200 : 404;
        }

        var ownKey = _node.Keys.PublicKeyHex;
        var entries = new List<KeyValuePair<string, byte[]>>(peers.Length + 1) { new(ownKey, local.Json) };
        for (var i = 0; i < peers.Length; i++)
        {
            entries.Add(new(peers[i].Ed25519Hex, peerEntries[i]));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            if (local.StoredHash is { } hash)
            {
                w.WriteString("hash", hash);
            }

            WriteHf(w, context.Membership);
            w.WriteStartObject("swarm");
            foreach (var (key, entry) in entries)
            {
                w.WritePropertyName(key);
                w.WriteRawValue(entry, skipInputValidation: true);
            }

            w.WriteEndObject();
            w.WriteNumber("t", context.NowMs);
            w.WriteEndObject();
        });
        return RpcResult.Json(status, json);
    }

    private async Task<byte[]> ForwardAsync(ServiceNodeRecord peer, ParsedRequest request, CancellationToken cancellationToken)
    {
        if (_forwarder is null || request.RawParams is null)
        {
            return NoTransportEntry;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(PeerTimeout);
        try
        {
            return await _forwarder.ForwardAsync(peer, request.Method, request.RawParams, cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimeoutEntry;
        }
    }

    private static bool PeerDeletedSomething(byte[] entry)
    {
        try
        {
            using var doc = JsonDocument.Parse(entry);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("deleted", out var d)
                && d.ValueKind == JsonValueKind.Array
                && d.GetArrayLength() > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static byte[] FailedEntry(bool queryFailure, string? reason) => RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("failed", true);
        if (queryFailure)
        {
            w.WriteBoolean("query_failure", true);
        }

        if (reason is not null)
        {
            w.WriteString("reason", reason);
        }

        w.WriteEndObject();
    });
}
