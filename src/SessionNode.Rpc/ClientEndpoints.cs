using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SessionNode.Core;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>
/// The client HTTPS routes (client-rpc.md §2.2): the request pipeline of §2.3 in its exact order,
/// then the RPC handler. Owns no state beyond counters.
/// </summary>
public sealed class ClientEndpoints
{
    /// <summary>
    /// In-flight /storage_rpc/v1 requests beyond which the node answers 503 "Server busy". Upstream
    /// queues 1 000 jobs; a client on a few keep-alive connections never gets near this.
    /// </summary>
    public const int MaxInFlight = 1_000;

    private readonly RequestHandler _handler;
    private readonly NodeState _node;
    private readonly ClientRateLimiter _limiter;
    private readonly IOptionsMonitor<RpcOptions> _options;
    private readonly IncomingPingMonitor _pings;
    private int _inFlight;

    /// <summary>Creates the endpoints.</summary>
    public ClientEndpoints(RequestHandler handler, NodeState node, ClientRateLimiter limiter, IOptionsMonitor<RpcOptions> options, IncomingPingMonitor pings)
    {
        _handler = handler;
        _node = node;
        _limiter = limiter;
        _options = options;
        _pings = pings;
    }

    /// <summary><c>/storage_rpc/v1</c>.</summary>
    public async Task StorageRpcAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            await NotFoundAsync(http);
            return;
        }

        if (_node.NotReadyReasons() is { } reasons)
        {
            await WriteTextAsync(http, 503, "Service node is not ready: " + reasons + "\n");
            return;
        }

        var remote = http.Connection.RemoteIpAddress;
        if (remote is null || !TryGetIPv4(remote, out var ipv4))
        {
            await WriteTextAsync(http, 400, "Bad Request\n");
            return;
        }

        if (_options.CurrentValue.RateLimitEnabled && !_limiter.TryAcquire(ipv4))
        {
            RpcTelemetry.RateLimited.Add(1);
            await WriteTextAsync(http, 429, "Too Many Requests\n");
            return;
        }

        if (http.Request.Headers.TryGetValue("X-Loki-Long-Poll", out var longPoll) && !string.IsNullOrEmpty(longPoll.ToString()))
        {
            await WriteTextAsync(http, 410, "long polling is no longer supported, client upgrade required");
            return;
        }

        if (http.Request.ContentLength > Limits.MaxRequestBody)
        {
            http.Response.Headers.Connection = "close";
            await WriteTextAsync(http, 413, "Request body too large");
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            await WriteTextAsync(http, 503, "Server busy, try again later");
            return;
        }

        byte[]? rented = null;
        try
        {
            (rented, var length) = await RequestBody.ReadAsync(http);
            if (rented is null)
            {
                http.Response.Headers.Connection = "close";
                await WriteTextAsync(http, 413, "Request body too large");
                return;
            }

            var context = _handler.CreateContext(forwarded: false, http.RequestAborted);
            var result = await _handler.HandleEnvelopeAsync(rented.AsMemory(0, length), context);
            try
            {
                await WriteResultAsync(http, result);
            }
            finally
            {
                result.ReleaseBody();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary><c>POST /ping_test/v1</c>: 200, empty, with the node's legacy key header; recorded as an incoming HTTPS ping (swarm.md §12.6).</summary>
    public Task PingTestAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return NotFoundAsync(http);
        }

        _pings.Record(PingTransport.Https);
        // swarm.md §12.3: the legacy (primary) key, as the network knows it; without a view of ourselves (or with
        // a source that has no legacy keys) it is the Ed25519 key, which it equals for newer registrations.
        var legacy = _node.Membership.Current.Self?.Legacy;
        http.Response.Headers["X-Oxen-Snode-Pubkey"] = Convert.ToBase64String(legacy ?? _node.Keys.PublicKey.ToArray());
        return WriteTextAsync(http, 200, string.Empty);
    }

    /// <summary><c>GET /get_stats/v1</c>: the dotted version.</summary>
    public static Task GetStatsAsync(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            return NotFoundAsync(http);
        }

        return WriteResultAsync(http, RpcResult.Ok(Encoding.UTF8.GetBytes("{\"version\":\"" + NodeState.ReportedVersionString + "\"}")));
    }

    /// <summary>
    /// Anything else: 404 <c>"method path Not Found"</c> worded as upstream's HTTP library does it: the method
    /// token in lower case and the path as sent, without its query string (client-rpc.md §2.2).
    /// </summary>
    public static Task NotFoundAsync(HttpContext http) =>
        WriteTextAsync(http, 404, http.Request.Method.ToLowerInvariant() + " " + RawPath(http) + " Not Found");

    /// <summary>Route of the JSON RPC (client-rpc.md §2.2).</summary>
    public const string StorageRpcPath = "/storage_rpc/v1";

    /// <summary>Route of onion requests (onion.md §5).</summary>
    public const string OnionPath = "/onion_req/v2";

    /// <summary>Route of the reachability ping (swarm.md §12.6).</summary>
    public const string PingTestPath = "/ping_test/v1";

    /// <summary>Route of the deprecated version probe.</summary>
    public const string GetStatsPath = "/get_stats/v1";

    /// <summary>True for the client routes, which match only their exact path (see <see cref="RawPath"/>).</summary>
    public static bool IsClientRoute(string? pattern) =>
        pattern is StorageRpcPath or OnionPath or PingTestPath or GetStatsPath;

    /// <summary>
    /// The request path as sent: not percent-decoded, case kept, query string dropped. Upstream routes on
    /// exactly this (case-sensitive, no trailing slash, query ignored), unlike ASP.NET routing.
    /// </summary>
    public static string RawPath(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            return http.Request.PathBase.Add(http.Request.Path).ToUriComponent();
        }

        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? target : target[..query];
    }

    /// <summary>Writes an <see cref="RpcResult"/>.</summary>
    public static Task WriteResultAsync(HttpContext http, RpcResult result)
    {
        http.Response.StatusCode = result.Status;
        http.Response.ContentType = result.IsJson ? "application/json" : "text/plain";
        http.Response.ContentLength = result.Body.Length;
        return http.Response.Body.WriteAsync(result.Body).AsTask();
    }

    /// <summary>Writes a text/plain body.</summary>
    public static Task WriteTextAsync(HttpContext http, int status, string text) =>
        WriteResultAsync(http, RpcResult.Text(status, text));

    /// <summary>IPv4, or an IPv4-mapped IPv6 address (client-rpc.md §2.3 step 2 decision).</summary>
    public static bool TryGetIPv4(IPAddress address, out IPAddress ipv4)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            ipv4 = address;
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            ipv4 = address.MapToIPv4();
            return true;
        }

        ipv4 = address;
        return false;
    }
}
