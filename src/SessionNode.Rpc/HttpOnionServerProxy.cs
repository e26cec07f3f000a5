using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Onion;

namespace SessionNode.Rpc;

/// <summary>
/// The exit node's HTTP(S) POST to an external server (onion.md §9.3–§9.4), implementing
/// <see cref="IOnionServerProxy"/>: the whole decrypted layer as <c>application/octet-stream</c>, no redirects,
/// certificate validation on unless <see cref="OnionOptions.AllowInsecureProxyTls"/>, private destinations refused
/// at connect time unless <see cref="OnionOptions.AllowPrivateProxyTargets"/>, and a total deadline of
/// <see cref="OnionOptions.ProxyTimeout"/>. Per-host rate and concurrency limits come from
/// <see cref="ProxyDestinationLimiter"/>. Singleton; owns its <see cref="HttpClient"/>.
/// </summary>
/// <remarks>
/// Answers (never thrown): the server's status, headers and body unchanged; 504 with the error text on timeout;
/// 502 with the error text on any transport failure (refused connection, TLS, private destination, oversized body);
/// 429 plain text when the destination's limits are exceeded. 429 is kept by relays (§7.5) and tells clients the
/// request, not the path, was the problem; an encrypted answer is impossible here because the proxy does not hold
/// the layer key, and plain text matches how the exit's other transport failures travel back.
/// </remarks>
public sealed partial class HttpOnionServerProxy : IOnionServerProxy, IDisposable
{
    /// <summary>Body of the 429 answer when the destination's token bucket is empty.</summary>
    public const string RateLimitedText = "Too many requests to this destination, try again later";

    /// <summary>Body of the 429 answer when the destination already has the maximum requests in flight.</summary>
    public const string ConcurrencyLimitedText = "Too many concurrent requests to this destination, try again later";

    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly HttpClient _http;
    private readonly OnionOptions _options;
    private readonly TimeProvider _time;
    private readonly ProxyDestinationLimiter _limiter;
    private readonly ILogger<HttpOnionServerProxy> _logger;

    /// <summary>Creates the proxy and its HTTP client.</summary>
    public HttpOnionServerProxy(IOptions<OnionOptions> options, TimeProvider time, ILogger<HttpOnionServerProxy> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _limiter = new ProxyDestinationLimiter(_options, time);
        _http = new HttpClient(CreateHandler(_options), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // the TimeProvider-based deadline below applies instead
            MaxResponseContentBufferSize = _options.ProxyMaxResponseBytes,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd(NodeState.ServerHeader);
    }

    /// <inheritdoc />
    public async Task<OnionProxyResponse> PostAsync(OnionProxyRequest request, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var uri))
        {
            return Text(502, "Invalid proxy URL");
        }

        var host = uri.IdnHost;
        switch (_limiter.TryEnter(host))
        {
            case ProxyDestinationLimiter.Refusal.RateLimited:
                LogLimited(_logger, "rate");
                return Text(429, RateLimitedText);
            case ProxyDestinationLimiter.Refusal.ConcurrencyLimited:
                LogLimited(_logger, "concurrency");
                return Text(429, ConcurrencyLimitedText);
        }

        using var deadline = new CancellationTokenSource(_options.ProxyTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ReadOnlyMemoryContent(request.Body) };
            message.Content.Headers.ContentType = OctetStream;
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            var headers = new List<KeyValuePair<string, string>>();
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers.Add(new(name, string.Join(", ", values)));
            }

            return new OnionProxyResponse((int)response.StatusCode, headers, body);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogProxyFailed(_logger, 504);
            return Text(504, $"Request to the destination timed out after {_options.ProxyTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            LogProxyFailed(_logger, 502);
            return Text(502, e.InnerException is { } inner ? e.Message + " " + inner.Message : e.Message);
        }
        finally
        {
            _limiter.Release(host);
        }
    }

    /// <summary>Disposes the HTTP client.</summary>
    public void Dispose() => _http.Dispose();

    private static OnionProxyResponse Text(int status, string text) => new(status, [], Encoding.UTF8.GetBytes(text));

    [SuppressMessage(
        "Security",
        "CA5359:Do Not Disable Certificate Validation",
        Justification = "Only with Onion:AllowInsecureProxyTls (default false), for test servers with self-signed certificates.")]
    private static SocketsHttpHandler CreateHandler(OnionOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), // pick up DNS changes of long-lived destinations
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, options.AllowPrivateProxyTargets, ct),
        };
        if (options.AllowInsecureProxyTls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        }

        return handler;
    }

    /// <summary>
    /// Resolves the host and connects only to addresses the exit may reach: literals were checked by the endpoint,
    /// this catches names that resolve to private addresses (onion.md §9.2 decision).
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = allowPrivate ? addresses : Array.FindAll(addresses, a => !OnionProxyTargets.IsPrivateAddress(a));
        if (allowed.Length == 0)
        {
            throw new HttpRequestException("The destination does not resolve to a public address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Onion exit proxy refused a request: destination {Limit} limit reached")]
    private static partial void LogLimited(ILogger logger, string limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Onion exit proxy request failed; answering {Status}")]
    private static partial void LogProxyFailed(ILogger logger, int status);
}
