using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Rpc.Admin;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// In <c>oxend</c> mode, pings oxend with <c>storage_server_ping</c> once the listeners are bound and then every
/// <see cref="NetworkOptions.OxendPingInterval"/> (swarm.md §14): oxend sends uptime proofs only while the storage
/// server pings it, and advertises the ports it names. The first success, and then every 120th success in a
/// row (hourly at 30 s), is logged at information; every failure at critical, resetting the run.
/// Owns the success counters (published for stats).
/// </summary>
internal sealed partial class OxendPingService : BackgroundService, IStatsContributor
{
    /// <summary>Successes in a row between two information logs (an hour at the 30 s default).</summary>
    public const int LogEverySuccesses = 120;

    private readonly NodeState _node;
    private readonly LocalNode _local;
    private readonly NetworkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _successes;
    private long _failures;
    private int _consecutive;

    public OxendPingService(NodeState node, LocalNode local, IOptions<NetworkOptions> options, TimeProvider time, ILogger<OxendPingService> logger)
    {
        _node = node;
        _local = local;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Pings oxend answered OK so far.</summary>
    public long Successes => Interlocked.Read(ref _successes);

    /// <summary>Pings that failed (unreachable oxend, an error or a non-OK answer) so far.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public string Section => "oxend_ping";

    public void WriteStats(Utf8JsonWriter writer)
    {
        writer.WriteNumber("successes", Successes);
        writer.WriteNumber("failures", Failures);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Mode != NetworkMode.Oxend || _options.OxendPingInterval == TimeSpan.Zero)
        {
            return;
        }

        try
        {
            var (https, peer) = await _local.PortsAsync(stoppingToken);
            using var http = new HttpClient { Timeout = _options.OxendRequestTimeout };
            var urlText = _options.OxendRpcUrl.TrimEnd('/') + "/json_rpc";
            var url = new Uri(urlText);
            var body = OxendPing.Request(NodeState.ReportedVersion, _node.Keys.PublicKeyHex, https, peer);
            while (true)
            {
                await PingAsync(http, url, urlText, body, stoppingToken);
                await Task.Delay(_options.OxendPingInterval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PingAsync(HttpClient http, Uri url, string urlText, byte[] body, CancellationToken stoppingToken)
    {
        string? problem;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(url, content, stoppingToken);
            problem = response.IsSuccessStatusCode
                ? OxendPeerStatus.Problem(await response.Content.ReadAsByteArrayAsync(stoppingToken))
                : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !stoppingToken.IsCancellationRequested))
        {
            problem = e.Message;
        }

        if (problem is null)
        {
            Interlocked.Increment(ref _successes);
            if (_consecutive++ % LogEverySuccesses == 0)
            {
                LogPinged(_logger, urlText, _consecutive);
            }
        }
        else
        {
            Interlocked.Increment(ref _failures);
            _consecutive = 0;
            LogPingFailed(_logger, urlText, problem);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "storage_server_ping to oxend at {Url} succeeded ({Count} in a row)")]
    private static partial void LogPinged(ILogger logger, string url, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "storage_server_ping to oxend at {Url} failed: {Problem}; oxend sends no uptime proofs without our pings")]
    private static partial void LogPingFailed(ILogger logger, string url, string problem);
}
