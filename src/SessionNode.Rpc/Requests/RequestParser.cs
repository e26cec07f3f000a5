using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SessionNode.Core;
using SessionNode.Protocol;

namespace SessionNode.Rpc.Requests;

/// <summary>
/// Turns a method name and its <c>params</c> object into a typed request, with the exact
/// validation errors of client-rpc.md §3 and §9. Throws <see cref="RequestParseException"/>.
/// </summary>
public static class RequestParser
{
    /// <summary>
    /// Deepest nesting of meta-requests (ifelse/batch/sequence) accepted. The spec asks for at least
    /// 8; upstream's own tests nest 6. 16 bounds the work a single request can cause.
    /// </summary>
    public const int MaxMetaDepth = 16;

    private const string BatchNoRequests = "Invalid batch request: no valid \"requests\" field";

    /// <summary>An empty <c>params</c> object, for an ifelse branch whose params is not an object.</summary>
    private static readonly JsonElement EmptyObject = JsonElement.Parse("{}");

    /// <summary>True if <paramref name="method"/> names a known method (aliases included).</summary>
    public static bool IsKnownMethod(string method) => method switch
    {
        RpcMethods.Store or RpcMethods.Retrieve or RpcMethods.Info or RpcMethods.GetSwarm or RpcMethods.GetSnodesForPubkey
            or RpcMethods.Delete or RpcMethods.DeleteAll or RpcMethods.DeleteBefore or RpcMethods.Expire or RpcMethods.ExpireAll
            or RpcMethods.GetExpiries or RpcMethods.RevokeSubaccount or RpcMethods.UnrevokeSubaccount or RpcMethods.OxendRequest
            or RpcMethods.Batch or RpcMethods.Sequence or RpcMethods.IfElse => true,
        _ => false,
    };

    /// <summary>True for methods whose effect is replicated to the swarm.</summary>
    public static bool IsReplicated(string method) => method switch
    {
        RpcMethods.Store or RpcMethods.Delete or RpcMethods.DeleteAll or RpcMethods.DeleteBefore or RpcMethods.Expire
            or RpcMethods.ExpireAll or RpcMethods.RevokeSubaccount or RpcMethods.UnrevokeSubaccount => true,
        _ => false,
    };

    /// <summary>
    /// Parses a known method's parameters. With <paramref name="captureRaw"/> the raw params of
    /// replicated methods are kept for forwarding to peers (skipped on a one-node swarm).
    /// </summary>
    public static ParsedRequest Parse(string method, JsonElement parameters, int depth = 0, bool captureRaw = true)
    {
        var p = new ParamReader(parameters);
        ParsedRequest request = method switch
        {
            RpcMethods.Store => ParseStore(p),
            RpcMethods.Retrieve => ParseRetrieve(p),
            RpcMethods.Info => new InfoRequest(),
            RpcMethods.GetSwarm or RpcMethods.GetSnodesForPubkey => ParseGetSwarm(p),
            RpcMethods.Delete => ParseDelete(p),
            RpcMethods.DeleteAll => ParseDeleteAll(p),
            RpcMethods.DeleteBefore => ParseDeleteBefore(p),
            RpcMethods.ExpireAll => ParseExpireAll(p),
            RpcMethods.Expire => ParseExpire(p),
            RpcMethods.GetExpiries => ParseGetExpiries(p),
            RpcMethods.RevokeSubaccount => ParseRevocation(p, revoke: true),
            RpcMethods.UnrevokeSubaccount => ParseRevocation(p, revoke: false),
            RpcMethods.OxendRequest => ParseOxend(p),
            RpcMethods.Batch => ParseBatch(method, p, stopOnFailure: false, depth, captureRaw),
            RpcMethods.Sequence => ParseBatch(method, p, stopOnFailure: true, depth, captureRaw),
            RpcMethods.IfElse => ParseIfElse(p, depth, captureRaw),
            _ => throw new InvalidOperationException("Unknown methods are rejected before parsing."),
        };

        if (captureRaw && IsReplicated(method))
        {
            request = request with { RawParams = JsonMarshal.GetRawUtf8Value(parameters).ToArray() };
        }

        return request;
    }

