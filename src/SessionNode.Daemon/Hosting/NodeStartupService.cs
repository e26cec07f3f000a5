using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Crypto;
using SessionNode.Daemon.Configuration;

namespace SessionNode.Daemon.Hosting;

/// <summary>
/// First step of every start, before any listener opens: logs the effective configuration and the
/// front end's warnings, then loads (or creates) the node key and the HTTPS certificate. (The data
/// folder already exists: <see cref="SessionNodeHost.Build(NodeConfigurationSources, TimeProvider?)"/> creates it.)
/// </summary>
internal sealed partial class NodeStartupService : IHostedLifecycleService
{
    private readonly IServiceProvider _services;
    private readonly NodeFiles _files;
    private readonly NodeConfigurationSources _sources;
    private readonly IOptions<DaemonOptions> _daemonOptions;
    private readonly ILogger _logger;

    public NodeStartupService(
        IServiceProvider services,
        NodeFiles files,
        NodeConfigurationSources sources,
        IOptions<DaemonOptions> daemonOptions,
        ILogger<NodeStartupService> logger)
    {
        _services = services;
        _files = files;
        _sources = sources;
        _daemonOptions = daemonOptions;
        _logger = logger;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        LogStarting(Commands.SessionNodeCli.VersionText);
        if (_sources.ConfigFilePath is { } file)
        {
            LogConfigFile(file);
        }

        foreach (var warning in _sources.Warnings)
        {
            LogConfigWarning(warning);
        }

        foreach (var (section, settings) in EffectiveConfiguration.Describe(_services))
        {
            LogConfiguration(section, settings);
        }

        var daemon = _daemonOptions.Value;
        if (daemon.Testnet)
        {
            LogTestnetUnsupported();
        }

        _ = _services.GetRequiredService<Ed25519KeyPair>();
        _ = _files.Certificate;
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting {Version}")]
    private partial void LogStarting(string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Config file: {Path}")]
    private partial void LogConfigFile(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    private partial void LogConfigWarning(string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration {Section}: {Settings}")]
    private partial void LogConfiguration(string section, string settings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Testnet mode is not supported; running with mainnet rules")]
    private partial void LogTestnetUnsupported();

}
