using System.Diagnostics;

namespace SessionNode.Storage.Tests;

/// <summary>Acknowledged writes survive a real kill -9 of the writing process (WAL without fsync).</summary>
public sealed class CrashSafetyTests
{
    private const int MinimumAcks = 200;

    [Fact]
    public async Task Store_ProcessKilledAfterAcks_EveryAckedMessageSurvives()
    {
        using var f = new StoreFixture();
        f.Store.Dispose();
        var ct = TestContext.Current.CancellationToken;
        var writer = Path.Combine(AppContext.BaseDirectory, "SessionNode.Storage.CrashWriter.dll");
        Assert.True(File.Exists(writer), $"crash writer not built next to the tests: {writer}");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(f.Options.Path);

        var acked = new List<string>();
        using (var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash writer"))
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                while (acked.Count < MinimumAcks)
                {
                    var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                    if (line is null)
                    {
                        Assert.Fail("crash writer exited early: " + await stderr);
                    }
                    if (line.StartsWith("ack ", StringComparison.Ordinal))
                    {
                        acked.Add(line[4..]);
                    }
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true); // SIGKILL: no flush, no close
            }

            await process.WaitForExitAsync(ct);

            // Acks printed before the kill landed count too; a final line without '\n' may be torn.
            var rest = await process.StandardOutput.ReadToEndAsync(ct);
            var lines = rest.Split('\n');
            foreach (var line in lines.AsSpan(0, lines.Length - 1))
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acked.Add(line[4..]);
                }
            }

            Assert.NotEqual(0, process.ExitCode);
        }

        f.Reopen();
        var missing = acked.Where(h => f.Store.GetByHash(h) is null).ToList();
        Assert.Empty(missing);
        Assert.True(f.Store.MessageCount >= acked.Count);
        Assert.Equal(f.Store.MessageCount, f.Store.EnumerateMessages(_ => true).LongCount());
    }
}
