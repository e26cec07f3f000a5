using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Daemon.Commands;

/// <summary>
/// <c>sessionnode devnet</c>: a local network of N nodes on 127.0.0.1, each a child process of this
/// executable with its own data folder (<c>DIR/node-i</c>, key created there) and free ports, sharing the
/// static network file <c>DIR/network.json</c> (<c>Network:Mode=static</c>). Reads operator commands from
/// stdin (<c>add [swarm]</c>, <c>remove i</c>, <c>list</c>, <c>quit</c>); the nodes follow the rewritten
/// network file. Owns the child processes and kills them when it exits.
/// </summary>
internal static class DevnetCommand
{
    private const int Failure = 1;

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of nodes to start.", DefaultValueFactory = _ => 5 };
        var swarmSize = new Option<int>("--swarm-size") { Description = "Nodes per swarm (node i joins swarm i / size).", DefaultValueFactory = _ => 5 };
        var output = new Option<string>("--out") { Description = "Folder for the node data folders, logs and network.json.", Required = true };
        var command = new Command(
            "devnet",
            "Run a local test network: N child nodes on 127.0.0.1 sharing a static network file. " +
            "Type `add [swarm-id]`, `remove <i>`, `list` or `quit` on stdin.");
        command.Options.Add(nodes);
        command.Options.Add(swarmSize);
        command.Options.Add(output);
        command.SetAction((result, ct) => RunAsync(
            result.GetValue(nodes), result.GetValue(swarmSize), result.GetValue(output)!, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, Console.In, ct));
        return command;
    }

    /// <summary>Runs the devnet until <c>quit</c>, end of input or cancellation.</summary>
    internal static async Task<int> RunAsync(int count, int swarmSize, string dir, TextWriter output, TextWriter error, TextReader input, CancellationToken cancellationToken)
    {
        if (count < 1 || swarmSize < 1)
        {
            await error.WriteLineAsync("--nodes and --swarm-size must be at least 1.");
            return Failure;
        }

        await using var net = new Devnet(Path.GetFullPath(dir), swarmSize, output, error);

        // SIGTERM, SIGINT or SIGHUP (a service manager, Ctrl+C, a closed terminal) must not leave the node
        // processes running: they are stopped right in the handler, before the default termination goes on.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => net.StopAll());
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => net.StopAll());
        using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => net.StopAll());
        for (var i = 0; i < count; i++)
        {
            net.Add(swarmId: null);
        }

        net.WriteNetworkFile();
        foreach (var n in net.Nodes)
        {
            net.Start(n);
        }

        await net.PrintAsync();
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Network file: {net.NetworkFile} (edit it by hand, or use the commands below; nodes reload it).");
        await output.WriteLineAsync($"Logs: {Path.Combine(net.Dir, "node-<i>", "node.log")}");
        await output.WriteLineAsync($"Try: sessionnode client --target {net.Nodes[0].HttpsUrl} info");
        await output.WriteLineAsync("Commands: add [swarm-id] | remove <i> | list | quit");

        using var registration = cancellationToken.Register(() => input.Dispose());
        while (!cancellationToken.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await input.ReadLineAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }

            if (line is null)
            {
                break;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            switch (parts[0])
            {
                case "quit" or "exit":
                    return 0;
                case "list":
                    await net.PrintAsync();
                    break;
                case "add":
                    ulong? swarm = parts.Length > 1 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
                    var added = net.Add(swarm);
                    net.Start(added);
                    net.WriteNetworkFile();
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"added node {added.Index} in swarm {added.SwarmId:x}"));
                    break;
                case "remove" when parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var index) && net.Remove(index):
                    net.WriteNetworkFile();
                    await output.WriteLineAsync($"removed node {index}");
                    break;
                default:
                    await output.WriteLineAsync("Commands: add [swarm-id] | remove <i> | list | quit");
                    break;
            }
        }

        return 0;
    }

    /// <summary>Swarm id of swarm number <paramref name="n"/>: spread over the ring so accounts spread evenly.</summary>
    internal static ulong SwarmId(int n) => (ulong)n * 0x1000_0000_0000_0000UL;

    /// <summary>The devnet state: nodes, ports, processes.</summary>
    private sealed class Devnet(string dir, int swarmSize, TextWriter output, TextWriter error) : IAsyncDisposable
    {
        private readonly List<DevnetNode> _nodes = [];
        private bool _stopped; // guarded by _nodes

        public string Dir { get; } = dir;

        public string NetworkFile => Path.Combine(Dir, "network.json");

        public List<DevnetNode> Nodes => _nodes;

        public DevnetNode Add(ulong? swarmId)
        {
            lock (_nodes)
            {
                return AddLocked(swarmId);
            }
        }

        /// <summary>Stops every node process (idempotent, any thread); nodes are not started afterwards.</summary>
        public void StopAll()
        {
            DevnetNode[] nodes;
            lock (_nodes)
            {
                _stopped = true;
                nodes = [.. _nodes];
            }

            foreach (var n in nodes)
            {
                n.Stop();
            }
        }

        private DevnetNode AddLocked(ulong? swarmId)
        {
            var index = _nodes.Count == 0 ? 0 : _nodes.Max(n => n.Index) + 1;
            var dataDir = Path.Combine(Dir, "node-" + index.ToString(CultureInfo.InvariantCulture));
            using var key = NodeKeyFile.LoadOrCreate(Path.Combine(dataDir, "key_ed25519"), out _);
            var node = new DevnetNode(index, dataDir, key.PublicKeyHex, swarmId ?? SwarmId(index / swarmSize), FreePort(), FreePort(), FreePort());
            _nodes.Add(node);
            return node;
        }

        public bool Remove(int index)
        {
            DevnetNode? node;
            lock (_nodes)
            {
                node = _nodes.FirstOrDefault(n => n.Index == index);
                if (node is null)
                {
                    return false;
                }

                _nodes.Remove(node);
            }

            node.Stop();
            return true;
        }

        public void Start(DevnetNode node)
        {
            var (file, prefix) = SelfCommand();
            var start = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var a in prefix)
            {
                start.ArgumentList.Add(a);
            }

            foreach (var a in (string[])["run", "--data-dir", node.DataDir, "--bind-ip", "127.0.0.1", "--https-port", node.HttpsPort.ToString(CultureInfo.InvariantCulture),
                "--peer-port", node.PeerPort.ToString(CultureInfo.InvariantCulture),
                "--admin-port", node.AdminPort.ToString(CultureInfo.InvariantCulture), "--disable-rate-limit", "--log-level", "info"])
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["SESSIONNODE__Network__Mode"] = "static";
            start.Environment["SESSIONNODE__Network__StaticFile"] = NetworkFile;
            lock (_nodes)
            {
                if (_stopped)
                {
                    return;
                }

                var log = new StreamWriter(Path.Combine(node.DataDir, "node.log"), append: true) { AutoFlush = true };
                var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a node process");
                process.OutputDataReceived += (_, e) => Write(log, e.Data);
                process.ErrorDataReceived += (_, e) => Write(log, e.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                node.Attach(process, log);
            }
        }

        public void WriteNetworkFile()
        {
            var sb = new StringBuilder("{\"hf\":[19,4],\"height\":0,\"nodes\":[\n");
            sb.AppendJoin(",\n", _nodes.Select(n => string.Create(CultureInfo.InvariantCulture,
                $"  {{\"pubkey_ed25519\":\"{n.Ed25519Hex}\",\"ip\":\"127.0.0.1\",\"port_https\":{n.HttpsPort},\"port_peer\":{n.PeerPort},\"swarm_id\":{n.SwarmId}}}")));
            sb.Append("\n]}\n");
            var tmp = NetworkFile + ".tmp";
            File.WriteAllText(tmp, sb.ToString());
            File.Move(tmp, NetworkFile, overwrite: true);
        }

        public async Task PrintAsync()
        {
            await output.WriteLineAsync("node  swarm               https                      peer   ed25519");
            foreach (var n in _nodes)
            {
                var state = n.Exited ? " (exited, see node.log)" : string.Empty;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{n.Index,-5} {n.SwarmId,-19:x} {n.HttpsUrl,-26} {n.PeerPort,-6} {n.Ed25519Hex}{state}"));
            }
        }

        public async ValueTask DisposeAsync()
        {
            StopAll();

            await error.FlushAsync();
        }

        private static void Write(StreamWriter log, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.WriteLine(line);
            }
        }

        /// <summary>How to start this same executable: the apphost directly, or <c>dotnet sessionnode.dll</c>.</summary>
        private static (string File, string[] Prefix) SelfCommand()
        {
            var process = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
            var name = Path.GetFileNameWithoutExtension(process);
            if (name.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                // The entry assembly sits next to the host's files (AppContext.BaseDirectory); its Location is
                // empty in a single-file or Native AOT build, which never runs under `dotnet` anyway.
                return (process, [Path.Combine(AppContext.BaseDirectory, typeof(DevnetCommand).Assembly.GetName().Name + ".dll")]);
            }

            return (process, []);
        }

        private static int FreePort()
        {
            // The port is free now; a race with another program before the child binds it is possible but unlikely.
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    /// <summary>One node of the devnet and its process.</summary>
    private sealed class DevnetNode(int index, string dataDir, string ed25519Hex, ulong swarmId, int httpsPort, int peerPort, int adminPort)
    {
        private Process? _process;
        private StreamWriter? _log;

        public int Index { get; } = index;

        public string DataDir { get; } = dataDir;

        public string Ed25519Hex { get; } = ed25519Hex;

        public ulong SwarmId { get; } = swarmId;

        public int HttpsPort { get; } = httpsPort;

        public int PeerPort { get; } = peerPort;

        public int AdminPort { get; } = adminPort;

        public string HttpsUrl => string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{HttpsPort}");

        public bool Exited => _process is { HasExited: true };

        public void Attach(Process process, StreamWriter log) => (_process, _log) = (process, log);

        public void Stop()
        {
            if (_process is { } p)
            {
                try
                {
                    // Closing stdin is not a stop signal for the host; the process is killed (data is in RocksDB's WAL).
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true);
                        p.WaitForExit(5000);
                    }
                }
                catch (InvalidOperationException)
                {
                }

                p.Dispose();
                _process = null;
            }

            _log?.Dispose();
            _log = null;
        }
    }
}
