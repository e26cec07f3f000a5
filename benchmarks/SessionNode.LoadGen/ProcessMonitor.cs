using System.Globalization;

namespace SessionNode.LoadGen;

/// <summary>
/// Watches the node processes (by pid, through <c>/proc</c>, so only on the same Linux host) and the whole
/// host during the measured window: each node's RSS and CPU time polled every <see cref="PollInterval"/>,
/// host CPU time from the window's start and end. A node that dies during the window (a member killed on
/// purpose) counts with its last CPU reading. The polling loop is the only writer of the sampled fields
/// until <see cref="EndAsync"/> stops it.
/// </summary>
internal sealed class ProcessMonitor : IDisposable
{
    /// <summary>Four samples a second: catches a GC-driven RSS peak without measurable cost (~20 µs a read).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>USER_HZ, the unit of /proc CPU times; 100 on every mainstream Linux ABI.</summary>
    private const double ClockTicksPerSecond = 100;

    private readonly int[] _pids;
    private readonly double[] _cpuStart;
    private readonly double[] _cpuLast;
    private readonly CancellationTokenSource _stop = new();
    private Task? _poll;
    private long _rssMax;
    private long _rssLast;
    private int _samples;
    private HostCpu _hostStart;
    private long _startTicks;

    public ProcessMonitor(IReadOnlyList<int> pids)
    {
        _pids = [.. pids];
        _cpuStart = new double[_pids.Length];
        _cpuLast = new double[_pids.Length];
    }

    /// <summary>Starts the window: CPU snapshots and the polling loop.</summary>
    public void Begin()
    {
        _startTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        _hostStart = ReadHostCpu();
        for (var i = 0; i < _pids.Length; i++)
        {
            _cpuStart[i] = _cpuLast[i] = ReadProcessCpuSeconds(_pids[i]) ?? double.NaN;
        }

        if (_pids.Length > 0)
        {
            _poll = PollAsync(_stop.Token);
        }
    }

    /// <summary>Ends the window and returns what was seen.</summary>
    public async Task<MonitorResult> EndAsync()
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        var host = ReadHostCpu();
        var hostBusy = host.Total > _hostStart.Total ? (double)(host.Busy - _hostStart.Busy) / (host.Total - _hostStart.Total) * 100 : double.NaN;
        if (_pids.Length == 0)
        {
            return new MonitorResult([], null, null, null, double.NaN, double.NaN, hostBusy * Environment.ProcessorCount, hostBusy);
        }

        await _stop.CancelAsync();
        if (_poll is not null)
        {
            await _poll;
        }

        Sample();
        var cpu = 0.0;
        for (var i = 0; i < _pids.Length; i++)
        {
            cpu += _cpuLast[i] - _cpuStart[i];
        }

        long? hwm = null;
        foreach (var pid in _pids)
        {
            if (ReadMemory(pid).Hwm is { } h)
            {
                hwm = Math.Max(hwm ?? 0, h);
            }
        }

        return new MonitorResult(_pids, _samples > 0 ? _rssMax : null, _rssLast > 0 ? _rssLast : null, hwm, cpu / elapsed * 100, cpu, hostBusy * Environment.ProcessorCount, hostBusy);
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>VmRSS and VmHWM in bytes from /proc/&lt;pid&gt;/status, or nulls when unreadable.</summary>
    public static (long? Rss, long? Hwm) ReadMemory(int pid)
    {
        try
        {
            long? rss = null;
            long? hwm = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = ParseKb(line);
                }
            }

            return (rss, hwm);
        }
        catch (IOException)
        {
            return (null, null);
        }
        catch (UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    /// <summary>utime + stime of a process in seconds, from /proc/&lt;pid&gt;/stat; null when unreadable.</summary>
    public static double? ReadProcessCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ParseKb(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
    }

    /// <summary>Busy and total jiffies of all CPUs from the first line of /proc/stat (zeros when unreadable).</summary>
    private static HostCpu ReadHostCpu()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var parts = reader.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (parts.Length < 5 || parts[0] != "cpu")
            {
                return default;
            }

            long total = 0;
            for (var i = 1; i < parts.Length && i <= 8; i++)
            {
                total += long.Parse(parts[i], CultureInfo.InvariantCulture);
            }

            // idle (4) and iowait (5) are the not-busy columns; guest time is already inside user.
            var idle = long.Parse(parts[4], CultureInfo.InvariantCulture) + (parts.Length > 5 ? long.Parse(parts[5], CultureInfo.InvariantCulture) : 0);
            return new HostCpu(total - idle, total);
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// <summary>One reading of every node: largest single-process RSS, and each process's CPU while it is alive.</summary>
    private void Sample()
    {
        long? largest = null;
        for (var i = 0; i < _pids.Length; i++)
        {
            if (ReadMemory(_pids[i]).Rss is { } rss)
            {
                largest = Math.Max(largest ?? 0, rss);
            }

            if (ReadProcessCpuSeconds(_pids[i]) is { } cpu)
            {
                _cpuLast[i] = cpu;
            }
        }

        if (largest is { } r)
        {
            _rssLast = r;
            _rssMax = Math.Max(_rssMax, r);
            _samples++;
        }
    }

    private async Task PollAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private readonly record struct HostCpu(long Busy, long Total);
}

/// <summary>What <see cref="ProcessMonitor"/> saw in the measured window.</summary>
/// <param name="Pids">The node processes' pids; empty when none were given.</param>
/// <param name="RssMaxBytes">Largest VmRSS of any one node sampled.</param>
/// <param name="RssEndBytes">Largest VmRSS of any one node at the end.</param>
/// <param name="HwmBytes">Largest VmHWM (peak RSS over a node's life) at the end.</param>
/// <param name="NodeCpuPercent">All nodes' user+sys CPU over the window; 100 = one core.</param>
/// <param name="NodeCpuSeconds">All nodes' user+sys CPU time in the window, seconds.</param>
/// <param name="HostCpuPercent">All processes' CPU; 100 = one core (so at most 100 × cores).</param>
/// <param name="HostBusyPercent">Busy share of all cores (0–100).</param>
internal sealed record MonitorResult(
    IReadOnlyList<int> Pids,
    long? RssMaxBytes,
    long? RssEndBytes,
    long? HwmBytes,
    double NodeCpuPercent,
    double NodeCpuSeconds,
    double HostCpuPercent,
    double HostBusyPercent);
