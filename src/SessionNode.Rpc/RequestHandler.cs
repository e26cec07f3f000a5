using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;
using SessionNode.Rpc.Requests;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>Per-request facts: the clock reading, whether a peer forwarded it, and the membership view.</summary>
public sealed class RpcContext
{
    /// <summary>Creates a context.</summary>
    public RpcContext(long nowMs, bool forwarded, MembershipSnapshot membership, CancellationToken cancellationToken)
    {
        NowMs = nowMs;
        Forwarded = forwarded;
        Membership = membership;
        CancellationToken = cancellationToken;
    }

    /// <summary>"now", read once per request (ms).</summary>
    public long NowMs { get; }

    /// <summary>True when a swarm peer forwarded the request (wider windows, no re-forwarding).</summary>
    public bool Forwarded { get; }

    /// <summary>The membership view the request is judged against.</summary>
    public MembershipSnapshot Membership { get; }

    /// <summary>Aborts downstream work when the caller goes away.</summary>
    public CancellationToken CancellationToken { get; }
}

/// <summary>
/// Executes storage RPC requests (client-rpc.md §2.4, §9) against the local store and, for
/// replicated methods, the swarm. Stateless apart from its dependencies; safe for concurrent use.
/// </summary>
public sealed partial class RequestHandler
{
    /// <summary>Per-peer wait for a replicated request (client-rpc.md §8.1).</summary>
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(5);

    private readonly MessageStore _store;
    private readonly NodeState _node;
    private readonly IPeerForwarder? _forwarder;
    private readonly ILogger<RequestHandler> _logger;
    private readonly KeyConversionCache _conversions = new();
    private readonly OxendRequestProxy? _oxend;

    /// <summary>
    /// Creates the handler; without <paramref name="oxend"/> (or with it disabled) <c>oxend_request</c> has no
    /// oxend to ask; without <paramref name="stats"/> it counts into counters of its own.
    /// </summary>
    public RequestHandler(MessageStore store, NodeState node, ILogger<RequestHandler> logger, IEnumerable<IPeerForwarder> forwarders, OxendRequestProxy? oxend = null, RequestStats? stats = null)
    {
        _store = store;
        _node = node;
        _logger = logger;
        _forwarder = forwarders.LastOrDefault();
        _oxend = oxend;
        Stats = stats ?? new RequestStats(node.Time);
    }

    /// <summary>The request counters of get_stats and the status line (swarm.md §15.1).</summary>
    public RequestStats Stats { get; }

    /// <summary>Creates a context for a request arriving now.</summary>
    public RpcContext CreateContext(bool forwarded, CancellationToken cancellationToken) =>
        new(_node.NowMs, forwarded, _node.Membership.Current, cancellationToken);

    /// <summary>
    /// Handles a whole <c>{"method","params"}</c> envelope (client-rpc.md §2.4). Never throws for bad
    /// input; unexpected failures become 500 <c>request failed</c>.
    /// </summary>
    public async Task<RpcResult> HandleEnvelopeAsync(ReadOnlyMemory<byte> body, RpcContext context)
    {
        // RFC 8259 requires UTF-8; the JSON reader only checks strings it decodes, so check all bytes.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            return RpcResult.Text(400, "invalid json");
        }

