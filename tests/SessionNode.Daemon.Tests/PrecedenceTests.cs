using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary>Tests that set SESSIONNODE__ environment variables run alone: the environment is process-wide.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class PrecedenceTests
{
    private const string Variable = "SESSIONNODE__Storage__MaxLogicalBytes";

    [Fact]
    public async Task Environment_OverridesFile_CommandLineOverridesEnvironment()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        await File.WriteAllTextAsync(file, "storage-max-bytes=1000\n", TestContext.Current.CancellationToken);
        try
        {
            Assert.Contains("MaxLogicalBytes=1000,", (await Cli.RunAsync("check-config", "--config-file", file)).Output);

            Environment.SetEnvironmentVariable(Variable, "2000");
            Assert.Contains("MaxLogicalBytes=2000,", (await Cli.RunAsync("check-config", "--config-file", file)).Output);

            var result = await Cli.RunAsync("check-config", "--config-file", file, "--storage-max-bytes", "3000");
            Assert.Contains("MaxLogicalBytes=3000,", result.Output);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public async Task Environment_InvalidValue_ExitsOne()
    {
        try
        {
            Environment.SetEnvironmentVariable("SESSIONNODE__Node__HttpsPort", "many");

            var result = await Cli.RunAsync("check-config");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("Node:HttpsPort", result.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SESSIONNODE__Node__HttpsPort", null);
        }
    }
}
