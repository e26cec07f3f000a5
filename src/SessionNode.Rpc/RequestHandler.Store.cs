using System.Buffers;
using System.Text.Json;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;
using SessionNode.Rpc.Requests;
using SessionNode.Storage;

namespace SessionNode.Rpc;

/// <summary>A forwarded store that passed its checks and waits for its group's apply; <c>StartTimestamp</c> is for the metrics.</summary>
internal readonly record struct PendingStore(StoreRequest Request, long StartTimestamp);

public sealed partial class RequestHandler
{
    /// <summary>How far in the future a store's timestamp may be, and how far in the past its expiry (ms).</summary>
    private const long StoreClockToleranceMs = 10_000;

    /// <summary>Window around now for signed timestamps (ms).</summary>
    private const long SignatureWindowMs = 60_000;

    /// <summary>Wider window for requests forwarded by a peer, which arrive later (ms).</summary>
    private const long ForwardedWindowMs = 70_000;

    /// <summary>
    /// Most forwarded stores committed as one write. One write costs ~8 µs of a ~85 µs replicated store, so 64 leave
    /// under 0.2 µs of it per store, while the store's writer lock is held for at most ~64 stores' staging (well under a
    /// millisecond) before client stores on this node get their turn.
    /// </summary>
    internal const int MaxGroupedStores = 64;

    private RpcResult? ValidateStore(StoreRequest r, RpcContext context)
    {
        var now = context.NowMs;
        var ttl = r.ExpiryMs - r.TimestampMs;
        if (ttl < Limits.MinTtlMs || ttl > r.Namespace.MaxTtlMs || r.ExpiryMs < r.TimestampMs)
        {
            return RpcResult.Text(403, "Provided expiry/TTL is not valid.");
        }

        if (r.TimestampMs > now + StoreClockToleranceMs || r.ExpiryMs < now - StoreClockToleranceMs)
        {
            return RpcResult.Text(406, "Timestamp error: check your clock");
        }

        if (!r.Namespace.IsPublicInbox)
        {
            if (r.Auth is null)
            {
                return RpcResult.Text(401, "store: signature required to store to namespace " + r.Namespace);
            }

            var sigTs = r.SigTimestampMs ?? r.TimestampMs;
            if (OutsideWindow(sigTs, now, SignatureWindowMs))
            {
                return RpcResult.Text(406, "store signature timestamp too far from current time");
            }

            var required = r.Namespace.IsPublicOutbox ? SubaccountFlags.Write | SubaccountFlags.Delete : SubaccountFlags.Write;
            if (!VerifyAuth(r.Auth, SignedMessages.Store(r.Namespace, sigTs), required))
            {
                return RpcResult.Text(401, "store signature verification failed");
            }
        }

        return null;
    }

    private LocalEntry ApplyStore(StoreRequest r, RpcContext context)
    {
        // Counted for client and forwarded stores alike, as the reference does (swarm.md §15.1).
        Stats.Record(RequestKind.Store, context.NowMs);
        var hash = MessageHasher.Compute(r.Account, r.Namespace, r.Data);
        var result = _store.Store(r.Account, r.Namespace, hash, r.TimestampMs, r.ExpiryMs, r.Data);
        return StoreEntry(hash, result, context);
    }

