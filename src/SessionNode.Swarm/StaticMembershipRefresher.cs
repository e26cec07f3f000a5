using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SessionNode.Swarm;

/// <summary>
/// Membership source of <see cref="NetworkMode.Static"/>: reads the network file once the listeners
/// are bound, publishes a snapshot, and re-reads it on change notifications and every
/// <see cref="NetworkOptions.StaticPollInterval"/>. A file that cannot be read or parsed keeps the
/// previous view (warning logged once per content). Owns no state besides the last file bytes.
/// </summary>
public sealed partial class StaticMembershipRefresher : BackgroundService
{
    private readonly Membership _membership;
    private readonly LocalNode _local;
    private readonly NetworkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the refresher.</summary>
    public StaticMembershipRefresher(Membership membership, LocalNode local, IOptions<NetworkOptions> options, TimeProvider time, ILogger<StaticMembershipRefresher> logger)
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
        if (_options.Mode != NetworkMode.Static)
        {
            return;
        }

        await _local.PortsAsync(stoppingToken);
        var path = Path.GetFullPath(_options.StaticFile);
        using var changed = new SemaphoreSlim(0, 1);
        using var watcher = CreateWatcher(path, changed);
        byte[]? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            last = Reload(path, last);
            try
            {
                await Task.WhenAny(changed.WaitAsync(stoppingToken), Task.Delay(_options.StaticPollInterval, _time, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private byte[]? Reload(string path, byte[]? last)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (last is not null)
            {
                LogUnreadable(_logger, path, e.Message);
            }

            return null;
        }

        if (last is not null && bytes.AsSpan().SequenceEqual(last))
        {
            return last;
        }

        try
        {
            var definition = StaticNetworkFile.Parse(bytes);
            var snapshot = definition.ToSnapshot(_membership.Current.Version + 1, _local);
            _membership.Publish(snapshot);
            var swarm = snapshot.Self?.SwarmId.ToString("x", System.Globalization.CultureInfo.InvariantCulture) ?? "none";
            LogLoaded(_logger, path, definition.Nodes.Count, snapshot.SwarmIds.Length, swarm);
        }
        catch (FormatException e)
        {
            LogBadFile(_logger, path, e.Message);
        }

        return bytes;
    }

    private static FileSystemWatcher? CreateWatcher(string path, SemaphoreSlim changed)
    {
        var dir = Path.GetDirectoryName(path);
        if (dir is null || !Directory.Exists(dir))
        {
            return null;
        }

        try
        {
            var watcher = new FileSystemWatcher(dir, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            void Signal(object? sender, FileSystemEventArgs e)
            {
                try
                {
                    changed.Release();
                }
                catch (SemaphoreFullException)
                {
                    // A reload is already pending.
                }
                catch (ObjectDisposedException)
                {
                    // Stopping.
                }
            }

            watcher.Changed += Signal;
            watcher.Created += Signal;
            watcher.Renamed += (s, e) => Signal(s, e);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Polling alone still picks changes up (e.g. inotify instance limit reached).
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Network file {Path} loaded: {Nodes} nodes, {Swarms} swarms, our swarm {Swarm}")]
    private static partial void LogLoaded(ILogger logger, string path, int nodes, int swarms, string swarm);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network file {Path} is invalid, keeping the previous view: {Problem}")]
    private static partial void LogBadFile(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network file {Path} cannot be read, keeping the previous view: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string path, string problem);
}
