using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using SessionNode.Client;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary>
/// Runs the real <c>sessionnode devnet</c> as a child process (which starts its nodes as its own children) and
/// drives it through its stdin commands, checking the network through the typed client.
/// </summary>
public sealed class DevnetTests
{
    /// <summary>Generous for three cold node starts on a loaded 2-core CI machine; a healthy start takes seconds.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Devnet_ThreeNodesOneSwarm_ReplicatesAddsAndRemovesNodesAndQuitsCleanly()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "child processes are found through /proc");
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        var dir = temp.Combine("net");
        using var devnet = new DevnetProcess(dir);
        var children = new HashSet<int>();
        try
        {
            await devnet.ExpectLineAsync(l => l.StartsWith("Commands:", StringComparison.Ordinal), ct);

            // The network file: three nodes of swarm 0 on loopback, distinct keys and ports, each key in its data folder.
            var nodes = ReadNetworkFile(Path.Combine(dir, "network.json"));
            Assert.Equal(3, nodes.Count);
            Assert.All(nodes, n =>
            {
                Assert.Matches("^[0-9a-f]{64}$", n.Ed25519Hex);
                Assert.Equal("127.0.0.1", n.Ip);
                Assert.Equal(0UL, n.SwarmId);
                Assert.InRange(n.HttpsPort, 1, 65535);
                Assert.InRange(n.PeerPort, 1, 65535);
            });
            Assert.Equal(3, nodes.Select(n => n.Ed25519Hex).Distinct().Count());
            Assert.Equal(6, nodes.SelectMany(n => new[] { n.HttpsPort, n.PeerPort }).Distinct().Count());
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(32, new FileInfo(Path.Combine(dir, "node-" + i.ToString(CultureInfo.InvariantCulture), "key_ed25519")).Length);
            }

            children.UnionWith(await WaitForChildrenAsync(devnet.Pid, 3, ct));

