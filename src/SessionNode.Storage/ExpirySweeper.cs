using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SessionNode.Storage;

/// <summary>
/// Background loop that deletes expired messages at start-up and then every
/// <see cref="MessageStoreOptions.SweepInterval"/> (storage.md §4), on the injected clock. Owns no
/// state besides its timer. Any failure (a RocksDB I/O or corruption error) is logged Critical and
/// stops the host: the node must not keep running on a failing database.
/// </summary>
public sealed partial class ExpirySweeper : BackgroundService
{
    private readonly MessageStore _store;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ExpirySweeper> _logger;
    private long _sweepCount;

    public ExpirySweeper(MessageStore store, IOptions<MessageStoreOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ExpirySweeper> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _interval = options.Value.SweepInterval;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Completed sweeps since start (including the initial one); for tests and diagnostics.</summary>
    public long SweepCount => Interlocked.Read(ref _sweepCount);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(_interval, _time);
            do
            {
                _store.SweepExpired();
                Interlocked.Increment(ref _sweepCount);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        catch (Exception ex)
        {
            LogSweepFailed(ex);
            _lifetime.StopApplication();
            throw;
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "Expiry sweep failed; the message store is unusable, stopping the node")]
    private partial void LogSweepFailed(Exception exception);
}