    private static AccountId ParseAccount(ParamReader p, bool allowAlias, string formatError = "Pubkey must be 66 hex digits (33 bytes) long")
    {
        var a = p.String("pubkey");
        if (allowAlias)
        {
            var b = p.String("pubKey");
            if (a is not null && b is not null)
            {
                RequestParseException.Throw("Cannot specify both 'pubkey' and 'pubKey'");
            }

            a ??= b;
        }

        if (a is null)
        {
            RequestParseException.ThrowMissing("pubkey");
        }

        if (!AccountId.TryParse(a, out var account))
        {
            RequestParseException.Throw(formatError);
        }

        return account;
    }

    /// <summary>
    /// Upstream type-checks every key a method reads before it looks at any value, so a wrongly typed
    /// <c>pubkey_ed25519</c>, <c>subaccount</c> or <c>subaccount_sig</c> is a 400 even where the value would
    /// be ignored: an unsigned store, an unauthenticated retrieve, a <c>subaccount_sig</c> without a subaccount.
    /// </summary>
    private static void CheckAuthTypes(ParamReader p)
    {
        _ = p.String("pubkey_ed25519");
        _ = p.String("subaccount");
        _ = p.String("subaccount_sig");
    }

    private static AuthParams ParseAuth(ParamReader p, bool allowAlias, bool readSubaccount = true)
    {
        if (readSubaccount)
        {
            CheckAuthTypes(p);
        }

        var account = ParseAccount(p, allowAlias);
        return ParseAuthRest(p, account, readSubaccount);
    }

    private static AuthParams ParseAuthRest(ParamReader p, AccountId account, bool readSubaccount)
    {
        var sigText = p.String("signature");
        if (sigText is null)
        {
            RequestParseException.ThrowMissing("signature");
        }

        var ed = ParseEd25519(p, account);
        var sig = ParseSignature(sigText, "invalid signature: expected base64 encoded Ed25519 signature");

        SubaccountToken? token = null;
        byte[]? tokenSig = null;
        if (readSubaccount)
        {
            var sub = p.String("subaccount");
            if (!string.IsNullOrEmpty(sub))
            {
                if (!SubaccountToken.TryParse(sub, out token))
                {
                    RequestParseException.Throw("invalid subaccount: expected base64 or hex-encoded subaccount token");
                }

                var subSig = p.String("subaccount_sig");
                if (subSig is null)
                {
                    RequestParseException.Throw("invalid subaccount: subaccount_sig is required when using subaccount");
                }

                tokenSig = ParseSignature(subSig, "invalid subaccount signature: expected base64 encoded Ed25519 signature");
            }
        }

        return new AuthParams(account, sig, ed, token, tokenSig);
    }

    private static byte[]? ParseEd25519(ParamReader p, AccountId account)
    {
        var text = p.String("pubkey_ed25519");
        if (text is null)
        {
            return null;
        }

        if (account.Prefix != AccountId.SessionPrefix)
        {
            RequestParseException.Throw("pubkey_ed25519 is only permitted for 05[...] pubkeys");
        }

        var key = new byte[32];
        if (text.Length == 64)
        {
            if (!Hex.TryDecode(text, key))
            {
                RequestParseException.Throw("invalid pubkey_ed25519: value is not hex");
            }

            return key;
        }

        if (Encoding.UTF8.GetByteCount(text) == 32)
        {
            Encoding.UTF8.GetBytes(text, key);
            return key;
        }

        RequestParseException.Throw("Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey");
        return null;
    }

    private static byte[] ParseSignature(string text, string error)
    {
        var ok = text.Length == 86 || (text.Length == 88 && text.EndsWith("==", StringComparison.Ordinal));
        var sig = new byte[64];
        if (!ok || !Base64Strict.TryDecode(text, sig, out var n) || n != 64)
        {
            RequestParseException.Throw(error);
        }

        return sig;
    }

