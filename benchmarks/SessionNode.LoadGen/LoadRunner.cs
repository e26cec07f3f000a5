using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using SessionNode.Client;
using SessionNode.LoadGen.Workloads;

namespace SessionNode.LoadGen;

/// <summary>
/// Runs one workload against the target: setup and verification through the typed client, then a closed
/// loop of <see cref="LoadGenOptions.Connections"/> tasks, each with its own keep-alive HTTPS connection,
/// through a warm-up and a measured phase. Each task owns its histogram and counters; they are merged
/// after the tasks end, so the timed path shares nothing but an optional request-count cap.
/// </summary>
internal sealed class LoadRunner
{
    /// <summary>
    /// Drain buffer per connection. 16 KB holds a whole retrieve-50 answer (~14 KB) in one read and is
    /// the TLS record size, so larger buffers would not cut the number of reads.
    /// </summary>
    private const int ResponseBufferBytes = 16 * 1024;

    /// <summary>What a failed per-node entry of a replicated answer contains (client-rpc.md §8.3).</summary>
    private static ReadOnlySpan<byte> FailedEntryMarker => "\"failed\":true"u8;

    /// <summary>Pause after a transport error so a dead node does not turn the loop into a busy spin.</summary>
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromMilliseconds(10);

    /// <summary>Slack past warm-up + duration + one request timeout before the run is aborted.</summary>
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromSeconds(5);

    /// <summary>Verification, connection set-up and scheduling slack included in the signing horizon.</summary>
    private static readonly TimeSpan SetupSlack = TimeSpan.FromSeconds(30);

    private readonly LoadGenOptions _options;
    private readonly TextWriter _log;

    public LoadRunner(LoadGenOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>Prepares, verifies and runs <paramref name="info"/>; throws if setup or verification fails.</summary>
    public async Task<RunResult> RunAsync(WorkloadInfo info, SessionNodeClient client, CancellationToken cancellationToken)
    {
        using var workload = info.Create();
        var runLength = _options.Warmup + _options.Duration + _options.RequestTimeout + SetupSlack;
        var context = new WorkloadContext(client, _options.Accounts, _options.Connections, runLength, _log);

        _log.WriteLine($"[{workload.Name}] setup");
        var setup = Stopwatch.StartNew();
        await workload.PrepareAsync(context, cancellationToken);
        await workload.VerifyAsync(context, cancellationToken);
        setup.Stop();

        var connections = new Connection[_options.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new Connection(
                new HttpMessageInvoker(CreateHandler(_options.RequestTimeout), disposeHandler: true),
                new Uri(_options.Targets[i % _options.Targets.Count], workload.Path),
                new MediaTypeHeaderValue(workload.ContentType),
                workload.CreateSource(i, connections.Length));
        }

        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        abort.CancelAfter(_options.Warmup + _options.Duration + _options.RequestTimeout + DeadlineSlack);
        using var monitor = new ProcessMonitor(_options.NodePids);
        try
        {
            _log.WriteLine($"[{workload.Name}] {connections.Length} connections: warm-up {_options.Warmup.TotalSeconds:0.##} s, measuring {_options.Duration.TotalSeconds:0.##} s");
            var schedule = new Schedule(
                Stopwatch.GetTimestamp(),
                client.Requests.NowMs,
                _options.Warmup,
                _options.Duration,
                _options.RequestTimeout,
                _options.MaxRequests);

            var tasks = new Task<ConnectionResult>[connections.Length];
            for (var i = 0; i < connections.Length; i++)
            {
                var connection = connections[i];
                tasks[i] = Task.Run(() => RunConnectionAsync(connection, schedule, abort.Token), CancellationToken.None);
            }

            // Window bookkeeping at the start of the measured phase, off the request path.
            await DelayUntilAsync(schedule.MeasureStartTicks, abort.Token);
            var before = SelfStats.Read();
            monitor.Begin();

            var results = await Task.WhenAll(tasks);
            var after = SelfStats.Read();
            var node = await monitor.EndAsync();
            cancellationToken.ThrowIfCancellationRequested();
            return RunResult.Merge(workload, _options, results, schedule, setup.Elapsed, before, after, node);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Invoker.Dispose();
            }
        }
    }

