using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Crypto;
using SessionNode.Rpc.Peers;
using SessionNode.Swarm;

namespace SessionNode.Testing;

/// <summary>
/// Several real nodes in this process sharing a static network file (<c>Network:Mode=static</c>):
/// production wiring, port 0 for both listeners, one data folder per node under one temp folder. The
/// file is written with the nodes' keys first and rewritten with the real ports once every node is up;
/// <c>StartAsync</c> returns when every node's view shows every other node's ports.
/// </summary>
public sealed class TestSwarm : IAsyncDisposable
{
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _root = new("sessionnode-swarm-");
    private readonly List<Member> _members = [];
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private TestSwarm(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    /// <summary>The network file every node watches.</summary>
    public string NetworkFile => _root.Combine("network.json");

    /// <summary>Running nodes by index (null while stopped).</summary>
    public IReadOnlyList<TestNode?> Nodes => [.. _members.Select(m => m.Node)];

    /// <summary>The running node <paramref name="index"/>.</summary>
    public TestNode this[int index] => _members[index].Node ?? throw new InvalidOperationException($"node {index} is stopped");

    /// <summary>Swarm id of node <paramref name="index"/> in the network file.</summary>
    public ulong SwarmOf(int index) => _members[index].SwarmId;

    /// <summary>Ed25519 hex of node <paramref name="index"/> (also while stopped).</summary>
    public string KeyOf(int index) => _members[index].Ed25519Hex;

    /// <summary>Starts one node per entry of <paramref name="swarmIds"/> (the node's swarm).</summary>
    public static async Task<TestSwarm> StartAsync(IReadOnlyList<ulong> swarmIds, IReadOnlyDictionary<string, string?>? settings = null, CancellationToken cancellationToken = default)
    {
        var swarm = new TestSwarm(settings ?? new Dictionary<string, string?>());
        try
        {
            foreach (var id in swarmIds)
            {
                swarm.AddMember(id);
            }

            swarm.WriteNetworkFile();
            for (var i = 0; i < swarm._members.Count; i++)
            {
                await swarm.StartMemberAsync(i, cancellationToken);
            }

            swarm.WriteNetworkFile();
            await swarm.WaitConvergedAsync(cancellationToken);
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <paramref name="nodes"/> nodes that all form swarm 0.</summary>
    public static Task<TestSwarm> StartAsync(int nodes, CancellationToken cancellationToken = default) =>
        StartAsync([.. Enumerable.Repeat(0UL, nodes)], null, cancellationToken);

    /// <summary>Adds a new node in <paramref name="swarmId"/>, starts it and publishes it to everyone; returns its index.</summary>
    public async Task<int> AddNodeAsync(ulong swarmId, CancellationToken cancellationToken = default)
    {
        var index = AddMember(swarmId);
        await StartMemberAsync(index, cancellationToken);
        WriteNetworkFile();
        await WaitConvergedAsync(cancellationToken);
        return index;
    }

    /// <summary>Adds <paramref name="count"/> new nodes in <paramref name="swarmId"/>, starts them and publishes them in one rewrite of the file; returns their indexes.</summary>
    public async Task<int[]> AddNodesAsync(ulong swarmId, int count, CancellationToken cancellationToken = default)
    {
        var indexes = new int[count];
        for (var i = 0; i < count; i++)
        {
            indexes[i] = AddMember(swarmId);
            await StartMemberAsync(indexes[i], cancellationToken);
        }

        WriteNetworkFile();
        await WaitConvergedAsync(cancellationToken);
        return indexes;
    }

    /// <summary>Moves node <paramref name="index"/> to another swarm (rewrites the file and waits for every node to see it).</summary>
    public async Task MoveNodeAsync(int index, ulong swarmId, CancellationToken cancellationToken = default)
    {
        _members[index].SwarmId = swarmId;
        WriteNetworkFile();
        await WaitConvergedAsync(cancellationToken);
    }

    /// <summary>
    /// Advertises <paramref name="httpsPort"/> as node <paramref name="index"/>'s HTTPS port in the
    /// network file (null: its real port again) and waits until every node sees it. The node itself keeps
    /// using its real port (a node's own record always carries its bound ports).
    /// </summary>
    public async Task AdvertiseHttpsPortAsync(int index, int? httpsPort, CancellationToken cancellationToken = default)
    {
        _members[index].AdvertisedHttpsPort = httpsPort;
        WriteNetworkFile();
        await WaitConvergedAsync(cancellationToken);
    }

    /// <summary>Moves several nodes to <paramref name="swarmId"/> in one rewrite of the file (a split or merge seen as one change).</summary>
    public async Task MoveNodesAsync(ulong swarmId, IReadOnlyList<int> indexes, CancellationToken cancellationToken = default)
    {
        foreach (var index in indexes)
        {
            _members[index].SwarmId = swarmId;
        }

        WriteNetworkFile();
        await WaitConvergedAsync(cancellationToken);
    }

    /// <summary>Stops node <paramref name="index"/>, keeping its data folder and ports (it stays in the network file).</summary>
    public async Task StopNodeAsync(int index)
    {
        var m = _members[index];
        if (m.Node is { } node)
        {
            m.Node = null;
            await node.DisposeAsync();
        }
    }

    /// <summary>Starts a stopped node again on its old ports and data folder.</summary>
    public async Task RestartNodeAsync(int index, CancellationToken cancellationToken = default)
    {
        await StartMemberAsync(index, cancellationToken);
        await WaitConvergedAsync(cancellationToken);
    }

    /// <summary>A client for node <paramref name="index"/>'s HTTPS listener.</summary>
    public Uri BaseAddressOf(int index) => this[index].BaseAddress;

    /// <summary>Waits until <paramref name="condition"/> holds, polling every 20 ms, or throws after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Stops every node and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var m in _members)
        {
            if (m.Node is { } node)
            {
                m.Node = null;
                try
                {
                    await node.DisposeAsync();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        _root.Dispose();
    }

    private int AddMember(ulong swarmId)
    {
        var index = _members.Count;
        var dir = _root.Combine("node-" + index.ToString(CultureInfo.InvariantCulture));
        using var key = NodeKeyFile.LoadOrCreate(Path.Combine(dir, "key_ed25519"), out _);
        _members.Add(new Member(dir, key.PublicKeyHex, swarmId));
        return index;
    }

    private async Task StartMemberAsync(int index, CancellationToken cancellationToken)
    {
        var m = _members[index];
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Network:Mode"] = "static",
            ["Network:StaticFile"] = NetworkFile,
            ["Network:StaticPollInterval"] = "00:00:00.200",
        };
        if (m.HttpsPort != 0)
        {
            settings["Node:HttpsPort"] = m.HttpsPort.ToString(CultureInfo.InvariantCulture);
            settings["Node:PeerPort"] = m.PeerPort.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (k, v) in _settings)
        {
            settings[k] = v;
        }

        var node = await TestNode.StartAsync(new TestNodeOptions { DataDir = m.DataDir, Settings = settings }, cancellationToken);
        m.Node = node;
        m.HttpsPort = node.BaseAddress.Port;
        m.PeerPort = node.Services.GetRequiredService<PeerListener>().BoundPort;
    }

    private void WriteNetworkFile()
    {
        var sb = new StringBuilder("{\"hf\":[19,4],\"height\":0,\"nodes\":[");
        for (var i = 0; i < _members.Count; i++)
        {
            var m = _members[i];
            sb.Append(i == 0 ? string.Empty : ",")
              .Append(CultureInfo.InvariantCulture, $"{{\"pubkey_ed25519\":\"{m.Ed25519Hex}\",\"ip\":\"127.0.0.1\",\"port_https\":{m.AdvertisedHttpsPort ?? m.HttpsPort},\"port_peer\":{m.PeerPort},\"swarm_id\":{m.SwarmId}}}");
        }

        sb.Append("]}");
        // Write then rename, so a watcher never reads half a file.
        var tmp = NetworkFile + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, NetworkFile, overwrite: true);
    }

    /// <summary>Every running node sees every node with its current ports and swarm.</summary>
    private Task WaitConvergedAsync(CancellationToken cancellationToken) =>
        WaitUntilAsync(
            () => Task.FromResult(_members.All(m => m.Node is null || Converged(m.Node))),
            ConvergeTimeout,
            "the swarm to converge",
            cancellationToken);

    private bool Converged(TestNode node)
    {
        var view = node.Services.GetRequiredService<Membership>().Current;
        return _members.All(m => view.FindByEd25519(m.Ed25519Hex) is { } r
            && r.HttpsPort == (m.Node == node ? m.HttpsPort : m.AdvertisedHttpsPort ?? m.HttpsPort)
            && r.PeerPort == m.PeerPort && r.SwarmId == m.SwarmId);
    }

    private sealed class Member(string dataDir, string ed25519Hex, ulong swarmId)
    {
        public string DataDir { get; } = dataDir;

        public string Ed25519Hex { get; } = ed25519Hex;

        public ulong SwarmId { get; set; } = swarmId;

        public int HttpsPort { get; set; }

        public int? AdvertisedHttpsPort { get; set; }

        public int PeerPort { get; set; }

        public TestNode? Node { get; set; }
    }
}