    /// <summary>This node's entry for a store (client-rpc.md §9.1): the failure, or the hash, expiry and node signature.</summary>
    private LocalEntry StoreEntry(string hash, StoreResult result, RpcContext? context)
    {
        if (result.Outcome == StoreOutcome.Full)
        {
            return new LocalEntry(FailedEntry(queryFailure: true, reason: null), Failed: true, 0, null);
        }

        var signature = Sign(NodeSignedMessages.Store(hash));
        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            if (result.Outcome != StoreOutcome.New)
            {
                w.WriteBoolean("already", true);
            }

            w.WriteNumber("expiry", result.ExpiryMs);
            w.WriteString("hash", hash);
            w.WriteBase64String("signature", signature);
            if (context is { Forwarded: false })
            {
                w.WriteNumber("t", context.NowMs);
            }

            w.WriteEndObject();
        });
        return new LocalEntry(json, Failed: false, 1, hash);
    }

    /// <summary>
    /// The checks of a forwarded <c>store</c> — exactly what <see cref="HandleAsync"/> runs before the store call
    /// (parse, swarm, timestamps, signature) — without the store itself. True: the request passed and waits in
    /// <paramref name="pending"/> for <see cref="ApplyForwardedStores"/>; false: <paramref name="result"/> is its
    /// final answer (already counted in the metrics). Lets a peer commit a batch's stores together.
    /// </summary>
    internal bool TryPrepareForwardedStore(JsonElement parameters, RpcContext context, out PendingStore pending, out RpcResult result)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        pending = default;
        try
        {
            // A forwarded request is never forwarded again, so its raw params are not kept.
            var request = (StoreRequest)RequestParser.Parse(RpcMethods.Store, parameters, captureRaw: false);
            var refused = WrongSwarm(request.Account, context) ?? ValidateStore(request, context);
            if (refused is { } answer)
            {
                result = answer;
            }
            else
            {
                pending = new PendingStore(request, start);
                result = default;
                return true;
            }
        }
        catch (RequestParseException e)
        {
            result = RpcResult.Text(400, "invalid request: " + e.Message);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            LogRequestFailed(_logger, RpcMethods.Store, e);
            result = RpcResult.Text(500, "request failed");
        }

        RpcTelemetry.Record(RpcMethods.Store, result.Status, start);
        return false;
    }

    /// <summary>
    /// Stores prepared forwarded stores in order with <see cref="MessageStore.StoreMany"/> (one RocksDB write per
    /// <see cref="MaxGroupedStores"/>, each outcome as if stored one by one) and writes each one's answer, as
    /// <see cref="HandleAsync"/> would have, into <paramref name="results"/> at the same index. If a write fails (an
    /// I/O error), every store of its group is answered 500, as a failing single store is.
    /// </summary>
    internal void ApplyForwardedStores(ReadOnlySpan<PendingStore> pending, Span<RpcResult> results)
    {
        var operations = ArrayPool<StoreOperation>.Shared.Rent(pending.Length);
        var outcomes = ArrayPool<StoreResult>.Shared.Rent(pending.Length);
        var hashes = ArrayPool<string>.Shared.Rent(pending.Length);
        try
        {
            var now = _node.NowMs;
            for (var i = 0; i < pending.Length; i++)
            {
                Stats.Record(RequestKind.Store, now); // as ApplyStore counts each store it applies
                var r = pending[i].Request;
                hashes[i] = MessageHasher.Compute(r.Account, r.Namespace, r.Data);
                operations[i] = new StoreOperation(r.Account, r.Namespace, hashes[i], r.TimestampMs, r.ExpiryMs, r.Data);
            }

            for (var start = 0; start < pending.Length; start += MaxGroupedStores)
            {
                var count = Math.Min(MaxGroupedStores, pending.Length - start);
                var failed = false;
                try
                {
                    _store.StoreMany(operations.AsSpan(start, count), outcomes.AsSpan(start, count));
                }
                catch (Exception e) when (e is not InvalidOperationException)
                {
                    LogRequestFailed(_logger, RpcMethods.Store, e);
                    failed = true;
                }

                for (var i = start; i < start + count; i++)
                {
                    results[i] = failed
                        ? RpcResult.Text(500, "request failed")
                        : RpcResult.Ok(StoreEntry(hashes[i], outcomes[i], context: null).Json);
                    RpcTelemetry.Record(RpcMethods.Store, results[i].Status, pending[i].StartTimestamp);
                }
            }
        }
        finally
        {
            // The operations and hashes reference message data and strings: clear them before the pool keeps them.
            ArrayPool<StoreOperation>.Shared.Return(operations, clearArray: true);
            ArrayPool<StoreResult>.Shared.Return(outcomes);
            ArrayPool<string>.Shared.Return(hashes, clearArray: true);
        }
    }

    private RpcResult Retrieve(RetrieveRequest r, RpcContext context)
    {
        if (WrongSwarm(r.Account, context) is { } wrong)
        {
            return wrong;
        }

        var now = context.NowMs;
        if (r.Auth is null)
        {
            if (!r.Namespace.IsNoAuthRetrieve)
            {
                return RpcResult.Text(401, "retrieve: request signature required");
            }
        }
        else
        {
            var ts = r.TimestampMs!.Value;
            if (OutsideWindow(ts, now, SignatureWindowMs))
            {
                return RpcResult.Text(406, "retrieve timestamp too far from current time");
            }

            if (!VerifyAuth(r.Auth, SignedMessages.Retrieve(r.Namespace, ts), SubaccountFlags.Read, checkRevocation: !r.Namespace.IsUnrevocable))
            {
                return RpcResult.Text(401, "retrieve signature verification failed");
            }
        }

        Stats.Record(RequestKind.Retrieve, now);

        // client-rpc.md §9.2 "Limits": 0 means absent; negative max_count is ignored (upstream misbehaves).
        int? maxCount = r.MaxCount is > 0 ? r.MaxCount : null;
        long? maxSize = r.MaxSize is null or 0 ? null : r.MaxSize;
        if (maxCount is null && maxSize is null)
        {
            maxSize = -5;
        }

        if (maxSize < 0)
        {
            maxSize = Limits.RetrieveMaxSize / -maxSize.Value;
        }

        if (maxSize is null || maxSize > Limits.RetrieveMaxSize)
        {
            maxSize = Limits.RetrieveMaxSize;
        }

        // The body is written straight from the store's iterator (client-rpc.md §9.2 field order);
        // 16 KiB holds a typical 50 × 100 B page without growing.
        var body = PooledJsonWriter.Rent(16 * 1024);
        var w = body.Json;
        bool more;
        try
        {
            w.WriteStartObject();
            WriteHf(w, context.Membership);
            w.WriteStartArray(MessagesProperty);
            more = _store.Retrieve(r.Account, r.Namespace, r.LastHash, maxCount, (int)maxSize.Value, new RetrieveJsonSink(w));
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            body.Abandon();
            LogRetrieveFailed(_logger, r.Account.ToObfuscated(), e);
            return RpcResult.Text(500, "Internal Server Error. Could not retrieve messages for " + r.Account.ToObfuscated());
        }
        catch
        {
            body.Abandon();
            throw;
        }

        w.WriteEndArray();
        w.WriteBoolean(MoreProperty, more);
        w.WriteNumber(TProperty, now);
        w.WriteEndObject();
        return RpcResult.Ok(body.Complete());
    }

    private static readonly JsonEncodedText MessagesProperty = JsonEncodedText.Encode("messages");
    private static readonly JsonEncodedText MoreProperty = JsonEncodedText.Encode("more");
    private static readonly JsonEncodedText TProperty = JsonEncodedText.Encode("t");

    /// <summary>Writes each retrieved message as <c>{"data","expiration","hash","timestamp"}</c>.</summary>
    private readonly struct RetrieveJsonSink(Utf8JsonWriter w) : IRetrieveSink
    {
        private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
        private static readonly JsonEncodedText Expiration = JsonEncodedText.Encode("expiration");
        private static readonly JsonEncodedText Hash = JsonEncodedText.Encode("hash");
        private static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");

        public void Add(ReadOnlySpan<byte> hash, long timestampMs, long expiryMs, ReadOnlySpan<byte> data)
        {
            w.WriteStartObject();
            w.WriteBase64String(Data, data);
            w.WriteNumber(Expiration, expiryMs);
            w.WriteString(Hash, hash);
            w.WriteNumber(Timestamp, timestampMs);
            w.WriteEndObject();
        }
    }
}