    /// <summary>store's legacy "integer or decimal string" fields.</summary>
    private static long? IntOrDecimalString(ParamReader p, string name, bool signed)
    {
        if (!p.TryGet(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            var s = v.GetString()!;
            if (!TryParseDecimal(s, signed, out var parsed))
            {
                RequestParseException.Throw($"Invalid value given for '{name}': {v.GetRawText()}");
            }

            return parsed;
        }

        if (signed)
        {
            if (!ParamReader.TryReadInt(v, out var value))
            {
                RequestParseException.ThrowType(name, "integer");
            }

            return value;
        }

        if (!ParamReader.TryReadUInt(v, out var u))
        {
            RequestParseException.ThrowType(name, "positive integer");
        }

        return SaturateToInt64(u);
    }

    /// <summary>
    /// An unsigned ttl is any uint64 (client-rpc.md §3.1). Upstream turns one beyond int64 into a
    /// negative duration, which the TTL check refuses with 403; saturating gives the same answer.
    /// </summary>
    private static long SaturateToInt64(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    private static bool TryParseDecimal(string s, bool signed, out long value)
    {
        value = 0;
        var span = s.AsSpan();
        var negative = false;
        if (signed && span.Length > 0 && span[0] == '-')
        {
            negative = true;
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (!ulong.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude))
        {
            return false;
        }

        if (!signed)
        {
            value = SaturateToInt64(magnitude);
            return true;
        }

        if (magnitude > (negative ? 1UL << 63 : long.MaxValue))
        {
            return false;
        }

        value = negative ? unchecked((long)(0UL - magnitude)) : (long)magnitude;

        return true;
    }

    private static StoreRequest ParseStore(ParamReader p)
    {
        CheckAuthTypes(p);
        var account = ParseAccount(p, allowAlias: true);
        var timestamp = IntOrDecimalString(p, "timestamp", signed: true);
        var ttl = IntOrDecimalString(p, "ttl", signed: false);
        var expiry = p.Timestamp("expiry");
        p.TryGet("data", out var dataElement);
        if (dataElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Undefined))
        {
            RequestParseException.ThrowType("data", "string");
        }

        var ns = p.Namespace() ?? 0;
        var sigTimestamp = p.Timestamp("sig_timestamp");

        if (timestamp is null)
        {
            RequestParseException.ThrowMissing("timestamp");
        }

        if (ttl is not null && expiry is not null)
        {
            RequestParseException.Throw("Cannot specify both 'expiry' and 'ttl'");
        }

        if (ttl is null && expiry is null)
        {
            RequestParseException.Throw("Required field 'expiry' or 'ttl' missing");
        }

        if (dataElement.ValueKind == JsonValueKind.Undefined)
        {
            RequestParseException.ThrowMissing("data");
        }

        var data = DecodeData(dataElement);

        AuthParams? auth = null;
        if (p.Has("signature"))
        {
            auth = ParseAuthRest(p, account, readSubaccount: true);
        }

        var effectiveExpiry = expiry ?? SaturatingAdd(timestamp.Value, ttl!.Value);
        return new StoreRequest(account, new Namespace(ns), timestamp.Value, effectiveExpiry, data, auth, sigTimestamp);
    }

    /// <summary>
    /// Decodes store's <c>data</c>. Fast path: the raw UTF-8 of the JSON string goes straight through the
    /// BCL's vectorized decoder (no UTF-16 copy). Anything it refuses — unpadded input, non-zero spare
    /// bits, JSON escapes — takes the strict decoder, which applies client-rpc.md §3.3 exactly.
    /// </summary>
    private static byte[] DecodeData(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element); // the token text, quotes included
        raw = raw[1..^1];
        if (raw.IndexOf((byte)'\\') < 0 && raw.Length <= Limits.MaxMessageBase64Chars)
        {
            // The BCL decoder skips whitespace, which the protocol does not allow: keep such input on the strict path.
            if (raw.Length % 4 == 0 && raw.IndexOfAny(" \t\r\n"u8) < 0)
            {
                // Sized exactly from the padding, so the decoded message is the one array kept (no trimming copy).
                var padding = raw.Length == 0 ? 0 : raw[^1] != '=' ? 0 : raw[^2] == '=' ? 2 : 1;
                var buffer = new byte[(raw.Length / 4 * 3) - padding];
                if (System.Buffers.Text.Base64.DecodeFromUtf8(raw, buffer, out var consumed, out var written) == System.Buffers.OperationStatus.Done
                    && consumed == raw.Length && written == buffer.Length)
                {
                    return buffer;
                }
            }
        }

        // Upstream checks the encoding before the length: an oversized value that is not base64
        // (e.g. 102 401 characters, a 4n+1 length) is "not base64 encoded", not "exceeds".
        // An oversized value is only validated (never decoded), so hostile input allocates no output array;
        // without escapes it is validated in place (a body of up to 10 MiB would otherwise be copied to UTF-16).
        if (raw.Length > Limits.MaxMessageBase64Chars && raw.IndexOf((byte)'\\') < 0)
        {
            RequestParseException.Throw(Base64Strict.IsValid(raw)
                ? $"Message body exceeds maximum allowed length of {Limits.MaxMessageBytes} bytes"
                : "Invalid 'data' value: not base64 encoded");
        }

        var text = element.GetString()!;
        if (text.Length > Limits.MaxMessageBase64Chars && Base64Strict.IsValid(text))
        {
            RequestParseException.Throw($"Message body exceeds maximum allowed length of {Limits.MaxMessageBytes} bytes");
        }

        var data = text.Length > Limits.MaxMessageBase64Chars ? null : Base64Strict.DecodeOrNull(text);
        if (data is null)
        {
            RequestParseException.Throw("Invalid 'data' value: not base64 encoded");
        }

        return data;
    }

