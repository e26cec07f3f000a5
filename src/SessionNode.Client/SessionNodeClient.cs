using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text.Json.Nodes;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>
/// A typed client for one node's <c>POST /storage_rpc/v1</c> (client-rpc.md §2, §9): builds and signs requests
/// (<see cref="Requests"/>), sends them over a keep-alive HTTPS connection, parses answers and verifies every
/// node signature in them. Thread-safe; one instance per node.
/// </summary>
/// <remarks>
/// Typed calls throw <see cref="SessionNodeRpcException"/> for statuses outside 200–299 (421 exposes the correct
/// swarm) and <see cref="SessionNodeProtocolException"/> for malformed answers. The raw calls
/// (<see cref="SendRawAsync(RpcRequest, CancellationToken)"/>, <see cref="PostRawAsync"/>) return whatever the node
/// sent. A request that exceeds <see cref="SessionNodeClientOptions.RequestTimeout"/> throws
/// <see cref="TimeoutException"/>.
/// </remarks>
public sealed partial class SessionNodeClient : IDisposable
{
    /// <summary>The JSON RPC route, relative to the base address.</summary>
    public const string RpcPath = "storage_rpc/v1";

    /// <summary>Bodies above this size (1 MiB; real requests are at most ~140 KiB) are sent with <c>Expect: 100-continue</c>.</summary>
    private const int ExpectContinueThreshold = 1024 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _baseAddress;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a client; no connection is opened until the first request.</summary>
    /// <exception cref="ArgumentException">No base address is configured.</exception>
    public SessionNodeClient(SessionNodeClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _baseAddress = options.BaseAddress ?? options.HttpClient?.BaseAddress
            ?? throw new ArgumentException("Set BaseAddress (or an HttpClient with a BaseAddress).", nameof(options));
        if (!_baseAddress.AbsoluteUri.EndsWith('/'))
        {
            // Relative resolution would otherwise replace the last path segment.
            _baseAddress = new Uri(_baseAddress.AbsoluteUri + "/");
        }

        _timeout = options.RequestTimeout;
        if (options.HttpClient is { } http)
        {
            _http = http;
        }
        else
        {
            _http = new HttpClient(options.Handler ?? CreateHandler(options.AcceptAnyServerCertificate), disposeHandler: options.Handler is null)
            {
                // The per-request timeout below applies instead; it covers reading the body too.
                Timeout = Timeout.InfiniteTimeSpan,
                DefaultRequestVersion = HttpVersion.Version11,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            };
            _ownsHttp = true;
        }

        Requests = new RequestBuilder(options.TimeProvider, options.ClockOffset);
        Onion = new OnionRequestBuilder(options.OnionEphemeralKeys, options.OnionNonces);
    }

    /// <summary>Builds signed requests with this client's clock, for <see cref="SendAsync{TResult}"/> or meta-requests.</summary>
    public RequestBuilder Requests { get; }

    /// <summary>The node's base address.</summary>
    public Uri BaseAddress => _baseAddress;

    /// <summary>Node time minus local time, applied to request timestamps; see <see cref="SyncClockAsync"/>.</summary>
    public TimeSpan ClockOffset
    {
        get => Requests.ClockOffset;
        set => Requests.ClockOffset = value;
    }

    /// <summary>
    /// Sends a request and parses a successful answer (node signatures verified; see
    /// <see cref="NodeEntry.SignatureValid"/>).
    /// </summary>
    /// <exception cref="SessionNodeRpcException">The node answered outside 200–299.</exception>
    /// <exception cref="SessionNodeProtocolException">The answer is not the method's response shape.</exception>
    public async Task<TResult> SendAsync<TResult>(RpcRequest<TResult> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var raw = await SendRawAsync(request, cancellationToken);
        if (!raw.IsSuccess)
        {
            throw new SessionNodeRpcException(raw.StatusCode, raw.BodyText, request.Method);
        }

        return request.ParseResponse(raw.Body);
    }

