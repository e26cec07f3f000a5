using SessionNode.Daemon.Configuration;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

public sealed class ConfigFileTests
{
    [Fact]
    public void Parse_ReferenceFormat_ReadsEntriesSkipsCommentsAndSections()
    {
        const string Text = "# comment\r\n; also a comment\n\n[storage]\n  https-port = 22021 \r\ndata-dir=\"/var/lib/oxen/storage\"\nforce-start\nIP=0.0.0.0\n";

        var entries = ReferenceConfigFile.Parse(Text);

        Assert.Equal(
            [
                new ConfigFileEntry(5, "https-port", "22021"),
                new ConfigFileEntry(6, "data-dir", "/var/lib/oxen/storage"),
                new ConfigFileEntry(7, "force-start", "true"),
                new ConfigFileEntry(8, "ip", "0.0.0.0"),
            ],
            entries);
    }

    [Fact]
    public void Parse_InlineComments_AreCutLikeCli11()
    {
        var entries = ReferenceConfigFile.Parse("https-port=22025 # client port\nforce-start # debugging only\n");

        Assert.Equal([new ConfigFileEntry(1, "https-port", "22025"), new ConfigFileEntry(2, "force-start", "true")], entries);
    }

    [Theory]
    [InlineData("[k1,k2]")]
    [InlineData("k1, k2")]
    [InlineData("k1 k2")]
    [InlineData("[\"k1\", \"k2\"]")]
    public void SplitValues_Cli11ArrayForms_GiveEachValue(string value)
    {
        Assert.Equal(["k1", "k2"], ReferenceConfigFile.SplitValues(value));
    }

