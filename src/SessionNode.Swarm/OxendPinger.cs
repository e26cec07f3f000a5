using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SessionNode.Swarm;

/// <summary>
/// oxend's <c>storage_server_ping</c> JSON-RPC (swarm.md §14; an admin method on oxend's unrestricted
/// RPC port): tells oxend the storage server is alive and which ports to advertise in its uptime proofs
/// (oxend sends no proofs without recent pings). Body:
/// <c>{"version":[2,8,0],"pubkey_ed25519":hex,"https_port":n,"omq_port":n}</c>; success is
/// <c>{"status":"OK"}</c>.
/// </summary>
public static class OxendStorageServerPing
{
    /// <summary>The reference version we match and report (as the client <c>info</c> does).</summary>
    public static readonly int[] Version = [2, 8, 0];

    /// <summary>The JSON-RPC request body; <paramref name="peerPort"/> goes out as <c>omq_port</c>, the port peers learn.</summary>
    public static byte[] Request(string ed25519Hex, int httpsPort, int peerPort)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteString("id", "0");
            w.WriteString("method", "storage_server_ping");
            w.WriteStartObject("params");
            w.WriteStartArray("version");
            foreach (var v in Version)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteString("pubkey_ed25519", ed25519Hex);
            w.WriteNumber("https_port", httpsPort);
            w.WriteNumber("omq_port", peerPort);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>
/// In <see cref="NetworkMode.Oxend"/>, pings oxend with <see cref="OxendStorageServerPing"/> once the
/// listeners are bound and then every <see cref="NetworkOptions.OxendPingInterval"/> (30 s, swarm.md
/// §14). The first success and every 120th consecutive one (hourly) are logged; a failure is logged as a
/// warning and restarts the count. Owns the consecutive-success counter.
/// </summary>
public sealed partial class OxendPinger : BackgroundService
{
    /// <summary>Successes are logged again after this many in a row (an hour of 30 s pings).</summary>
    private const int LogEverySuccesses = 120;

    private readonly LocalNode _local;
    private readonly NetworkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the pinger.</summary>
    public OxendPinger(LocalNode local, IOptions<NetworkOptions> options, TimeProvider time, ILogger<OxendPinger> logger)
    {
        _local = local;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Mode != NetworkMode.Oxend)
        {
            return;
        }

        try
        {
            var (https, peer) = await _local.PortsAsync(stoppingToken);
            using var http = new HttpClient { Timeout = _options.OxendRequestTimeout };
            var url = new Uri(_options.OxendRpcUrl.TrimEnd('/') + "/json_rpc");
            var body = OxendStorageServerPing.Request(_local.Ed25519Hex, https, peer);
            var successes = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                var problem = await PingAsync(http, url, body, stoppingToken);
                if (problem is null)
                {
                    if (successes % LogEverySuccesses == 0)
                    {
                        LogPinged(_logger, successes + 1);
                    }

                    successes++;
                }
                else
                {
                    LogPingFailed(_logger, problem);
                    successes = 0;
                }

                await Task.Delay(_options.OxendPingInterval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<string?> PingAsync(HttpClient http, Uri url, byte[] body, CancellationToken stoppingToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(url, content, stoppingToken);
            return response.IsSuccessStatusCode
                ? OxendPeerStatus.Problem(await response.Content.ReadAsByteArrayAsync(stoppingToken))
                : "HTTP " + (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !stoppingToken.IsCancellationRequested))
        {
            return e.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "storage_server_ping to oxend succeeded ({Count} in a row)")]
    private static partial void LogPinged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "storage_server_ping to oxend failed (oxend sends no uptime proofs without it): {Problem}")]
    private static partial void LogPingFailed(ILogger logger, string problem);
}
