using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Daemon.Hosting;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary>systemd notifications (storage.md §8.4 step 8): READY, then WATCHDOG with the status line every 10 s, STOPPING.</summary>
public sealed class SystemdNotifierTests
{
    [Fact]
    public async Task Notifier_ReadyWatchdogWithStatusAndStopping()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("notify.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        var clock = new FakeTimeProvider();
        var calls = 0;
        using var notifier = new SystemdNotifier(path, () => "status " + ++calls, clock, NullLogger<SystemdNotifier>.Instance);
        var ct = TestContext.Current.CancellationToken;

        await notifier.StartedAsync(ct);
        Assert.Equal("READY=1\nSTATUS=status 1", await ReceiveAsync(listener, ct));

        clock.Advance(SystemdNotifier.Interval);
        Assert.Equal("WATCHDOG=1\nSTATUS=status 2", await ReceiveAsync(listener, ct));
        clock.Advance(SystemdNotifier.Interval);
        Assert.Equal("WATCHDOG=1\nSTATUS=status 3", await ReceiveAsync(listener, ct));

        await notifier.StoppingAsync(ct);
        Assert.Equal("STOPPING=1", await ReceiveAsync(listener, ct));
    }

    [Fact]
    public async Task Notifier_WithoutNotifySocket_SendsNothing()
    {
        var calls = 0;
        using var notifier = new SystemdNotifier(null, () => "status " + ++calls, new FakeTimeProvider(), NullLogger<SystemdNotifier>.Instance);

        await notifier.StartedAsync(TestContext.Current.CancellationToken);
        await notifier.StoppingAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, calls);
    }

    private static async Task<string> ReceiveAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
