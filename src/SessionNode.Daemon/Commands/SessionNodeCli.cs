using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace SessionNode.Daemon.Commands;

/// <summary>
/// The <c>sessionnode</c> command line: a front end that turns options into configuration layers
/// and hands them to <see cref="Hosting.SessionNodeHost"/>. Each command lives in its own class in
/// this folder; a new command group (e.g. <c>client</c>) is one more <c>root.Add(...)</c> below.
/// </summary>
public static class SessionNodeCli
{
    /// <summary>The reference server version whose client API and operator surface this node follows.</summary>
    public const string CompatibleReferenceVersion = "2.8.0";

    /// <summary>Our version, from the assembly (set in the project file).</summary>
    public static string Version { get; } =
        typeof(SessionNodeCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The text printed by <c>--version</c>.</summary>
    public static string VersionText => $"SessionNode {Version} (compatible with Oxen Storage Server {CompatibleReferenceVersion})";

    /// <summary>Builds the command tree. Running without a command is the same as <c>run</c>.</summary>
    public static RootCommand CreateRootCommand()
    {
        var options = new NodeCommandLineOptions();
        var root = new RootCommand(
            "SessionNode: a Session service-node storage server (HTTPS client API of Oxen Storage Server " + CompatibleReferenceVersion + ").\n" +
            "Settings come from, highest precedence first: command-line options, environment variables " +
            "SESSIONNODE__<Section>__<Key> (e.g. SESSIONNODE__Node__HttpsPort=22021), the config file, built-in defaults. " +
            "[Section:Key] after each option names its configuration key.");
        options.AddTo(root, legacyPositionals: true);
        root.SetAction((result, cancellationToken) => RunCommand.RunAsync(options, result, cancellationToken));

        root.Add(RunCommand.Create(options));
        root.Add(CheckConfigCommand.Create(options));
        root.Add(CheckReachabilityCommand.Create(options));
        root.Add(ClientCommand.Create());
        root.Add(DevnetCommand.Create());

        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersionAction();
            version.Aliases.Add("-v"); // the reference's short form (storage.md §8.1); otherwise a positional IP
        }

        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the chosen command; returns the process exit code.</summary>
    /// <param name="args">Command-line arguments (without the program name).</param>
    /// <param name="output">Standard output; <see cref="Console.Out"/> when null.</param>
    /// <param name="error">Standard error; <see cref="Console.Error"/> when null.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // The generic host handles SIGINT/SIGTERM itself and shuts down gracefully.
            ProcessTerminationTimeout = null,
        };
        return CreateRootCommand().Parse(args).InvokeAsync(configuration, cancellationToken);
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(VersionText);
            return 0;
        }
    }
}
