using SessionNode.Daemon.Commands;

namespace SessionNode.Daemon.Tests;

/// <summary>Runs the <c>sessionnode</c> command line in-process and captures its output.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SessionNodeCli.InvokeAsync(args, output, error, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error);
