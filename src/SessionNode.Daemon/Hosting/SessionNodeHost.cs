using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Core;
using SessionNode.Daemon.Configuration;
using SessionNode.Rpc;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Daemon.Hosting;

/// <summary>
/// Composes the node: configuration layers, options and validators, the libraries' services, the
/// Kestrel client HTTPS listener and the routes. The <c>sessionnode</c> executable and the test
/// harness both start nodes through <see cref="Build(NodeConfigurationSources, TimeProvider?)"/>.
/// Building creates the data folder (and may open the store and key, if route mapping resolves
/// handlers); the certificate is loaded and the listener bound when the application starts.
/// </summary>
public static class SessionNodeHost
{
    /// <summary>Prefix of environment variables that set configuration keys: <c>SESSIONNODE__Node__HttpsPort</c>.</summary>
    public const string EnvironmentPrefix = "SESSIONNODE__";

    /// <summary>Database folder name inside the data folder when <c>Storage:Path</c> is not set.</summary>
    public const string DefaultStorageFolder = "storage.db";

    /// <summary>Builds a node from <paramref name="settings"/> (configuration keys such as <c>Node:HttpsPort</c>), which override every other source.</summary>
    /// <param name="settings">Highest-precedence settings (tests pass port 0 and a temporary data folder here).</param>
    /// <param name="timeProvider">Clock for the whole node; <see cref="TimeProvider.System"/> when null.</param>
    public static WebApplication Build(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? timeProvider = null) =>
        Build(new NodeConfigurationSources { CommandLine = settings ?? new Dictionary<string, string?>() }, timeProvider);

    /// <summary>
    /// Builds a node as <see cref="Build(NodeConfigurationSources, TimeProvider?)"/> does, first taking its keys
    /// from oxend when the configuration says so (Network:Mode oxend with Network:OxendKeys, swarm.md §1): that
    /// waits, retrying, until oxend answers or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="sources">Config file and command-line layers (environment variables are read here).</param>
    /// <param name="timeProvider">Clock for the whole node; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="cancellationToken">Aborts the wait for oxend (SIGINT/SIGTERM).</param>
    public static async Task<WebApplication> BuildAsync(NodeConfigurationSources sources, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        OxendNodeKeys? keys;
        using (var configuration = BuildConfiguration(sources))
        {
            var network = new NetworkOptions();
            configuration.GetSection(NetworkOptions.SectionName).Bind(network);
            if (network.Mode != NetworkMode.Oxend || !network.OxendKeys
                || !NetworkOptions.IsOxendRpcUrl(network.OxendRpcUrl))
            {
                // Not from oxend, or settings the node's validation refuses at start with its own message.
                return Build(sources, timeProvider);
            }

            using var loggers = LoggerFactory.Create(logging => ConfigureLogging(logging, configuration));
            keys = await OxendKeyFetcher.FetchAsync(network, timeProvider ?? TimeProvider.System, loggers.CreateLogger(typeof(OxendKeyFetcher).FullName!), cancellationToken);
        }

        try
        {
            return Build(sources, timeProvider, keys);
        }
        catch
        {
            keys.Ed25519.Dispose();
            throw;
        }
    }

    /// <summary>Builds a node from the front end's configuration layers.</summary>
    /// <param name="sources">Config file and command-line layers (environment variables are read here).</param>
    /// <param name="timeProvider">Clock for the whole node; <see cref="TimeProvider.System"/> when null.</param>
    public static WebApplication Build(NodeConfigurationSources sources, TimeProvider? timeProvider = null) => Build(sources, timeProvider, keys: null);

    private static WebApplication Build(NodeConfigurationSources sources, TimeProvider? timeProvider, OxendNodeKeys? keys)
    {
        var app = BuildWithoutRoutes(sources, timeProvider, keys, running: true);
        // Mapping the Rpc routes may resolve their handlers and so open the message store inside
        // the data folder: create the folder first, owner-only (the store would create it 0755).
        app.Services.GetRequiredService<NodeFiles>().EnsureDataDir();
        app.MapMethods("/health", ["GET", "HEAD"], WriteHealthAsync);
        app.MapSessionNodeRpc();
        return app;
    }