    private static long SaturatingAdd(long a, long b)
    {
        var r = unchecked(a + b);
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : r;
    }

    private static RetrieveRequest ParseRetrieve(ParamReader p)
    {
        CheckAuthTypes(p);
        var account = ParseAccount(p, allowAlias: true);
        var ns = p.Namespace();
        var lastHash = p.String("last_hash");
        var lastHashAlias = p.String("lastHash");
        if (lastHash is not null && lastHashAlias is not null)
        {
            RequestParseException.Throw("Cannot specify both 'last_hash' and 'lastHash'");
        }

        lastHash ??= lastHashAlias;
        if (lastHash is { Length: 0 })
        {
            lastHash = null;
        }

        if (lastHash is not null)
        {
            if (lastHash.Length != Limits.HashLength)
            {
                RequestParseException.Throw("Invalid last_hash: expected base64 (43 chars)");
            }

            if (!MessageHash.IsValidSyntax(lastHash))
            {
                RequestParseException.Throw("Invalid last_hash: not base64");
            }
        }

        var maxCount = p.Int32("max_count");
        var maxSize = p.Int32("max_size");
        var namespaceValue = new Namespace(ns ?? 0);

        var authMode = p.Has("pubkey_ed25519") || p.Has("signature") || p.Has("timestamp")
            || (ns is not null && !namespaceValue.IsNoAuthRetrieve);
        AuthParams? auth = null;
        long? timestamp = null;
        if (authMode)
        {
            auth = ParseAuthRest(p, account, readSubaccount: true);
            timestamp = p.Timestamp("timestamp");
            if (timestamp is null)
            {
                RequestParseException.ThrowMissing("timestamp");
            }
        }

        return new RetrieveRequest(account, namespaceValue, ns is not null, lastHash, maxCount, maxSize, auth, timestamp);
    }

    private static GetSwarmRequest ParseGetSwarm(ParamReader p) =>
        new(ParseAccount(p, allowAlias: true, formatError: "Pubkey must be 66 hex digits/33 bytes long"));

    private static List<string> ParseHashes(ParamReader p, bool validate)
    {
        var messages = p.StringList("messages");
        if (messages is null)
        {
            RequestParseException.ThrowMissing("messages");
        }

        if (messages.Count == 0)
        {
            RequestParseException.Throw("messages does not contain any message hashes");
        }

        if (validate)
        {
            foreach (var h in messages)
            {
                if (!MessageHash.IsValidSyntax(h))
                {
                    RequestParseException.Throw($"invalid message hash: {h}");
                }
            }
        }

        return messages;
    }

    private static DeleteRequest ParseDelete(ParamReader p)
    {
        var auth = ParseAuth(p, allowAlias: false);
        var hashes = ParseHashes(p, validate: true);
        var required = p.Bool("required") ?? false;
        return new DeleteRequest(auth, hashes, required);
    }

    private static Namespace? NsOrAll(ParamReader p)
    {
        var (value, all) = p.NamespaceOrAll();
        return all ? null : new Namespace(value ?? 0);
    }

