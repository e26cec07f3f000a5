using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>
/// The reference's one-line node summary (swarm.md §15.3):
/// <c>v2.8.0; sw=abcd…789(n=7); 1234 msgs (47.3MB) for 567 users; reqs(S/R/O/P): 1/2/3/4 (last 1h2m)</c>.
/// This node never syncs from seed nodes and has no testnet mode, so the <c> (TESTNET)</c> and
/// <c>; SYNCING</c> parts never appear. Stateless.
/// </summary>
public static class StatusLine
{
    /// <summary>Builds the line from the current state.</summary>
    public static string Format(MembershipSnapshot view, long messages, long usedBytes, long accounts, RequestStatsSnapshot requests)
    {
        var swarm = "NONE";
        if (view.SelfInSwarm && view.Self is { } self)
        {
            var hex = self.SwarmId.ToString("x16", CultureInfo.InvariantCulture);
            swarm = string.Create(CultureInfo.InvariantCulture, $"{hex[..4]}…{hex[^3..]}(n={view.Members(self.SwarmId).Count})");
        }

        var size = usedBytes > 0 ? " (" + Bytes(usedBytes) + ")" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"v{NodeState.ReportedVersionString}; sw={swarm}; {messages} msgs{size} for {accounts} users; reqs(S/R/O/P): " +
            $"{requests.RecentCount(RequestKind.Store)}/{requests.RecentCount(RequestKind.Retrieve)}/{requests.RecentCount(RequestKind.Onion)}/{requests.RecentCount(RequestKind.Proxy)}" +
            $" (last {Duration(requests.RecentWindowMs)})");
    }

    /// <summary>The line for the node in <paramref name="services"/> (its membership, store and request counters).</summary>
    public static string Current(IServiceProvider services)
    {
        var node = services.GetRequiredService<NodeState>();
        var store = services.GetRequiredService<MessageStore>();
        var stats = services.GetRequiredService<RequestHandler>().Stats;
        return Format(node.Membership.Current, store.MessageCount, store.LogicalBytes, store.AccountCount, stats.Snapshot(node.NowMs));
    }

    /// <summary>Three significant digits with a decimal suffix: <c>512B</c>, <c>12.3kB</c>, <c>1.00MB</c>, <c>3.50GB</c>.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes}B"),
        < 999_500 => Significant3(bytes / 1e3) + "kB",
        < 999_500_000 => Significant3(bytes / 1e6) + "MB",
        _ => Significant3(bytes / 1e9) + "GB",
    };

    /// <summary>Compact duration: <c>1d2h3m4s</c> down to the largest unit present, <c>12.345s</c> under a minute.</summary>
    public static string Duration(long ms)
    {
        var t = TimeSpan.FromMilliseconds(Math.Max(0, ms));
        if (t < TimeSpan.FromMinutes(1))
        {
            return ms % 1000 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s")
                : string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:0.000}s");
        }

        var parts = string.Empty;
        if (t.Days > 0)
        {
            parts += string.Create(CultureInfo.InvariantCulture, $"{t.Days}d");
        }

        if (parts.Length > 0 || t.Hours > 0)
        {
            parts += string.Create(CultureInfo.InvariantCulture, $"{t.Hours}h");
        }

        return parts + string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds}s");
    }

    private static string Significant3(double value) => value.ToString(value < 10 ? "0.00" : value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Logs the <see cref="StatusLine"/> once the node has started and then every hour (swarm.md §15.3,
/// storage.md §8.4 step 8). Owns no state beyond its loop.
/// </summary>
internal sealed partial class StatusLineService : BackgroundService
{
    /// <summary>The reference logs the line hourly.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public StatusLineService(IServiceProvider services, TimeProvider time, ILogger<StatusLineService> logger)
    {
        _services = services;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    var line = StatusLine.Current(_services);
                    LogStatus(_logger, line);
                }

                await Task.Delay(Interval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Status}")]
    private static partial void LogStatus(ILogger logger, string status);
}