            using var alice = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));
            var clients = nodes.Select(n => Client(n.HttpsPort)).ToList();
            try
            {
                // Every node has read the network file: each lists the same three members for the account.
                foreach (var client in clients)
                {
                    await WaitForSwarmAsync(client, alice, nodes, ct);
                }

                // Cold processes on a loaded machine may answer a node's very first peer call late (it is then
                // reported failed and queued, which is correct); warm every path with another account first.
                using (var warm = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32)))
                {
                    foreach (var client in clients)
                    {
                        await StoreUntilAllSucceededAsync(client, warm, ct);
                    }
                }

                // A store on node 0 is answered after all three members stored it; the other two serve it.
                var data = RandomNumberGenerator.GetBytes(64);
                var stored = await clients[0].StoreAsync(alice, data, ttl: TimeSpan.FromHours(1), cancellationToken: ct);
                Assert.True(stored.HashMatches);
                Assert.True(stored.AllSucceeded);
                Assert.True(stored.SignaturesValid);
                Assert.Equal(nodes.Select(n => n.Ed25519Hex).Order(StringComparer.Ordinal), stored.Swarm.Keys.Order(StringComparer.Ordinal));
                foreach (var client in clients.Skip(1))
                {
                    var retrieved = await client.RetrieveAsync(alice, cancellationToken: ct);
                    var message = Assert.Single(retrieved.Messages);
                    Assert.Equal(stored.Hash, message.Hash);
                    Assert.Equal(data, message.Data.ToArray());
                }

                // add: a fourth process joins swarm 0 and every member follows the rewritten network file.
                await devnet.SendAsync("add 0");
                await devnet.ExpectLineAsync(l => l == "added node 3 in swarm 0", ct);
                var four = ReadNetworkFile(Path.Combine(dir, "network.json"));
                Assert.Equal(4, four.Count);
                Assert.Equal(nodes, four.Take(3));
                var added = four[3];
                Assert.Equal(0UL, added.SwarmId);
                var newChildren = await WaitForChildrenAsync(devnet.Pid, 4, ct);
                var addedPid = Assert.Single(newChildren.Except(children));
                children.Add(addedPid);
                clients.Add(Client(added.HttpsPort));
                foreach (var client in clients)
                {
                    await WaitForSwarmAsync(client, alice, four, ct);
                }

                var viaNew = await clients[3].StoreAsync(alice, RandomNumberGenerator.GetBytes(64), ttl: TimeSpan.FromHours(1), cancellationToken: ct);
                Assert.True(viaNew.AllSucceeded);
                Assert.True(viaNew.SignaturesValid);
                Assert.Equal(4, viaNew.Swarm.Count);

                // remove: the node's process ends and the others drop it from the swarm.
                await devnet.SendAsync("remove 3");
                await devnet.ExpectLineAsync(l => l == "removed node 3", ct);
                Assert.Equal(nodes, ReadNetworkFile(Path.Combine(dir, "network.json")));
                await WaitUntilAsync(() => !IsAlive(addedPid), "the removed node's process did not end", ct);
                for (var i = 0; i < 3; i++)
                {
                    await WaitForSwarmAsync(clients[i], alice, nodes, ct);
                }

                var afterRemove = await clients[1].StoreAsync(alice, RandomNumberGenerator.GetBytes(64), ttl: TimeSpan.FromHours(1), cancellationToken: ct);
                Assert.True(afterRemove.AllSucceeded);
                Assert.Equal(3, afterRemove.Swarm.Count);
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }

            // quit: the command exits 0 and takes every node process with it.
            await devnet.SendAsync("quit");
            using (var exit = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                exit.CancelAfter(Deadline);
                await devnet.Process.WaitForExitAsync(exit.Token);
            }

            Assert.Equal(0, devnet.Process.ExitCode);
            await WaitUntilAsync(() => !children.Any(IsAlive), "node processes outlived the devnet", ct);
        }
        finally
        {
            KillAll(devnet, children);
        }
    }

    [Theory]
    [InlineData(15)] // SIGTERM: a service manager or `kill`
    [InlineData(1)] // SIGHUP: the terminal went away
    public async Task Devnet_TerminatedBySignal_TakesItsNodeProcessesWithIt(int signal)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "child processes are found through /proc");
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        using var devnet = new DevnetProcess(temp.Combine("net"), nodes: 2);
        var children = new HashSet<int>();
        try
        {
            await devnet.ExpectLineAsync(l => l.StartsWith("Commands:", StringComparison.Ordinal), ct);
            children.UnionWith(await WaitForChildrenAsync(devnet.Pid, 2, ct));

            Assert.Equal(0, Kill(devnet.Pid, signal));
            using (var exit = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                exit.CancelAfter(Deadline);
                await devnet.Process.WaitForExitAsync(exit.Token);
            }

            await WaitUntilAsync(() => !children.Any(IsAlive), "node processes outlived the devnet", ct);
        }
        finally
        {
            KillAll(devnet, children);
        }
    }

    /// <summary>Cleanup after a failed test: the devnet and whatever node processes it left.</summary>
    private static void KillAll(DevnetProcess devnet, IEnumerable<int> children)
    {
        devnet.Kill();
        foreach (var pid in children.Where(IsAlive))
        {
            try
            {
                using var orphan = Process.GetProcessById(pid);
                orphan.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // already gone
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static SessionNodeClient Client(int httpsPort) => new(new SessionNodeClientOptions
    {
        BaseAddress = new Uri($"https://127.0.0.1:{httpsPort.ToString(CultureInfo.InvariantCulture)}/"),
        RequestTimeout = TimeSpan.FromSeconds(10),
    });

    /// <summary>Polls <c>get_swarm</c> on one node until it lists exactly <paramref name="expected"/> (node start and file reload).</summary>
    private static async Task WaitForSwarmAsync(SessionNodeClient client, SessionAccount account, IReadOnlyList<NetworkEntry> expected, CancellationToken ct)
    {
        var want = expected.Select(n => n.Ed25519Hex).Order(StringComparer.Ordinal).ToArray();
        string[] last = [];
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var swarm = await client.GetSwarmAsync(account.Id, ct);
                last = [.. swarm.Snodes.Select(s => s.PubkeyEd25519).Order(StringComparer.Ordinal)];
                if (last.SequenceEqual(want))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or SessionNodeRpcException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                // not listening yet, or no membership yet (503)
            }

            Assert.True(deadline.Elapsed < Deadline, $"{client.BaseAddress} did not list the swarm [{string.Join(", ", want)}] within {Deadline}; last [{string.Join(", ", last)}]");
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct); // polling other processes: there is no event to wait on
        }
    }

    private static async Task<HashSet<int>> WaitForChildrenAsync(int parent, int count, CancellationToken ct)
    {
        HashSet<int> found = [];
        await WaitUntilAsync(() => (found = ChildPids(parent)).Count == count, $"expected {count} node processes", ct);
        return found;
    }

    private static async Task StoreUntilAllSucceededAsync(SessionNodeClient client, SessionAccount account, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!(await client.StoreAsync(account, RandomNumberGenerator.GetBytes(16), ttl: TimeSpan.FromHours(1), cancellationToken: ct)).AllSucceeded)
        {
            Assert.True(deadline.Elapsed < Deadline, "a store never reached every member");
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct); // polling other processes: there is no event to wait on
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string message, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Deadline, message);
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct); // polling other processes: there is no event to wait on
        }
    }

    /// <summary>Live (not zombie) processes whose parent is <paramref name="parent"/>, from /proc/*/stat.</summary>
    private static HashSet<int> ChildPids(int parent)
    {
        var result = new HashSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ReadStat(pid) is { } stat && stat.State != 'Z' && stat.Parent == parent)
            {
                result.Add(pid);
            }
        }

        return result;
    }

    private static bool IsAlive(int pid) => ReadStat(pid) is { State: not 'Z' };

    private static (char State, int Parent)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …"; comm may contain spaces and parentheses.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    private static List<NetworkEntry> ReadNetworkFile(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        Assert.Equal([19, 4], root.GetProperty("hf").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(JsonValueKind.Number, root.GetProperty("height").ValueKind);
        return [.. root.GetProperty("nodes").EnumerateArray().Select(n => new NetworkEntry(
            n.GetProperty("pubkey_ed25519").GetString()!,
            n.GetProperty("ip").GetString()!,
            n.GetProperty("port_https").GetInt32(),
            n.GetProperty("port_peer").GetInt32(),
            n.GetProperty("swarm_id").GetUInt64()))];
    }

    private sealed record NetworkEntry(string Ed25519Hex, string Ip, int HttpsPort, int PeerPort, ulong SwarmId);

    /// <summary>The devnet command as a child process; its output lines are queued for <see cref="ExpectLineAsync"/>.</summary>
    private sealed class DevnetProcess : IDisposable
    {
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly List<string> _seen = [];

        public DevnetProcess(string dir, int nodes = 3)
        {
            var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "sessionnode.exe" : "sessionnode");
            var info = File.Exists(apphost)
                ? new ProcessStartInfo(apphost)
                : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "sessionnode.dll") } };
            foreach (var arg in new[] { "devnet", "--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--swarm-size", "3", "--out", dir })
            {
                info.ArgumentList.Add(arg);
            }

            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.UseShellExecute = false;
            Process = Process.Start(info) ?? throw new InvalidOperationException("sessionnode devnet did not start");
            Process.OutputDataReceived += (_, e) => Queue(e.Data);
            Process.ErrorDataReceived += (_, e) => Queue(e.Data is null ? null : "stderr: " + e.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public int Pid => Process.Id;

        public async Task SendAsync(string command)
        {
            await Process.StandardInput.WriteLineAsync(command);
            await Process.StandardInput.FlushAsync();
        }

        /// <summary>Reads output lines until one matches; fails with everything seen so far after the deadline.</summary>
        public async Task ExpectLineAsync(Func<string, bool> match, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Deadline);
            try
            {
                while (true)
                {
                    var line = await _lines.Reader.ReadAsync(timeout.Token);
                    _seen.Add(line);
                    if (match(line))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"devnet did not print the expected line within {Deadline}; output:\n{string.Join('\n', _seen)}");
            }
        }

        public void Kill()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // never started or already reaped
            }
        }

        public void Dispose()
        {
            Kill();
            Process.Dispose();
        }

        private void Queue(string? line)
        {
            if (line is not null)
            {
                _lines.Writer.TryWrite(line);
            }
        }
    }
}
