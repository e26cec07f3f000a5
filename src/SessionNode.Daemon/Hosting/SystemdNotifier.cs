using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SessionNode.Daemon.Hosting;

/// <summary>
/// systemd's notify protocol, as the reference speaks it (storage.md §8.4 step 8, swarm.md §15.3): once
/// the node has started, <c>READY=1</c>; then every 10 s <c>WATCHDOG=1</c> with <c>STATUS=</c> the status
/// line; <c>STOPPING=1</c> when shutdown begins. Datagrams go to the socket named by <c>NOTIFY_SOCKET</c>
/// (a path, or <c>@name</c> for the abstract namespace); without it (not run by systemd, or a unit that
/// is not <c>Type=notify</c>) nothing is sent. Owns the socket and the watchdog loop.
/// </summary>
internal sealed partial class SystemdNotifier : IHostedLifecycleService, IDisposable
{
    /// <summary>The reference's watchdog and status period.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly string? _socketPath;
    private readonly Func<string> _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task _loop = Task.CompletedTask;
    private bool _failed;

    /// <param name="socketPath">The <c>NOTIFY_SOCKET</c> value; null or empty turns the notifier off.</param>
    /// <param name="status">Produces the status line.</param>
    /// <param name="time">Clock of the watchdog period.</param>
    /// <param name="logger">Reports a socket that cannot be written (once).</param>
    public SystemdNotifier(string? socketPath, Func<string> status, TimeProvider time, ILogger<SystemdNotifier> logger)
    {
        _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;
        _status = status;
        _time = time;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_socketPath is null)
        {
            return Task.CompletedTask;
        }

        Send("READY=1\nSTATUS=" + _status());
        // Created here, not in the loop: a periodic timer keeps a tick that falls due while a send is under way.
        _loop = WatchdogAsync(new PeriodicTimer(Interval, _time), _stop.Token);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_socketPath is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        Send("STOPPING=1");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _stop.Dispose();
        _socket?.Dispose();
    }

    private async Task WatchdogAsync(PeriodicTimer timer, CancellationToken stop)
    {
        using (timer)
        {
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    Send("WATCHDOG=1\nSTATUS=" + _status());
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    private void Send(string message)
    {
        if (_failed)
        {
            return;
        }

        try
        {
            // A leading '@' names an abstract socket, whose address starts with a NUL byte.
            _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var path = _socketPath![0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
            _socket.SendTo(Encoding.UTF8.GetBytes(message), new UnixDomainSocketEndPoint(path));
        }
        catch (Exception e) when (e is SocketException or ArgumentException or PlatformNotSupportedException)
        {
            _failed = true;
            LogNotifyFailed(_logger, _socketPath!, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd notification socket {Socket} cannot be written, notifications stop: {Problem}")]
    private static partial void LogNotifyFailed(ILogger logger, string socket, string problem);
}