    /// <summary>Sends a request and returns the answer as received, whatever its status.</summary>
    public Task<RawResponse> SendRawAsync(RpcRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PostRawAsync(request.ToJsonBytes(), cancellationToken: cancellationToken);
    }

    /// <summary>Sends <c>{"method": method, "params": parameters}</c> and returns the answer as received.</summary>
    public Task<RawResponse> SendRawAsync(string method, JsonObject parameters, CancellationToken cancellationToken = default) =>
        SendRawAsync(new RpcRequest(method, parameters), cancellationToken);

    /// <summary>
    /// Sends <c>{"method": method, "params": &lt;paramsJson&gt;}</c> with <paramref name="paramsJson"/> inserted
    /// byte for byte (it need not be valid JSON or an object), and returns the answer as received.
    /// </summary>
    public Task<RawResponse> SendRawAsync(string method, ReadOnlyMemory<byte> paramsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var head = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("method", method);
            w.WriteEndObject();
        });

        // head is {"method":"..."}; splice ,"params":<raw>} in place of the closing brace.
        var prefix = head.AsSpan(0, head.Length - 1);
        var middle = ",\"params\":"u8;
        var body = new byte[prefix.Length + middle.Length + paramsJson.Length + 1];
        prefix.CopyTo(body);
        middle.CopyTo(body.AsSpan(prefix.Length));
        paramsJson.Span.CopyTo(body.AsSpan(prefix.Length + middle.Length));
        body[^1] = (byte)'}';
        return PostRawAsync(body, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Posts <paramref name="body"/> unchanged (any bytes, e.g. invalid JSON) with <c>Content-Type: application/json</c>
    /// and returns the answer as received.
    /// </summary>
    /// <param name="body">The request body.</param>
    /// <param name="path">The route relative to the base address; default <see cref="RpcPath"/>.</param>
    /// <param name="headers">Extra request headers (e.g. <c>X-Loki-Long-Poll</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<RawResponse> PostRawAsync(
        ReadOnlyMemory<byte> body,
        string path = RpcPath,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PostAsync(new Uri(_baseAddress, path), body, JsonContentType, headers, cancellationToken);
    }

    private async Task<RawResponse> PostAsync(
        Uri uri,
        ReadOnlyMemory<byte> body,
        MediaTypeHeaderValue contentType,
        IEnumerable<KeyValuePair<string, string>>? headers,
        CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        request.Content.Headers.ContentType = contentType;
        if (body.Length > ExpectContinueThreshold)
        {
            // Let the node refuse an oversized body (413) before we upload it: it closes the connection after
            // refusing, which would otherwise surface as a broken pipe instead of its answer.
            request.Headers.ExpectContinue = true;
        }

        foreach (var (name, value) in headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutCts.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeoutCts.Token);
            var server = response.Headers.Server.Count > 0 ? response.Headers.Server.ToString() : null;
            return new RawResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes, server);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The node did not answer within {_timeout.TotalSeconds:0.###} s.", e);
        }
    }

    /// <summary>
    /// Sets <see cref="ClockOffset"/> from the node's <c>info</c> time (ignoring network latency) and returns it. Nodes
    /// reject signatures more than 60 s off their clock.
    /// </summary>
    public async Task<TimeSpan> SyncClockAsync(CancellationToken cancellationToken = default)
    {
        var info = await InfoAsync(cancellationToken);
        var local = Requests.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        ClockOffset = TimeSpan.FromMilliseconds(info.Timestamp - local);
        return ClockOffset;
    }

    /// <summary>Disposes the HTTP client if this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    [SuppressMessage(
        "Security",
        "CA5359:Do Not Disable Certificate Validation",
        Justification = "Service nodes serve self-signed certificates and Session clients do not validate them (client-rpc.md §2.1); node identity is checked via Ed25519 node signatures. Opt-out via AcceptAnyServerCertificate.")]
    private static SocketsHttpHandler CreateHandler(bool acceptAnyCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            // Keep-alive: reuse connections, but recycle them now and then so a node's restart or address
            // change is picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (acceptAnyCertificate)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            };
        }

        return handler;
    }
}