    /// <summary>The closed loop of one connection: send, read the whole answer, record, repeat.</summary>
    private static async Task<ConnectionResult> RunConnectionAsync(Connection connection, Schedule schedule, CancellationToken abort)
    {
        var result = new ConnectionResult();
        var buffer = new byte[ResponseBufferBytes];
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
        try
        {
            while (!abort.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= schedule.EndTicks)
                {
                    break;
                }

                var measured = start >= schedule.MeasureStartTicks;
                if (measured && schedule.MaxRequests > 0 && Interlocked.Increment(ref schedule.Issued) > schedule.MaxRequests)
                {
                    break;
                }

                var body = connection.Source.Next(schedule.NodeNowMs(start));
                timeout.CancelAfter(schedule.RequestTimeout);
                var status = 0;
                string? error = null;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, connection.Uri)
                    {
                        Version = HttpVersion.Version11,
                        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                        Content = new ReadOnlyMemoryContent(body),
                    };
                    request.Content.Headers.ContentType = connection.ContentType;
                    using var response = await connection.Invoker.SendAsync(request, timeout.Token);
                    status = (int)response.StatusCode;
                    var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                    await using (stream)
                    {
                        int read;
                        var partial = false;
                        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                        {
                            if (measured)
                            {
                                result.BytesReceived += read;
                                // A replicated answer with a failed member entry (client-rpc.md §8.3). A marker split
                                // across two reads is missed; answers of replicated stores fit one read.
                                partial |= buffer.AsSpan(0, read).IndexOf(FailedEntryMarker) >= 0;
                            }
                        }

                        if (partial && status is >= 200 and <= 299)
                        {
                            result.PartialAnswers++;
                        }
                    }
                }
                catch (OperationCanceledException) when (abort.IsCancellationRequested)
                {
                    break;
                }
                catch (OperationCanceledException)
                {
                    error = "timeout";
                }
                catch (HttpRequestException e)
                {
                    error = "http_" + e.HttpRequestError.ToString();
                }
                catch (IOException e)
                {
                    error = "io_" + e.GetType().Name;
                }

                var end = Stopwatch.GetTimestamp();
                if (!timeout.TryReset())
                {
                    // The timer fired (or raced completion): a cancelled source cannot be reused.
                    timeout.Dispose();
                    timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
                }

                if (measured)
                {
                    result.LastCompletionTicks = end;
                    if (error is not null)
                    {
                        result.AddError(error);
                    }
                    else
                    {
                        result.AddStatus(status);
                        if (status is >= 200 and <= 299)
                        {
                            result.Histogram.Record((long)Stopwatch.GetElapsedTime(start, end).TotalMicroseconds);
                        }
                    }
                }

                if (error is not null)
                {
                    try
                    {
                        await Task.Delay(ErrorBackoff, abort);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            timeout.Dispose();
        }

        return result;
    }

    private static async Task DelayUntilAsync(long ticks, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ticks);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    [SuppressMessage(
        "Security",
        "CA5359:Do Not Disable Certificate Validation",
        Justification = "Service nodes serve self-signed certificates (client-rpc.md §2.1); a load generator against our own node has nothing to authenticate.")]
    private static SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        // One task, one connection: the task never has two requests in flight, and the pool never opens a second.
        MaxConnectionsPerServer = 1,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        ConnectTimeout = connectTimeout,
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ActivityHeadersPropagator = null,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        },
    };

    /// <summary>One connection's fixed parts, used by its task only.</summary>
    private sealed record Connection(HttpMessageInvoker Invoker, Uri Uri, MediaTypeHeaderValue ContentType, IRequestSource Source);
}

/// <summary>The run's phase boundaries (Stopwatch ticks) and shared request-count cap.</summary>
internal sealed class Schedule
{
    /// <summary>Measured requests started so far; only touched when <see cref="MaxRequests"/> is set.</summary>
    public long Issued;

    public Schedule(long startTicks, long nodeStartMs, TimeSpan warmup, TimeSpan duration, TimeSpan requestTimeout, long maxRequests)
    {
        StartTicks = startTicks;
        NodeStartMs = nodeStartMs;
        MeasureStartTicks = startTicks + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        EndTicks = MeasureStartTicks + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        RequestTimeout = requestTimeout;
        MaxRequests = maxRequests;
    }

    public long StartTicks { get; }

    /// <summary>The node's clock (estimated) at <see cref="StartTicks"/>.</summary>
    public long NodeStartMs { get; }

    public long MeasureStartTicks { get; }

    public long EndTicks { get; }

    public TimeSpan RequestTimeout { get; }

    /// <summary>Cap on measured requests; 0 means none.</summary>
    public long MaxRequests { get; }

    /// <summary>The node's clock (estimated) at <paramref name="ticks"/>.</summary>
    public long NodeNowMs(long ticks) => NodeStartMs + ((ticks - StartTicks) * 1000 / Stopwatch.Frequency);
}

/// <summary>One connection's measured counters; owned by its task until the run ends.</summary>
internal sealed class ConnectionResult
{
    /// <summary>Statuses 100–599 by code.</summary>
    public long[] Statuses { get; } = new long[600];

    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public LatencyHistogram Histogram { get; } = new();

    public long BytesReceived { get; set; }

    /// <summary>2xx answers of replicated requests in which some member's entry says <c>"failed":true</c>.</summary>
    public long PartialAnswers { get; set; }

    public long LastCompletionTicks { get; set; }

    public void AddStatus(int status)
    {
        if (status is >= 100 and < 600)
        {
            Statuses[status]++;
        }
        else
        {
            AddError("status_out_of_range");
        }
    }

    public void AddError(string kind) => Errors[kind] = Errors.GetValueOrDefault(kind) + 1;
}

/// <summary>The generator's own CPU time, GC counts and allocations at one instant.</summary>
internal readonly record struct SelfStats(TimeSpan Cpu, int Gen0, int Gen1, int Gen2, long AllocatedBytes, long WorkingSet, long Ticks)
{
    public static SelfStats Read() => new(
        Environment.CpuUsage.TotalTime,
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        GC.GetTotalAllocatedBytes(precise: false),
        Environment.WorkingSet,
        Stopwatch.GetTimestamp());
}
