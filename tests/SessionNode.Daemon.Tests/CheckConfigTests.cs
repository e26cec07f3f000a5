using Microsoft.Extensions.Logging;
using SessionNode.Daemon.Commands;
using SessionNode.Daemon.Configuration;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

public sealed class CheckConfigTests
{
    [Fact]
    public async Task CheckConfig_ValidOptions_ExitsZeroAndPrintsEffectiveConfig()
    {
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, "--https-port", "22021", "--bind-ip", "0.0.0.0");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"Node: DataDir={temp.Path}, BindIp=0.0.0.0, HttpsPort=22021", result.Output);
        Assert.Contains($"Storage: Path={Path.Combine(temp.Path, "storage.db")}", result.Output);
        Assert.EndsWith("Configuration is valid." + Environment.NewLine, result.Output);
    }

    [Theory]
    [InlineData("--https-port", "70000", "HttpsPort")]
    [InlineData("--omq-port", "65536", "PeerPort")]
    [InlineData("--bind-ip", "not-an-ip", "BindIp")]
    [InlineData("--public-ip", "::1", "PublicIp")]
    [InlineData("--log-level", "loud", "loud")]
    [InlineData("--stats-access-key", "abcd", "StatsAccessKeys")]
    [InlineData("--hf", "nineteen", "--hf")]
    [InlineData("--storage-max-bytes", "0", "MaxLogicalBytes")]
    [InlineData("--https-port", "port", "port")]
    public async Task CheckConfig_InvalidValue_ExitsOneAndNamesTheProblem(string option, string value, string mentioned)
    {
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(mentioned, result.Error);
    }

    [Theory]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("err", LogLevel.Error)]
    [InlineData("none", LogLevel.None)]
    [InlineData("Warning", LogLevel.Warning)]
    public async Task CheckConfig_ReferenceLogLevelAliases_AreAccepted(string level, LogLevel expected)
    {
        // The reference's parser (oxen-logging over spdlog) also takes these spellings.
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, "--log-level", level);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("LogLevel=" + level.ToLowerInvariant(), result.Output);
        Assert.True(LogLevelNames.TryParse(level, out var parsed));
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public async Task CheckConfig_MissingDataDir_IsNotCreated()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("not-yet");

        var result = await Cli.RunAsync("check-config", "--data-dir", dataDir);

        Assert.Equal(0, result.ExitCode);
        Assert.False(Directory.Exists(dataDir));
    }

    [Fact]
    public async Task CheckConfig_ReferenceAliases_MapToTheSameKeys()
    {
        var result = await Cli.RunAsync(
            "check-config", "--port", "22031", "--lmq-port", "22029", "--log-level", "DEBUG", "--disable-rate-limit",
            "--hf", "19.3", "--force-start", "--testnet", "--stats-access-key", new string('a', 64), "--stats-access-key", new string('b', 64));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("HttpsPort=22031, PeerPort=22029", result.Output);
        Assert.Contains("ForceStart=True", result.Output);
        Assert.Contains("RateLimitEnabled=False, HardForkMajor=19, HardForkMinor=3", result.Output);
        Assert.Contains("LogLevel=debug, Testnet=True", result.Output);
        Assert.Contains($"StatsAccessKeys=[{new string('a', 64)}, {new string('b', 64)}]", result.Output);
    }

    [Fact]
    public async Task CheckConfig_StatsAccessKeys_SeveralValuesAfterOneFlag()
    {
        // CLI11 vector option: one --stats-access-key takes every value up to the next option.
        using var temp = new TempDirectory();
        var (a, b) = (new string('a', 64), new string('b', 64));

        var result = await Cli.RunAsync("check-config", "--stats-access-key", a, b, "--data-dir", temp.Path);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"StatsAccessKeys=[{a}, {b}]", result.Output);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    public async Task Version_PrintsOurVersionAndTheReferenceVersion(string flag)
    {
        // Without the alias "-v" would be the deprecated positional IP and start a node: check the parse first.
        var root = SessionNodeCli.CreateRootCommand();
        Assert.NotNull(root.Parse([flag]).GetResult(Assert.Single(root.Options.OfType<System.CommandLine.VersionOption>())));

        var result = await Cli.RunAsync(flag);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^SessionNode \d+\.\d+\.\d+\S* \(compatible with Oxen Storage Server 2\.8\.0\)\r?\n$", result.Output);
    }

    [Theory]
    [InlineData]
    [InlineData("run")]
    [InlineData("check-config")]
    public async Task Help_EveryCommand_DescribesEveryOption(params string[] command)
    {
        var result = await Cli.RunAsync([.. command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        string[] options =
        [
            "--data-dir", "--bind-ip", "--https-port", "--port", "--peer-port", "--omq-port", "--lmq-port", "--public-ip",
            "--log-level", "--config-file", "--disable-rate-limit", "--hf", "--storage-max-bytes", "--force-start",
            "--testnet", "--stats-access-key", "--oxend-rpc", "--version",
        ];
        foreach (var option in options.Where(o => command.Length == 0 || o != "--version"))
        {
            Assert.Contains(option, result.Output);
        }
    }

    [Fact]
    public async Task Help_Root_ListsCommandsAndEnvironmentVariables()
    {
        var result = await Cli.RunAsync("--help");

        Assert.Contains("run", result.Output);
        Assert.Contains("check-config", result.Output);
        Assert.Contains("SESSIONNODE__", result.Output);
    }

    [Fact]
    public async Task UnknownOption_ExitsOne()
    {
        var result = await Cli.RunAsync("check-config", "--no-such-option");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--no-such-option", result.Error);
    }
}
