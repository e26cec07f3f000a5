using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using SessionNode.Daemon.Hosting;

namespace SessionNode.Daemon.Commands;

/// <summary>
/// <c>sessionnode check-config</c>: builds the node exactly as <c>run</c> would, runs every options
/// validator, prints the effective configuration, and exits 0 (valid) or 1 (invalid) without
/// opening listeners, the database or the key files.
/// </summary>
internal static class CheckConfigCommand
{
    public const int Invalid = 1;

    public static Command Create(NodeCommandLineOptions options)
    {
        var command = new Command(
            "check-config",
            "Validate the configuration (options, environment, config file) and print the effective settings. " +
            "Opens no listener, database or key file. Exit code 0 when valid, 1 otherwise.");
        options.AddTo(command, legacyPositionals: false);
        command.SetAction((result, cancellationToken) => CheckAsync(options, result));
        return command;
    }

    private static async Task<int> CheckAsync(NodeCommandLineOptions options, ParseResult result)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        Configuration.NodeConfigurationSources sources;
        try
        {
            sources = ConfigurationLoader.Load(options, result);
        }
        catch (ConfigFileException e)
        {
            await error.WriteLineAsync($"Configuration is invalid: {e.Message}");
            return Invalid;
        }

        foreach (var warning in sources.Warnings)
        {
            await error.WriteLineAsync($"warning: {warning}");
        }

        WebApplication app;
        try
        {
            app = SessionNodeHost.BuildWithoutRoutes(sources, timeProvider: null);
        }
        catch (Exception e)
        {
            // E.g. a malformed JSON config file, which fails while the configuration is built.
            await error.WriteLineAsync($"Configuration is invalid: {StartupErrors.Describe(e)}");
            return Invalid;
        }

        await using var disposeApp = app;
        var problems = EffectiveConfiguration.Validate(app.Services);
        if (problems.Count > 0)
        {
            await error.WriteLineAsync("Configuration is invalid:");
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"  - {problem}");
            }

            return Invalid;
        }

        if (sources.ConfigFilePath is { } file)
        {
            await output.WriteLineAsync($"Config file: {file}");
        }

        foreach (var (section, settings) in EffectiveConfiguration.Describe(app.Services))
        {
            await output.WriteLineAsync($"{section}: {settings}");
        }

        await output.WriteLineAsync("Configuration is valid.");
        return 0;
    }
}