    private static DeleteAllRequest ParseDeleteAll(ParamReader p)
    {
        var auth = ParseAuth(p, allowAlias: false);
        var ns = NsOrAll(p);
        var ts = p.RequiredTimestamp("timestamp");
        return new DeleteAllRequest(auth, ns, ts);
    }

    private static DeleteBeforeRequest ParseDeleteBefore(ParamReader p)
    {
        var auth = ParseAuth(p, allowAlias: false);
        var ns = NsOrAll(p);
        var before = p.RequiredTimestamp("before");
        return new DeleteBeforeRequest(auth, ns, before);
    }

    private static ExpireAllRequest ParseExpireAll(ParamReader p)
    {
        var auth = ParseAuth(p, allowAlias: false);
        var ns = NsOrAll(p);
        var expiry = p.RequiredTimestamp("expiry");
        return new ExpireAllRequest(auth, ns, expiry);
    }

    private static ExpireRequest ParseExpire(ParamReader p)
    {
        var auth = ParseAuth(p, allowAlias: false);
        var hashes = ParseHashes(p, validate: true);
        var expiries = p.TimestampList("expiry");
        if (expiries is null)
        {
            RequestParseException.ThrowMissing("expiry");
        }

        if (expiries.Count == 0)
        {
            RequestParseException.Throw("'expiry' does not contain any expiration timestamps");
        }

        if (expiries.Count > 1 && expiries.Count != hashes.Count)
        {
            RequestParseException.Throw("'expiry' must be a single expiry, or the same length as 'messages'");
        }

        var shorten = p.Bool("shorten") ?? false;
        var extend = p.Bool("extend") ?? false;
        if (shorten && extend)
        {
            RequestParseException.Throw("cannot specify both 'shorten' and 'extend'");
        }

        return new ExpireRequest(auth, hashes, expiries, shorten, extend);
    }

    private static GetExpiriesRequest ParseGetExpiries(ParamReader p)
    {
        var auth = ParseAuth(p, allowAlias: false);
        var hashes = ParseHashes(p, validate: false);
        var ts = p.RequiredTimestamp("timestamp");
        return new GetExpiriesRequest(auth, hashes, ts);
    }

    private static RevocationRequest ParseRevocation(ParamReader p, bool revoke)
    {
        var auth = ParseAuth(p, allowAlias: false, readSubaccount: false);
        var key = revoke ? "revoke" : "unrevoke";
        var list = p.StringList(key);
        if (list is null)
        {
            RequestParseException.ThrowMissing(key);
        }

        if (revoke && list.Count > Limits.MaxRevocations)
        {
            RequestParseException.Throw("invalid revoke: cannot revoke more than 50 subaccounts at once");
        }

        var tokens = new List<SubaccountToken>(list.Count);
        foreach (var s in list)
        {
            if (!SubaccountToken.TryParse(s, out var token))
            {
                RequestParseException.Throw($"invalid {key}: expected base64 or hex-encoded subaccount tag");
            }

            tokens.Add(token!);
        }

        var ts = p.RequiredTimestamp("timestamp");
        return new RevocationRequest(revoke ? RpcMethods.RevokeSubaccount : RpcMethods.UnrevokeSubaccount, auth, tokens, ts, revoke);
    }

    private static OxendRequest ParseOxend(ParamReader p)
    {
        var endpoint = p.RequiredString("endpoint");
        if (endpoint is not ("get_service_nodes" or "ons_resolve"))
        {
            RequestParseException.Throw($"Invalid oxend endpoint '{endpoint}'");
        }

        string? paramsJson = p.TryGet("params", out var v) ? v.GetRawText() : null;
        return new OxendRequest(endpoint, paramsJson);
    }

