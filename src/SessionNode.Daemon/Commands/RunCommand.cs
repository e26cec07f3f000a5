using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using SessionNode.Daemon.Hosting;

namespace SessionNode.Daemon.Commands;

/// <summary><c>sessionnode run</c>: starts the node and serves until SIGINT/SIGTERM.</summary>
internal static class RunCommand
{
    /// <summary>Exit code when the node cannot start (bad configuration, port in use, unreadable files).</summary>
    public const int StartupFailed = 1;

    public static Command Create(NodeCommandLineOptions options)
    {
        var command = new Command("run", "Run the node (the default when no command is given). Stops cleanly on SIGINT/SIGTERM with exit code 0.");
        options.AddTo(command, legacyPositionals: true);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(NodeCommandLineOptions options, ParseResult result, CancellationToken cancellationToken)
    {
        var error = result.InvocationConfiguration.Error;
        Configuration.NodeConfigurationSources sources;
        try
        {
            sources = ConfigurationLoader.Load(options, result);
        }
        catch (ConfigFileException e)
        {
            await error.WriteLineAsync($"sessionnode: {e.Message}");
            return StartupFailed;
        }

        WebApplication? app = null;
        try
        {
            app = await SessionNodeHost.BuildAsync(sources, timeProvider: null, cancellationToken);
            await app.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGINT/SIGTERM while waiting for oxend's keys (swarm.md §1): a clean stop before the start.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            return 0;
        }
        catch (Exception e)
        {
            // Invalid settings, a malformed JSON file, a busy port, an unreadable key or certificate
            // all end here: the operator gets the reasons on one line, not a stack trace.
            await error.WriteLineAsync($"sessionnode: startup failed: {StartupErrors.Describe(e)}");
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            return StartupFailed;
        }

        await using var disposeApp = app;
        await app.WaitForShutdownAsync(cancellationToken);
        return Environment.ExitCode;
    }
}
