using System.Globalization;
using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SessionNode.Protocol;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>Outcome of one sub-test of a reachability test.</summary>
/// <param name="Transport">"https" or "grpc".</param>
/// <param name="Ip">The address tested.</param>
/// <param name="Port">The port tested.</param>
/// <param name="Reached">True if the peer answered as expected.</param>
/// <param name="Error">Why not, when not reached.</param>
/// <param name="Latency">Time until the answer or the failure.</param>
/// <param name="Unanswered">
/// True when nothing answered at all (connection refused or reset, timeout): the kind of failure that
/// says the node is down, as opposed to a wrong or unexpected answer.
/// </param>
public readonly record struct TransportResult(string Transport, string Ip, int Port, bool Reached, string? Error, TimeSpan Latency, bool Unanswered = false);

/// <summary>Both sub-tests of one reachability test (swarm.md §12.2 as recommended there: HTTPS ping + gRPC Ping).</summary>
public readonly record struct ReachabilityReport(TransportResult Https, TransportResult Grpc)
{
    /// <summary>The test passes only if every sub-test passes.</summary>
    public bool Passed => Https.Reached && Grpc.Reached;
}

/// <summary>
/// Tests one peer over both transports in parallel: <c>POST https://ip:https_port/ping_test/v1</c>
/// (certificate validation off, <c>Host: &lt;z-base-32 key&gt;.snode</c>, pass iff 200 with an
/// <c>X-Oxen-Snode-Pubkey</c> header naming the expected key; a new connection per test) and the peer
/// <c>Ping</c> RPC on its peer port. Stateless apart from the HTTP handler; owned by DI.
/// </summary>
public sealed class ReachabilityProbe : IDisposable
{
    /// <summary>Name of the HTTPS sub-test.</summary>
    public const string HttpsTransport = "https";

    /// <summary>Name of the gRPC sub-test.</summary>
    public const string GrpcTransport = "grpc";

    /// <summary>The responder's key header (swarm.md §12.3).</summary>
    public const string PubkeyHeader = "X-Oxen-Snode-Pubkey";

    private static readonly Uri PingPath = new("/ping_test/v1", UriKind.Relative);

    private readonly PeerClient _client;
    private readonly ReachabilityOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    /// <summary>Creates the probe.</summary>
    public ReachabilityProbe(PeerClient client, IOptions<ReachabilityOptions> options, TimeProvider time)
    {
        _client = client;
        _options = options.Value;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _options.TestTimeout,
            // One connection per test (Connection: close below); nothing to pool.
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = false,
            UseProxy = false,
        };
#pragma warning disable CA5359 // By design (swarm.md §12.3): nodes use self-signed certificates; the key header is checked instead.
        handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Runs both sub-tests in parallel. <paramref name="freshGrpcConnection"/>: ping over a new
    /// connection instead of the cached channel (on-demand checks must not trust an old connection).
    /// </summary>
    public async Task<ReachabilityReport> TestAsync(ServiceNodeRecord peer, bool freshGrpcConnection, CancellationToken cancellationToken)
    {
        var https = TestHttpsAsync(peer, cancellationToken);
        var grpc = TestGrpcAsync(peer, freshGrpcConnection, cancellationToken);
        return new ReachabilityReport(await https, await grpc);
    }

    /// <summary>The HTTPS sub-test.</summary>
    public async Task<TransportResult> TestHttpsAsync(ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TestTimeout);
        string? error;
        var unanswered = false;
        try
        {
            using var request = CreatePingRequest(peer);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            error = CheckPingResponse(response, peer);
        }
        catch (HttpRequestException e)
        {
            (error, unanswered) = (Describe(e), true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (error, unanswered) = (NoAnswer(), true);
        }

        return new TransportResult(HttpsTransport, peer.Ip, peer.HttpsPort, error is null, error, _time.GetElapsedTime(started), unanswered);
    }

    /// <summary>The gRPC sub-test (<c>Ping</c>, authenticating first if needed).</summary>
    public async Task<TransportResult> TestGrpcAsync(ServiceNodeRecord peer, bool freshConnection, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TestTimeout);
        string? error = null;
        var unanswered = false;
        try
        {
            if (freshConnection)
            {
                await _client.PingFreshAsync(peer, timeout.Token);
            }
            else
            {
                await _client.PingAsync(peer, timeout.Token);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
        {
            // Only the peer itself says this (it does not list us yet, e.g. an older membership view):
            // its peer port answered, which is what this sub-test asks (swarm.md §12.2: any reply).
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            (error, unanswered) = (NoAnswer(), true);
        }
        catch (RpcException e)
        {
            unanswered = e.StatusCode == StatusCode.Unavailable;
            error = unanswered && e.Status.DebugException is { } inner
                ? Describe(inner)
                : $"{e.StatusCode}: {e.Status.Detail}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (error, unanswered) = (NoAnswer(), true);
        }

        return new TransportResult(GrpcTransport, peer.Ip, peer.PeerPort, error is null, error, _time.GetElapsedTime(started), unanswered);
    }

    /// <summary>The HTTPS ping request: empty POST, <c>Host</c> = the peer's <c>.snode</c> name, connection closed after.</summary>
    public static HttpRequestMessage CreatePingRequest(ServiceNodeRecord peer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri($"https://{peer.Ip}:{peer.HttpsPort}"), PingPath))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([]),
        };
        request.Headers.Host = peer.SnodeAddress;
        request.Headers.ConnectionClose = true;
        return request;
    }

    /// <summary>Null if the answer passes (200 and the expected key header), else the reason.</summary>
    public static string? CheckPingResponse(HttpResponseMessage response, ServiceNodeRecord peer)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"HTTP {(int)response.StatusCode} from /ping_test/v1";
        }

        if (!response.Headers.TryGetValues(PubkeyHeader, out var values))
        {
            return $"no {PubkeyHeader} header: not a service node";
        }

        return IsExpectedPubkey(values.FirstOrDefault(), peer) ? null : $"{PubkeyHeader} names another node";
    }

    /// <summary>
    /// True if <paramref name="header"/> decodes (64 hex, 43/44-char base64 or 52-char z-base-32) to the
    /// peer's legacy key, or to its Ed25519 key (our nodes answer with their Ed25519 key, which is the
    /// legacy key of every modern registration).
    /// </summary>
    public static bool IsExpectedPubkey(string? header, ServiceNodeRecord peer)
    {
        if (header is null || !TryDecodeKey(header.Trim(), out var key))
        {
            return false;
        }

        return key.AsSpan().SequenceEqual(peer.Legacy) || key.AsSpan().SequenceEqual(peer.Ed25519);
    }

    private string NoAnswer() => string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.TestTimeout.TotalSeconds:0.###} s");

    /// <summary>Closes the HTTP handler.</summary>
    public void Dispose() => _http.Dispose();

    private static bool TryDecodeKey(string text, out byte[] key)
    {
        key = [];
        try
        {
            switch (text.Length)
            {
                case 64:
                    key = Convert.FromHexString(text);
                    return true;
                case 43:
                case 44:
                    key = Convert.FromBase64String(text.Length == 43 ? text + "=" : text);
                    return key.Length == 32;
                case 52:
                    return ZBase32.TryDecode(text, out key) && key.Length == 32;
                default:
                    return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Describe(Exception e)
    {
        // The innermost message names the cause ("Connection refused (127.0.0.1:1234)").
        var inner = e;
        while (inner.InnerException is { } next)
        {
            inner = next;
        }

        return inner == e || e.Message.Contains(inner.Message, StringComparison.Ordinal) ? e.Message : $"{e.Message} ({inner.Message})";
    }
}
