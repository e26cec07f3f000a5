using System.Text.Json.Nodes;
using SessionNode.Core;
using SessionNode.Protocol;

namespace SessionNode.Client;

// Builders are instance members whether or not they read the clock, so every request is built the same way.
#pragma warning disable CA1822

/// <summary>
/// Builds signed <c>/storage_rpc/v1</c> requests (client-rpc.md §9) without sending them, so the same requests can
/// be sent alone or nested in <c>batch</c>/<c>sequence</c>/<c>ifelse</c>. Timestamps default to the builder's clock
/// (<see cref="TimeProvider"/> plus <see cref="ClockOffset"/>), read once per request. Thread-safe.
/// </summary>
public sealed partial class RequestBuilder
{
    /// <summary>Default message lifetime when neither a TTL nor an expiry is given: 14 days, the public-inbox maximum.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromDays(14);

    private readonly TimeProvider _time;
    private long _clockOffsetMs;

    /// <summary>Creates a builder.</summary>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="clockOffset">Node time minus local time; default zero.</param>
    public RequestBuilder(TimeProvider? timeProvider = null, TimeSpan clockOffset = default)
    {
        _time = timeProvider ?? TimeProvider.System;
        _clockOffsetMs = (long)clockOffset.TotalMilliseconds;
    }

    /// <summary>The clock timestamps are read from.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Node time minus local time, added to every default timestamp (ms precision).</summary>
    public TimeSpan ClockOffset
    {
        get => TimeSpan.FromMilliseconds(Interlocked.Read(ref _clockOffsetMs));
        set => Interlocked.Exchange(ref _clockOffsetMs, (long)value.TotalMilliseconds);
    }

    /// <summary>The estimated node time in ms since the Unix epoch.</summary>
    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds() + Interlocked.Read(ref _clockOffsetMs);

    /// <summary>
    /// <c>store</c> to the caller's own account (§9.1). The request is signed when the namespace requires it
    /// (any namespace that is not a public inbox) or when <paramref name="sign"/> is true.
    /// </summary>
    /// <param name="account">The account to store to and its keys.</param>
    /// <param name="data">The message body (at most 76 800 bytes).</param>
    /// <param name="namespace">The namespace; default 0.</param>
    /// <param name="ttl">Lifetime counted from <paramref name="timestamp"/>; default 14 days when <paramref name="expiry"/> is also null.</param>
    /// <param name="expiry">Absolute expiry in ms instead of <paramref name="ttl"/> (both may be given to test the node's check).</param>
    /// <param name="timestamp">The message timestamp in ms; default now.</param>
    /// <param name="sigTimestamp">A separate signature time in ms (<c>sig_timestamp</c>); default none (the node uses <paramref name="timestamp"/>).</param>
    /// <param name="sign">Force signing on (true) or off (false); default: sign iff the namespace is not a public inbox.</param>
    public RpcRequest<StoreResult> Store(
        SessionAccount account,
        ReadOnlyMemory<byte> data,
        Namespace @namespace = default,
        TimeSpan? ttl = null,
        long? expiry = null,
        long? timestamp = null,
        long? sigTimestamp = null,
        bool? sign = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        return StoreCore(account.Id, (sign ?? !@namespace.IsPublicInbox) ? account : null, data, @namespace, ttl, expiry, timestamp, sigTimestamp);
    }

    /// <summary>
    /// Unsigned <c>store</c> to any account, e.g. a message to someone else's public inbox (§9.1). Only public-inbox
    /// namespaces (<c>n % 10 == 0</c>) accept unsigned stores.
    /// </summary>
    /// <param name="recipient">The account to store to.</param>
    /// <param name="data">The message body.</param>
    /// <param name="namespace">The namespace; default 0.</param>
    /// <param name="ttl">Lifetime counted from <paramref name="timestamp"/>; default 14 days when <paramref name="expiry"/> is also null.</param>
    /// <param name="expiry">Absolute expiry in ms instead of <paramref name="ttl"/>.</param>
    /// <param name="timestamp">The message timestamp in ms; default now.</param>
    public RpcRequest<StoreResult> Store(
        AccountId recipient,
        ReadOnlyMemory<byte> data,
        Namespace @namespace = default,
        TimeSpan? ttl = null,
        long? expiry = null,
        long? timestamp = null) =>
        StoreCore(recipient, null, data, @namespace, ttl, expiry, timestamp, sigTimestamp: null);

    /// <summary>
    /// Signed <c>retrieve</c> ("auth mode", §9.2): the request carries <c>timestamp</c> and a signature over
    /// <c>"retrieve" ‖ nsStr ‖ timestamp</c>.
    /// </summary>
    /// <param name="account">The account and its keys (or a subaccount with Read).</param>
    /// <param name="namespace">The namespace; default 0 (then <c>namespace</c> is omitted).</param>
    /// <param name="lastHash">Continue after this hash; <c>""</c> is sent as is (means from the start); null omits it.</param>
    /// <param name="maxCount">At most this many messages; null omits it.</param>
    /// <param name="maxSize">Size budget (negative: a fraction of the node's maximum); null omits it.</param>
    /// <param name="timestamp">Signature time in ms; default now.</param>
    public RpcRequest<RetrieveResult> Retrieve(
        SessionAccount account,
        Namespace @namespace = default,
        string? lastHash = null,
        int? maxCount = null,
        int? maxSize = null,
        long? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var ts = timestamp ?? NowMs;
        var p = new JsonObject();
        if (@namespace.Id != 0)
        {
            p["namespace"] = @namespace.Id;
        }

        AddRetrieveLimits(p, lastHash, maxCount, maxSize);
        p["timestamp"] = ts;
        account.WriteAuth(p, SignedMessages.Retrieve(@namespace, ts));
        return new RpcRequest<RetrieveResult>(RpcMethods.Retrieve, p, body => new RetrieveResult(body));
    }