    private static BatchRequest ParseBatch(string method, ParamReader p, bool stopOnFailure, int depth, bool captureRaw)
    {
        if (depth >= MaxMetaDepth)
        {
            RequestParseException.Throw("Invalid ifelse request: nesting too deep");
        }

        if (!p.Element.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() == 0)
        {
            RequestParseException.Throw(BatchNoRequests);
        }

        if (requests.GetArrayLength() > Limits.MaxBatchRequests)
        {
            RequestParseException.Throw("Invalid batch request: subrequest limit exceeded");
        }

        var parsed = new List<ParsedRequest>(requests.GetArrayLength());
        foreach (var sub in requests.EnumerateArray())
        {
            if (sub.ValueKind != JsonValueKind.Object)
            {
                RequestParseException.Throw("Invalid batch request: requests must be objects");
            }

            JsonElement prm = default;
            if (!sub.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String
                || !sub.TryGetProperty("params", out prm) || prm.ValueKind != JsonValueKind.Object)
            {
                RequestParseException.Throw("Invalid batch request: subrequests must have method/params keys");
            }

            var name = m.GetString()!;
            if (!IsKnownMethod(name))
            {
                RequestParseException.Throw($"Invalid batch subrequest: invalid method \"{name}\"");
            }

            // A meta-request is parsed before it is refused, as upstream does: its own parse error
            // (e.g. a nested batch without "requests") is what the client sees.
            var subrequest = Parse(name, prm, depth + 1, captureRaw);
            if (subrequest is BatchRequest or IfElseRequest)
            {
                RequestParseException.Throw("Invalid batch subrequest: subrequests may not contain meta-requests");
            }

            parsed.Add(subrequest);
        }

        return new BatchRequest(method, parsed, stopOnFailure);
    }

    private static IfElseRequest ParseIfElse(ParamReader p, int depth, bool captureRaw)
    {
        if (depth >= MaxMetaDepth)
        {
            RequestParseException.Throw("Invalid ifelse request: nesting too deep");
        }

        if (!p.Element.TryGetProperty("if", out var cond) || cond.ValueKind != JsonValueKind.Object)
        {
            RequestParseException.Throw("Invalid ifelse request: no valid \"if\" field");
        }

        var c = new ParamReader(cond);
        var conditions = new IfConditions(
            Version(c.IntList("hf_at_least"), 2),
            Version(c.IntList("hf_before"), 2),
            Version(c.IntList("v_at_least"), 3),
            Version(c.IntList("v_before"), 3),
            c.Int32("height_at_least"),
            c.Int32("height_before"));
        if (conditions is { HfAtLeast: null, HfBefore: null, VAtLeast: null, VBefore: null, HeightAtLeast: null, HeightBefore: null })
        {
            RequestParseException.Throw("Invalid ifelse request: must specify at least one \"if\" condition");
        }

        var hasThen = p.Element.TryGetProperty("then", out var thenEl) && thenEl.ValueKind != JsonValueKind.Null;
        var hasElse = p.Element.TryGetProperty("else", out var elseEl) && elseEl.ValueKind != JsonValueKind.Null;
        if (!hasThen && !hasElse)
        {
            RequestParseException.Throw("Invalid ifelse request: at least one of \"then\"/\"else\" required");
        }

        var then = hasThen ? Branch("then", thenEl, depth, captureRaw) : null;
        var @else = hasElse ? Branch("else", elseEl, depth, captureRaw) : null;
        return new IfElseRequest(conditions, then, @else);
    }

    private static ParsedRequest Branch(string key, JsonElement el, int depth, bool captureRaw)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            RequestParseException.Throw($"Invalid ifelse request: {key} must be an object");
        }

        JsonElement prm = default;
        if (!el.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String || !el.TryGetProperty("params", out prm))
        {
            RequestParseException.Throw($"Invalid ifelse request: {key} must have method/params keys");
        }

        var name = m.GetString()!;
        if (!IsKnownMethod(name))
        {
            RequestParseException.Throw($"Invalid ifelse request method \"{key}\"");
        }

        // client-rpc.md §9.16: params need only be present. A value that is not an object (null
        // included) has no keys, so the method sees all its parameters absent — upstream looks keys
        // up in it the same way — and e.g. {"method":"info","params":null} runs info.
        if (prm.ValueKind != JsonValueKind.Object)
        {
            prm = EmptyObject;
        }

        return Parse(name, prm, depth + 1, captureRaw);
    }

    private static int[]? Version(List<long>? list, int length)
    {
        if (list is null || list.Count == 0)
        {
            return null;
        }

        var v = new int[length];
        for (var i = 0; i < length && i < list.Count; i++)
        {
            v[i] = (int)list[i];
        }

        return v;
    }
}