        // Upstream's JSON parser skips one UTF-8 byte order mark at the start; System.Text.Json does not.
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xef, 0xbb, 0xbf]))
        {
            body = body[3..];
        }

        if (!SurrogateEscapesArePaired(body.Span))
        {
            return RpcResult.Text(400, "invalid json");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, RpcJson.DocumentOptions);
        }
        catch (JsonException)
        {
            return RpcResult.Text(400, "invalid json");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
            {
                return RpcResult.Text(400, "invalid json: no `method` field");
            }

            if (!root.TryGetProperty("params", out var prm) || prm.ValueKind != JsonValueKind.Object)
            {
                return RpcResult.Text(400, "invalid json: no `params` field");
            }

            var method = m.GetString()!;
            if (!RequestParser.IsKnownMethod(method))
            {
                return RpcResult.Text(400, "no method " + method);
            }

            return await HandleAsync(method, prm, context);
        }
    }

    /// <summary>
    /// False if a <c>\u</c> escape in a string or key leaves a lone surrogate. Upstream's parser rejects such
    /// input as invalid JSON; System.Text.Json accepts it and throws only when the string is read. Bodies
    /// without any <c>\u</c> (nearly all) skip the second pass; syntax errors are left to the real parse.
    /// </summary>
    private static bool SurrogateEscapesArePaired(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = RpcJson.DocumentOptions.MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (JsonException)
        {
            return true;
        }

        return true;
    }

    /// <summary>Parses and executes one method call.</summary>
    public async Task<RpcResult> HandleAsync(string method, JsonElement parameters, RpcContext context)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        RpcResult result;
        try
        {
            // A forwarded request is never forwarded again: its raw params are kept only on the entry node.
            var request = RequestParser.Parse(method, parameters, captureRaw: !context.Forwarded && HasPeers(context));
            result = await ExecuteAsync(request, context);
        }
        catch (RequestParseException e)
        {
            result = RpcResult.Text(400, "invalid request: " + e.Message);
        }

        RpcTelemetry.Record(method, result.Status, start);
        return result;
    }

    /// <summary>Executes a parsed request.</summary>
    public async Task<RpcResult> ExecuteAsync(ParsedRequest request, RpcContext context)
    {
        try
        {
            return request switch
            {
                StoreRequest r => await ReplicateAsync(r, r.Account, context, ValidateStore, ApplyStore),
                RetrieveRequest r => Retrieve(r, context),
                InfoRequest => Info(context),
                GetSwarmRequest r => GetSwarm(r, context),
                DeleteRequest r => await ReplicateAsync(r, r.Auth.Account, context, ValidateDelete, ApplyDelete),
                DeleteAllRequest r => await ReplicateAsync(r, r.Auth.Account, context, ValidateDeleteAll, ApplyDeleteAll),
                DeleteBeforeRequest r => await ReplicateAsync(r, r.Auth.Account, context, ValidateDeleteBefore, ApplyDeleteBefore),
                ExpireAllRequest r => await ReplicateAsync(r, r.Auth.Account, context, ValidateExpireAll, ApplyExpireAll),
                ExpireRequest r => await ReplicateAsync(r, r.Auth.Account, context, ValidateExpire, ApplyExpire),
                GetExpiriesRequest r => GetExpiries(r, context),
                RevocationRequest r => await ReplicateAsync(r, r.Auth.Account, context, ValidateRevocation, ApplyRevocation),
                OxendRequest r => await OxendAsync(r, context),
                BatchRequest r => await BatchAsync(r, context),
                IfElseRequest r => await IfElseAsync(r, context),
                _ => throw new InvalidOperationException("Unhandled request type " + request.GetType().Name),
            };
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            LogRequestFailed(_logger, request.Method, e);
            return RpcResult.Text(500, "request failed");
        }
    }

    /// <summary>
    /// Verifies a request signature (client-rpc.md §6.2–6.4). Every failure is reported the same way.
    /// </summary>
    private bool VerifyAuth(AuthParams auth, ReadOnlySpan<byte> message, SubaccountFlags required, bool checkRevocation = true)
    {
        Span<byte> signingKey = stackalloc byte[Ed25519.PublicKeySize];
        if (auth.Account.IsSessionId && auth.Ed25519Key is { } ed)
        {
            Span<byte> x = stackalloc byte[32];
            if (!_conversions.TryConvert(ed, x) || !x.SequenceEqual(auth.Account.Key))
            {
                return false;
            }

            ed.CopyTo(signingKey);
        }
        else
        {
            auth.Account.Key.CopyTo(signingKey);
        }

        ReadOnlySpan<byte> verifyKey = signingKey;
        if (auth.Subaccount is { } token)
        {
            if (checkRevocation && _store.IsRevoked(auth.Account, token))
            {
                return false;
            }

            if (!SubaccountAuth.VerifyToken(token, auth.Account.Prefix, signingKey, auth.SubaccountSignature, required))
            {
                return false;
            }

            verifyKey = token.PublicKey;
        }

        return Ed25519.Verify(verifyKey, message, auth.Signature);
    }

    /// <summary>True if this node's swarm has other members (only then are raw params kept for forwarding).</summary>
    private static bool HasPeers(RpcContext context) =>
        context.Membership.Self is { } self && context.Membership.Members(self.SwarmId).Count > 1;

    private static bool OutsideWindow(long ts, long now, long window) => ts < now - window || ts > now + window;

    /// <summary>The 421 answer for an account this node does not serve, or null if it does.</summary>
    private static RpcResult? WrongSwarm(in AccountId account, RpcContext context)
    {
        if (context.Membership.ServesAccount(account))
        {
            return null;
        }

        var snapshot = context.Membership;
        var found = snapshot.TryGetSwarm(account, out var swarmId);
        var json = RpcJson.Write(w => WriteSwarmObject(w, snapshot, found ? swarmId : SwarmMapping.InvalidSwarmId, context.NowMs));
        return RpcResult.Json(421, json);
    }

    private static void WriteHf(Utf8JsonWriter w, MembershipSnapshot snapshot)
    {
        w.WriteStartArray("hf");
        w.WriteNumberValue(snapshot.HardFork.Major);
        w.WriteNumberValue(snapshot.HardFork.Minor);
        w.WriteEndArray();
    }

    /// <summary>The swarm object of client-rpc.md §7.3 with t and hf, keys sorted.</summary>
    private static void WriteSwarmObject(Utf8JsonWriter w, MembershipSnapshot snapshot, ulong swarmId, long now)
    {
        w.WriteStartObject();
        WriteHf(w, snapshot);
        w.WriteStartArray("snodes");
        if (swarmId != SwarmMapping.InvalidSwarmId)
        {
            foreach (var n in snapshot.Members(swarmId))
            {
                w.WriteStartObject();
                w.WriteString("address", n.SnodeAddress);
                w.WriteString("ip", n.Ip);
                w.WriteString("port", n.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteNumber("port_https", n.HttpsPort);
                w.WriteNumber("port_omq", n.PeerPort);
                w.WriteNumber("port_quic", n.PeerPort);
                w.WriteString("pubkey_ed25519", n.Ed25519Hex);
                w.WriteString("pubkey_legacy", n.LegacyHex);
                w.WriteString("pubkey_x25519", n.X25519Hex);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteString("swarm", swarmId.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("t", now);
        w.WriteEndObject();
    }

    private static RpcResult Info(RpcContext context)
    {
        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            WriteHf(w, context.Membership);
            w.WriteNumber("t", context.NowMs);
            w.WriteNumber("timestamp", context.NowMs);
            w.WriteStartArray("version");
            foreach (var v in NodeState.ReportedVersion)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return RpcResult.Ok(json);
    }

    private static RpcResult GetSwarm(GetSwarmRequest r, RpcContext context)
    {
        var snapshot = context.Membership;
        var id = snapshot.TryGetSwarm(r.Account, out var s) ? s : SwarmMapping.InvalidSwarmId;
        return RpcResult.Ok(RpcJson.Write(w => WriteSwarmObject(w, snapshot, id, context.NowMs)));
    }

    /// <summary>
    /// client-rpc.md §9.13: oxend's JSON result → 200 <c>{"hf","result","t"}</c>; its error → 400 with its
    /// text (or <c>Unknown oxend error</c>); an answer that is not JSON → 502. Without an oxend (standalone or
    /// static network) the call fails like an oxend error without text.
    /// </summary>
    private async Task<RpcResult> OxendAsync(OxendRequest r, RpcContext context)
    {
        if (_oxend is not { Enabled: true } oxend)
        {
            return RpcResult.Text(400, "Unknown oxend error");
        }

        var answer = await oxend.CallAsync(r.Endpoint, r.ParamsJson, context.CancellationToken);
        if (answer.Result is { } result)
        {
            return RpcResult.Ok(RpcJson.Write(w =>
            {
                w.WriteStartObject();
                WriteHf(w, context.Membership);
                w.WritePropertyName("result");
                w.WriteRawValue(result, skipInputValidation: true);
                w.WriteNumber("t", context.NowMs);
                w.WriteEndObject();
            }));
        }

        return answer.Unparsable
            ? RpcResult.Text(502, "oxend returned unparsable data")
            : RpcResult.Text(400, string.IsNullOrEmpty(answer.Error) ? "Unknown oxend error" : answer.Error);
    }

    private byte[] Sign(ReadOnlySpan<byte> message)
    {
        return _node.Keys.Sign(message);
    }

    private static void WriteSortedStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "RPC {Method} failed unexpectedly")]
    private static partial void LogRequestFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local {Method} failed")]
    private static partial void LogLocalFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retrieve failed for {Account}")]
    private static partial void LogRetrieveFailed(ILogger logger, string account, Exception exception);
}