    /// <summary>
    /// Unsigned <c>retrieve</c> (§9.2), accepted only for no-auth namespaces (−10 and public outboxes such as −21).
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="namespace">The namespace; null omits the key (the node then requires a signature).</param>
    /// <param name="lastHash">Continue after this hash; null omits it.</param>
    /// <param name="maxCount">At most this many messages; null omits it.</param>
    /// <param name="maxSize">Size budget; null omits it.</param>
    public RpcRequest<RetrieveResult> Retrieve(
        AccountId account,
        Namespace? @namespace,
        string? lastHash = null,
        int? maxCount = null,
        int? maxSize = null)
    {
        var p = new JsonObject { ["pubkey"] = account.ToHex() };
        if (@namespace is { } ns)
        {
            p["namespace"] = ns.Id;
        }

        AddRetrieveLimits(p, lastHash, maxCount, maxSize);
        return new RpcRequest<RetrieveResult>(RpcMethods.Retrieve, p, body => new RetrieveResult(body));
    }

    /// <summary><c>info</c> (§9.3): version, time and hard fork.</summary>
    public RpcRequest<InfoResult> Info() => new(RpcMethods.Info, [], body => new InfoResult(body));

    /// <summary><c>get_swarm</c> (§9.4): the swarm that holds <paramref name="account"/>.</summary>
    public RpcRequest<SwarmInfo> GetSwarm(AccountId account) =>
        new(RpcMethods.GetSwarm, new JsonObject { ["pubkey"] = account.ToHex() }, SwarmInfo.Parse);

    /// <summary><c>oxend_request</c> (§9.13): a whitelisted read-only oxend call.</summary>
    /// <param name="endpoint"><c>get_service_nodes</c> or <c>ons_resolve</c>.</param>
    /// <param name="parameters">Passed to oxend verbatim; null omits the key.</param>
    public RpcRequest<OxendResult> OxendRequest(string endpoint, JsonNode? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var p = new JsonObject { ["endpoint"] = endpoint };
        if (parameters is not null)
        {
            p["params"] = parameters.DeepClone();
        }

        return new RpcRequest<OxendResult>(RpcMethods.OxendRequest, p, body => new OxendResult(body));
    }

    private RpcRequest<StoreResult> StoreCore(
        AccountId id,
        SessionAccount? signer,
        ReadOnlyMemory<byte> data,
        Namespace ns,
        TimeSpan? ttl,
        long? expiry,
        long? timestamp,
        long? sigTimestamp)
    {
        var ts = timestamp ?? NowMs;
        var p = new JsonObject { ["pubkey"] = id.ToHex() };
        if (ns.Id != 0)
        {
            p["namespace"] = ns.Id;
        }

        p["timestamp"] = ts;
        if (ttl is null && expiry is null)
        {
            ttl = DefaultTtl;
        }

        if (ttl is { } t)
        {
            p["ttl"] = (long)t.TotalMilliseconds;
        }

        if (expiry is { } e)
        {
            p["expiry"] = e;
        }

        p["data"] = Convert.ToBase64String(data.Span);
        if (sigTimestamp is { } st)
        {
            p["sig_timestamp"] = st;
        }

        signer?.WriteAuth(p, SignedMessages.Store(ns, sigTimestamp ?? ts));
        var expectedHash = ExpectedHash.Of(id, ns, data.Span);
        return new RpcRequest<StoreResult>(RpcMethods.Store, p, body => new StoreResult(body, expectedHash));
    }

    private static void AddRetrieveLimits(JsonObject p, string? lastHash, int? maxCount, int? maxSize)
    {
        if (lastHash is not null)
        {
            p["last_hash"] = lastHash;
        }

        if (maxCount is { } c)
        {
            p["max_count"] = c;
        }

        if (maxSize is { } s)
        {
            p["max_size"] = s;
        }
    }

    private static List<string> ToList(IEnumerable<string> hashes, string paramName)
    {
        ArgumentNullException.ThrowIfNull(hashes, paramName);
        var list = hashes.ToList();
        foreach (var h in list)
        {
            ArgumentNullException.ThrowIfNull(h, paramName);
        }

        return list;
    }

    private static JsonArray ToJsonArray(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add((JsonNode?)JsonValue.Create(v));
        }

        return array;
    }

    private static List<string> SortedCopy(IReadOnlyList<string> values)
    {
        var copy = new List<string>(values);
        copy.Sort(string.CompareOrdinal);
        return copy;
    }

    private static void AddScope(JsonObject p, NamespaceScope scope)
    {
        if (scope.IsAll)
        {
            p["namespace"] = "all";
        }
        else if (scope.Single.Id != 0)
        {
            p["namespace"] = scope.Single.Id;
        }
    }
}
