using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SessionNode.Swarm;

/// <summary>
/// Membership source of <see cref="NetworkMode.Oxend"/>: polls oxend's HTTP JSON-RPC
/// <c>get_service_nodes</c> every <see cref="NetworkOptions.OxendPollInterval"/> (with
/// <c>poll_block_hash</c> after the first answer, so unchanged blocks cost nothing), retrying while
/// oxend is unreachable, and publishes a snapshot per new block. Hard fork and height come from oxend
/// (our keys too, fetched before the node is built: <see cref="OxendKeyFetcher"/>).
/// A failed update keeps the previous view. Owns the last block hash and node list.
/// </summary>
public sealed partial class OxendMembershipRefresher : BackgroundService
{
    private readonly Membership _membership;
    private readonly LocalNode _local;
    private readonly NetworkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the refresher.</summary>
    public OxendMembershipRefresher(Membership membership, LocalNode local, IOptions<NetworkOptions> options, TimeProvider time, ILogger<OxendMembershipRefresher> logger)
    {
        _membership = membership;
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

        await _local.PortsAsync(stoppingToken);
        using var http = new HttpClient { Timeout = _options.OxendRequestTimeout };
        var urlText = _options.OxendRpcUrl.TrimEnd('/') + "/json_rpc";
        var url = new Uri(urlText);
        string? blockHash = null;
        IReadOnlyList<ServiceNodeRecord> last = [];
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var content = new ByteArrayContent(OxendServiceNodes.Request(blockHash));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(url, content, stoppingToken);
                response.EnsureSuccessStatusCode();
                var update = OxendServiceNodes.Parse(await response.Content.ReadAsByteArrayAsync(stoppingToken));
                if (failing)
                {
                    LogReachable(_logger, urlText);
                    failing = false;
                }

                if (!update.Unchanged && update.Network is { } network && update.BlockHash != blockHash)
                {
                    network = OxendServiceNodes.PreserveAddresses(network, last);
                    var snapshot = network.ToSnapshot(_membership.Current.Version + 1, _local);
                    _membership.Publish(snapshot);
                    last = network.Nodes;
                    blockHash = update.BlockHash.Length > 0 ? update.BlockHash : null;
                    LogUpdated(_logger, network.Height, network.Nodes.Count, update.SkippedWithoutKeys, update.SkippedWithoutAddress);
                    if (update.ManyWithoutKeys)
                    {
                        LogManyWithoutKeys(_logger, update.SkippedWithoutKeys, network.Nodes.Count + update.SkippedWithoutKeys);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or FormatException || (e is TaskCanceledException && !stoppingToken.IsCancellationRequested))
            {
                if (!failing)
                {
                    LogFailed(_logger, urlText, e.Message);
                    failing = true;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(_options.OxendPollInterval, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "oxend block {Height}: {Nodes} service nodes ({Skipped} skipped without aux keys, {SkippedNoAddress} without an address)")]
    private static partial void LogUpdated(ILogger logger, long height, int nodes, int skipped, int skippedNoAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Skipped} of {Funded} funded service nodes have no aux keys: oxend may be out of sync")]
    private static partial void LogManyWithoutKeys(ILogger logger, int skipped, int funded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "get_service_nodes from {Url} failed, keeping the previous view and retrying: {Problem}")]
    private static partial void LogFailed(ILogger logger, string url, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "oxend at {Url} answers again")]
    private static partial void LogReachable(ILogger logger, string url);
}