    /// <summary>
    /// The node with all services but no routes, for <c>check-config</c>: mapping endpoints may
    /// resolve their handlers (and so the key and the store), which a configuration check must not.
    /// </summary>
    /// <param name="sources">Config file and command-line layers.</param>
    /// <param name="timeProvider">Clock for the whole node; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="keys">The node's keys when they came from oxend; null: the data folder's key file.</param>
    /// <param name="running">
    /// A node that will run, not a configuration check: also log to <c>storage.logs</c> in the data folder and
    /// notify systemd.
    /// </param>
    internal static WebApplication BuildWithoutRoutes(NodeConfigurationSources sources, TimeProvider? timeProvider, OxendNodeKeys? keys = null, bool running = false)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "sessionnode" });
        AddConfiguration(builder.Configuration, sources);
        ConfigureLogging(builder.Logging, builder.Configuration);
        if (running)
        {
            // storage.md §8.7: console and <data dir>/storage.logs; the container disposes the provider at exit.
            var dataDir = builder.Configuration[$"{NodeOptions.SectionName}:{nameof(NodeOptions.DataDir)}"] ?? new NodeOptions().DataDir;
            builder.Logging.Services.AddSingleton<ILoggerProvider>(sp => new FileLoggerProvider(dataDir, sp.GetRequiredService<TimeProvider>()));
        }

        var services = builder.Services;
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }
        else
        {
            services.TryAddSingleton(TimeProvider.System);
        }

        services.AddSingleton(sources);
        AddOptions(services, builder.Configuration);

        services.AddSingleton<NodeFiles>();
        if (keys is null)
        {
            services.AddSingleton(sp => sp.GetRequiredService<NodeFiles>().LoadKey());
        }
        else
        {
            // A factory, not an instance: the container disposes what its factories made.
            services.AddSingleton(_ => keys.Ed25519);
            services.AddSingleton(new NodeLegacyKey(keys.LegacyPublicKey));
        }

        // First hosted service: its StartingAsync runs before every other service starts.
        services.AddHostedService<NodeStartupService>();
        services.AddSingleton<NativeHeapTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<NativeHeapTrimmer>());

        services.AddSessionNodeStorage(builder.Configuration);
        services.AddSessionNodeRpc(builder.Configuration);
        if (running)
        {
            // READY=1, then WATCHDOG=1 and the status line every 10 s, under systemd Type=notify (storage.md §8.4).
            services.AddSingleton(sp => new SystemdNotifier(
                Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
                () => StatusLine.Current(sp),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SystemdNotifier>>()));
            services.AddHostedService(sp => sp.GetRequiredService<SystemdNotifier>());
        }

        // The OTel SDK lives only here (STYLE.md §8): libraries publish instruments under "SessionNode.*".
        // No exporter is configured yet; one line here adds OTLP or Prometheus.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("SessionNode.*"));

        services.AddRouting();
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<NodeOptions>, IOptions<HttpsOptions>, NodeFiles>(ConfigureKestrel);
        services.AddOptions<HostOptions>()
            .Configure<IOptions<HttpsOptions>>((host, https) =>
            {
                if (TryGetValid(https, out var value))
                {
                    host.ShutdownTimeout = value.ShutdownTimeout;
                }
            });

        return builder.Build();
    }

    /// <summary>The node's configuration from <paramref name="sources"/> and the environment, without building a node (operator commands).</summary>
    internal static ConfigurationManager BuildConfiguration(NodeConfigurationSources sources)
    {
        var configuration = new ConfigurationManager();
        AddConfiguration(configuration, sources);
        return configuration;
    }

    private static void AddConfiguration(ConfigurationManager configuration, NodeConfigurationSources sources)
    {
        // Lowest precedence first; see NodeConfigurationSources.
        if (sources.JsonFile is { } json)
        {
            configuration.AddJsonFile(json, optional: false, reloadOnChange: false);
        }

        configuration.AddInMemoryCollection(sources.File);
        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddInMemoryCollection(sources.CommandLine);

        // The database lives in the data folder: a relative Storage:Path (or the default) is resolved against it.
        var dataDir = configuration[$"{NodeOptions.SectionName}:{nameof(NodeOptions.DataDir)}"] ?? new NodeOptions().DataDir;
        var storageKey = $"{MessageStoreOptions.SectionName}:{nameof(MessageStoreOptions.Path)}";
        var storagePath = configuration[storageKey];
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [storageKey] = Path.Combine(dataDir, string.IsNullOrEmpty(storagePath) ? DefaultStorageFolder : storagePath),
        });
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ConfigurationManager configuration)
    {
        // An invalid level fails DaemonOptions validation at start; log at Information until then.
        var level = LogLevelNames.TryParse(configuration[$"{DaemonOptions.SectionName}:{nameof(DaemonOptions.LogLevel)}"] ?? new DaemonOptions().LogLevel, out var parsed)
            ? parsed
            : LogLevel.Information;
        logging.SetMinimumLevel(level);
        // ASP.NET Core logs every request at Information; the node logs lifecycle only at that level
        // (STYLE.md §8), so framework request logs appear from Debug on.
        logging.AddFilter("Microsoft.AspNetCore", level >= LogLevel.Information ? (LogLevel)Math.Max((int)level, (int)LogLevel.Warning) : level);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
    }

    /// <summary>The Daemon's own sections; "Node" and "Rpc" are bound and validated by AddSessionNodeRpc, "Storage" by AddSessionNodeStorage.</summary>
    private static void AddOptions(IServiceCollection services, ConfigurationManager configuration)
    {
        services.AddOptions<DaemonOptions>().Bind(configuration.GetSection(DaemonOptions.SectionName)).ValidateOnStart();
        services.AddOptions<HttpsOptions>().Bind(configuration.GetSection(HttpsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaemonOptions>, DaemonOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpsOptions>, HttpsOptionsValidator>());
    }

    private static void ConfigureKestrel(KestrelServerOptions kestrel, IOptions<NodeOptions> nodeOptions, IOptions<HttpsOptions> httpsOptions, NodeFiles files)
    {
        if (!TryGetValid(nodeOptions, out var node) || !TryGetValid(httpsOptions, out var https))
        {
            return;
        }

        // Rpc writes "Server: Oxen Storage Server/<version>" itself (client-rpc.md §2.1).
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = Limits.MaxRequestBody;
        kestrel.Limits.MaxConcurrentConnections = https.MaxConnections;
        kestrel.Limits.MaxConcurrentUpgradedConnections = https.MaxConnections;
        kestrel.Limits.KeepAliveTimeout = https.KeepAliveTimeout;
        kestrel.Limits.RequestHeadersTimeout = https.RequestHeadersTimeout;
        kestrel.Listen(IPAddress.Parse(node.BindIp), node.HttpsPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            // Selected per handshake so the certificate is loaded (or created) at start, not at build.
            listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => files.Certificate });
        });
    }

    /// <summary>
    /// Reads options for the server and host settings, which WebApplication creates while it is
    /// built, before the host validates options on start. Invalid settings are left to that
    /// validation (it reports them all, and check-config relies on it), so here they yield false.
    /// </summary>
    private static bool TryGetValid<T>(IOptions<T> options, out T value)
        where T : class
    {
        try
        {
            value = options.Value;
            return true;
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            value = null!;
            return false;
        }
    }

    private static Task WriteHealthAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync("ok", context.RequestAborted);
    }
}