    [Fact]
    public async Task CheckConfig_ReferenceFileQuirks_CommentsArraysAndFirstValueWins()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        var (a, b, c) = (new string('a', 64), new string('b', 64), new string('c', 64));
        await File.WriteAllTextAsync(
            file,
            $"https-port=22025 # client port\nstats-access-key=[{a},{b}]\nstats-access-key={c}\nport=22026\nlmq-port=22024\n",
            TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, "--config-file", file);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("HttpsPort=22025, PeerPort=22024", result.Output);
        Assert.Contains($"StatsAccessKeys=[{a}, {b}, {c}]", result.Output); // consecutive lines of a list option add up
        Assert.Contains($"{file}:4: 'port' was already set earlier in the file; this line is ignored.", result.Error);
    }

    [Fact]
    public async Task CheckConfig_OxendRpcHttpAddress_SelectsOxendMembership()
    {
        // storage.md §8.1 --oxend-rpc: with an http(s) address the node follows that oxend.
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, "--oxend-rpc", "http://127.0.0.1:22025");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Mode=Oxend", result.Output);
        Assert.Contains("OxendRpcUrl=http://127.0.0.1:22025", result.Output);
    }

    [Fact]
    public async Task CheckConfig_OxendRpcOxenMqAddress_WarnsAndKeepsMembership()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        await File.WriteAllTextAsync(file, "oxend-rpc=ipc:///var/lib/oxen/oxend.sock\n", TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, "--config-file", file);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Mode=Standalone", result.Output);
        Assert.Contains("'ipc:///var/lib/oxen/oxend.sock' is an OxenMQ address", result.Error);
    }

    [Fact]
    public async Task CheckConfig_RepeatedListOptionAfterAnotherLine_FirstGroupWins()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        var (a, b) = (new string('a', 64), new string('b', 64));
        await File.WriteAllTextAsync(file, $"stats-access-key={a}\nforce-start=1\nstats-access-key={b}\n", TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path, "--config-file", file);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"StatsAccessKeys=[{a}]", result.Output);
    }

    [Theory]
    [InlineData("1", "true")]
    [InlineData("TRUE", "true")]
    [InlineData("0", "false")]
    [InlineData("false", "false")]
    [InlineData("maybe", "maybe")]
    public void NormalizeFlag_ReferenceSpellings_MapToBooleans(string value, string expected)
    {
        Assert.Equal(expected, ReferenceConfigFile.NormalizeFlag(value));
    }

    [Fact]
    public async Task CheckConfig_ReferenceFile_AppliesValuesAndWarnsAboutUnknownKeys()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        await File.WriteAllTextAsync(
            file,
            $"# reference format\nhttps-port=22025\nlmq-port=22024\ndata-dir={temp.Path}\nlog-level=debug\nforce-start=1\nip=0.0.0.0\n",
            TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--config-file", file);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"Node: DataDir={temp.Path}, BindIp=127.0.0.1, HttpsPort=22025, PeerPort=22024", result.Output);
        Assert.Contains("ForceStart=True", result.Output);
        Assert.Contains("LogLevel=debug", result.Output);
        Assert.Contains($"Config file: {file}", result.Output);
        Assert.Contains($"{file}:7: unknown option 'ip' ignored", result.Error);
    }

    [Fact]
    public async Task CheckConfig_CommandLine_OverridesFile()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        await File.WriteAllTextAsync(file, "https-port=22025\nbind-ip=0.0.0.0\n", TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--config-file", file, "--https-port", "23000");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("BindIp=0.0.0.0, HttpsPort=23000", result.Output);
    }

    [Fact]
    public async Task CheckConfig_MissingExplicitFile_ExitsOne()
    {
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("check-config", "--config-file", temp.Combine("nope.conf"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Error);
    }

    [Theory]
    [InlineData("https-port=abc\n", "abc")]
    [InlineData("log-level=chatty\n", "chatty")]
    [InlineData("force-start=perhaps\n", "perhaps")]
    [InlineData("https-port=70000\n", "HttpsPort")]
    public async Task CheckConfig_InvalidFileValue_ExitsOne(string text, string mentioned)
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("storage-server.conf");
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--config-file", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(mentioned, result.Error);
    }

    [Fact]
    public async Task CheckConfig_JsonFile_BindsSections()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("appsettings.json");
        await File.WriteAllTextAsync(
            file,
            """{ "Node": { "HttpsPort": 22040, "PublicIp": "203.0.113.7" }, "Https": { "MaxConnections": 500 } }""",
            TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--config-file", file);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("HttpsPort=22040", result.Output);
        Assert.Contains("PublicIp=203.0.113.7", result.Output);
        Assert.Contains("MaxConnections=500", result.Output);
    }

    [Theory]
    [InlineData("""{ "Https": { "ShutdownTimeout": "-00:00:01" } }""", "Https:ShutdownTimeout")]
    [InlineData("""{ "Https": { "MaxConnections": 0 } }""", "Https:MaxConnections")]
    [InlineData("""{ "Https": { "KeepAliveTimeout": "soon" } }""", "KeepAliveTimeout")]
    [InlineData("""{ "Daemon": { "LogLevel": "verbose" } }""", "verbose")]
    [InlineData("""{ "Storage": { "SweepInterval": "00:00:00" } }""", "Storage:SweepInterval")]
    public async Task CheckConfig_InvalidJsonValue_ExitsOneAndNamesTheKey(string json, string mentioned)
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("appsettings.json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--config-file", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(mentioned, result.Error);
        Assert.DoesNotContain("Unhandled exception", result.Error);
    }

    [Fact]
    public async Task CheckConfig_MalformedJsonFile_ExitsOne()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("appsettings.json");
        await File.WriteAllTextAsync(file, "{ \"Node\": ", TestContext.Current.CancellationToken);

        var result = await Cli.RunAsync("check-config", "--config-file", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(file, result.Error);
        Assert.DoesNotContain("Unhandled exception", result.Error);
    }

    [Theory]
    [InlineData("storage-server.conf")]
    [InlineData("appsettings.sample.json")]
    public async Task CheckConfig_DeploySamples_AreValid(string sample)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "deploy", sample);

        var result = await Cli.RunAsync("check-config", "--config-file", path);

        Assert.True(result.ExitCode == 0, result.Error);
    }
}
