using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Daemon.Hosting;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary>The log file in the data folder (storage.md §8.3, §8.7).</summary>
public sealed class LogFileTests
{
    [Fact]
    public async Task RunningNode_LogsToStorageLogsInTheDataDir()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("data");

        string publicKey;
        await using (var node = await TestNode.StartAsync(new TestNodeOptions { DataDir = dataDir, LogLevel = "info" }, TestContext.Current.CancellationToken))
        {
            publicKey = node.PublicKeyHex;
        }

        var text = await File.ReadAllTextAsync(Path.Combine(dataDir, "storage.logs"), TestContext.Current.CancellationToken);
        Assert.Contains("[info] SessionNode.Daemon.Hosting.NodeStartupService: Starting ", text);
        Assert.Contains("v2.8.0; sw=", text); // the status line (swarm.md §15.3)
        Assert.Contains($"address {SessionNode.Protocol.ZBase32.Encode(Convert.FromHexString(publicKey))}.snode", text); // storage.md §8.4 step 3
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, "storage.logs")));
        }
    }

    [Fact]
    public async Task CheckConfig_WritesNoLogFile()
    {
        using var temp = new TempDirectory();

        var result = await Cli.RunAsync("check-config", "--data-dir", temp.Path);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.False(File.Exists(Path.Combine(temp.Path, "storage.logs")));
    }

    [Fact]
    public void Provider_AppendsAtOpen_RotatesToOnePredecessor()
    {
        using var temp = new TempDirectory();
        var current = Path.Combine(temp.Path, "storage.logs");
        var rotated = Path.Combine(temp.Path, "storage.1.logs");
        File.WriteAllText(current, "earlier run\n");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        using (var provider = new FileLoggerProvider(temp.Path, clock, maxBytes: 200))
        {
            var logger = provider.CreateLogger("cat");
            logger.LogInformation("first");
            Assert.Equal("earlier run\n2026-11-26 12:00:00.000 [info] cat: first\n", File.ReadAllText(current)); // no rotation at open

            for (var i = 0; i < 10; i++)
            {
                logger.LogWarning("line {I}", i);
            }
        }

        Assert.True(new FileInfo(current).Length <= 200);
        Assert.True(new FileInfo(rotated).Length <= 200);
        var lines = File.ReadAllLines(rotated).Concat(File.ReadAllLines(current)).ToArray();
        Assert.Equal("2026-11-26 12:00:00.000 [warning] cat: line 9", lines[^1]);
        Assert.DoesNotContain("earlier run", lines); // only one predecessor is kept
        Assert.Equal(Enumerable.Range(10 - lines.Length, lines.Length).Select(i => i), lines.Select(l => int.Parse(l[^1..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Provider_FileCannotBeOpened_TurnsItselfOff()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Path, "storage.logs")); // a folder where the file should be
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            using var provider = new FileLoggerProvider(temp.Path, TimeProvider.System);
            var logger = provider.CreateLogger("cat");
            logger.LogError("one");
            logger.LogError("two");
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("file logging", error.ToString());
    }
}
