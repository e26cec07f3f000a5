using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Core;

namespace SessionNode.Storage.Tests;

public sealed class ExpirySweeperTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sweeper_ClockAdvancedByInterval_DeletesExpiredMessages()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Path.Combine(Path.GetTempPath(), "sessionnode-sweeper-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(StoreFixture.StartMs));
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Path"] = dir,
                ["Storage:SweepInterval"] = "00:00:30",
            });
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSessionNodeStorage(builder.Configuration);
            using var host = builder.Build();
            await host.StartAsync(ct);

            var store = host.Services.GetRequiredService<MessageStore>();
            var sweeper = host.Services.GetServices<IHostedService>().OfType<ExpirySweeper>().Single();
            Assert.Equal(TimeSpan.FromSeconds(30), host.Services.GetRequiredService<IOptions<MessageStoreOptions>>().Value.SweepInterval);
            await PollAsync(() => sweeper.SweepCount >= 1, ct); // the start-up sweep

            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            store.Store(Accounts.Ef, Namespace.Default, "soon", now, now + 1_000, "x"u8);
            store.Store(Accounts.Ef, Namespace.Default, "later", now, now + 60_000, "x"u8);
            Assert.Equal(2, store.MessageCount);

            clock.Advance(TimeSpan.FromSeconds(29));
            Assert.Equal(2, store.MessageCount); // expired, hidden, but not swept before the interval
            Assert.Null(store.GetByHash("soon"));

            clock.Advance(TimeSpan.FromSeconds(1));
            await PollAsync(() => store.MessageCount == 1, ct);
            Assert.NotNull(store.GetByHash("later"));

            await host.StopAsync(ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Sweeper_StoreFailure_LogsCriticalAndStopsHost()
    {
        var ct = TestContext.Current.CancellationToken;
        using var f = new StoreFixture();
        f.Store.Dispose(); // every sweep now throws
        var lifetime = new FakeLifetime();
        var logger = new CapturingLogger();
        using var sweeper = new ExpirySweeper(f.Store, Options.Create(f.Options), f.Clock, lifetime, logger);

        await sweeper.StartAsync(ct);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sweeper.ExecuteTask!.WaitAsync(Deadline, ct));

        Assert.True(lifetime.StopRequested);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Critical && e.Exception is ObjectDisposedException);
    }

    [Fact]
    public async Task AddSessionNodeStorage_InvalidOptions_FailsOnStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = "",
            ["Storage:MaxLogicalBytes"] = "-1",
            ["Storage:SweepInterval"] = "00:00:00",
        });
        builder.Services.AddSessionNodeStorage(builder.Configuration);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(ex.Failures, m => m.Contains("Path", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, m => m.Contains("MaxLogicalBytes", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, m => m.Contains("SweepInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void AddSessionNodeStorage_Defaults_BindLikeTheSpec()
    {
        var services = new ServiceCollection();
        services.AddSessionNodeStorage(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<MessageStoreOptions>>().Value;
        Assert.Equal("storage", options.Path);
        Assert.Equal(3_758_096_384, options.MaxLogicalBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SweepInterval);
        Assert.True(options.BlockCacheBytes + options.WriteBufferBytes <= 256L * 1024 * 1024);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    /// <summary>Waits for a condition set by another thread; spins and yields, never sleeps.</summary>
    private static async Task PollAsync(Func<bool> condition, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            ct.ThrowIfCancellationRequested();
            Assert.True(watch.Elapsed < Deadline, "condition not reached before the deadline");
            await Task.Yield();
        }
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        public bool StopRequested { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => StopRequested = true;
    }

    private sealed class CapturingLogger : ILogger<ExpirySweeper>
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, exception));
            }
        }
    }
}
