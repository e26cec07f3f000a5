using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Testing;

namespace SessionNode.Integration.Tests;

/// <summary>
/// Several real nodes sharing one fake clock and one static network file (config <c>Network:Mode=static</c>). Node
/// keys and peer ports exist only once the nodes run, so the file is written in two steps: first each node alone in
/// its own swarm (the node fills in its real ports, which <c>get_swarm</c> then reveals as <c>port_omq</c>), then the
/// final layout. Driven only through <see cref="SessionNodeClient"/>.
/// </summary>
internal sealed class StaticNetwork : IAsyncDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly TempDirectory _dir;
    private readonly string _file;
    private readonly List<(ServiceNodeInfo Info, ulong Swarm)> _peers = [];

    private StaticNetwork(TempDirectory dir, string file, FakeTimeProvider clock, List<TestNode> nodes, List<SessionNodeClient> clients)
    {
        _dir = dir;
        _file = file;
        Clock = clock;
        Nodes = nodes;
        Clients = clients;
    }

    public FakeTimeProvider Clock { get; }

    public IReadOnlyList<TestNode> Nodes { get; }

    /// <summary>One client per node, on the shared clock.</summary>
    public IReadOnlyList<SessionNodeClient> Clients { get; }

    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Starts <paramref name="count"/> nodes and puts all of them in swarm 0.</summary>
    public static async Task<StaticNetwork> StartAsync(int count)
    {
        NodeFixture.RequireInProcess("starts a multi-node swarm");
        var dir = new TempDirectory("sessionnode-swarm-");
        var file = dir.Combine("network.json");
        var clock = TestClock.Create();
        var nodes = new List<TestNode>();
        var clients = new List<SessionNodeClient>();
        var network = new StaticNetwork(dir, file, clock, nodes, clients);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var node = await TestNode.StartAsync(
                    new TestNodeOptions
                    {
                        Clock = clock,
                        Settings = new Dictionary<string, string?> { ["Network:Mode"] = "static", ["Network:StaticFile"] = file },
                    },
                    TestContext.Current.CancellationToken);
                nodes.Add(node);
                clients.Add(new SessionNodeClient(new SessionNodeClientOptions { BaseAddress = node.BaseAddress, TimeProvider = clock }));
            }

            await network.DiscoverPortsAsync();
            await network.ApplyAsync(network._peers.Select(p => (p.Info, 0UL)).ToList());
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>An account whose swarm-space position is <paramref name="position"/> (Session ID prefix, fake key).</summary>
    public static AccountId AccountAt(ulong position)
    {
        var key = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(key, position);
        return AccountId.FromPrefixAndKey(0x05, key);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in Clients)
        {
            c.Dispose();
        }

        foreach (var n in Nodes)
        {
            await n.DisposeAsync();
        }

        _dir.Dispose();
    }

    /// <summary>Step 1: each node alone in swarm i; read back its real ports from its own get_swarm.</summary>
    private async Task DiscoverPortsAsync()
    {
        var layout = Nodes.Select((n, i) => (Ed: n.PublicKeyHex, Https: n.BaseAddress.Port, Peer: 1, Swarm: SwarmOf(i))).ToList();
        await WriteAsync(layout);
        for (var i = 0; i < Nodes.Count; i++)
        {
            var client = Clients[i];
            var self = Nodes[i].PublicKeyHex;
            var probe = AccountAt(SwarmOf(i));
            ServiceNodeInfo? info = null;
            await Eventually.UntilAsync(
                async () =>
                {
                    var r = await client.SendRawAsync(client.Requests.GetSwarm(probe), TestContext.Current.CancellationToken);
                    info = r.StatusCode == 200 ? client.Requests.GetSwarm(probe).ParseResponse(r.Body).Snodes.FirstOrDefault(s => s.PubkeyEd25519 == self) : null;
                    Clock.Advance(TimeSpan.FromSeconds(1));
                    return info is not null;
                },
                $"node {i} loaded the discovery network file");
            _peers.Add((info!, SwarmOf(i)));
        }
    }

    /// <summary>Step 2: the final layout; waits until every node lists every member of its swarm.</summary>
    private async Task ApplyAsync(List<(ServiceNodeInfo Info, ulong Swarm)> layout)
    {
        await WriteAsync(layout.Select(p => (p.Info.PubkeyEd25519, p.Info.PortHttps, p.Info.PortOmq, p.Swarm)).ToList());
        for (var i = 0; i < Nodes.Count; i++)
        {
            var client = Clients[i];
            var swarm = layout[i].Swarm;
            var expected = layout.Where(p => p.Swarm == swarm).Select(p => p.Info.PubkeyEd25519).Order(StringComparer.Ordinal).ToList();
            var probe = AccountAt(swarm);
            await Eventually.UntilAsync(
                async () =>
                {
                    var r = await client.SendRawAsync(client.Requests.GetSwarm(probe), TestContext.Current.CancellationToken);
                    Clock.Advance(TimeSpan.FromSeconds(1));
                    return r.StatusCode == 200
                        && client.Requests.GetSwarm(probe).ParseResponse(r.Body).Snodes.Select(s => s.PubkeyEd25519).Order(StringComparer.Ordinal).SequenceEqual(expected);
                },
                $"node {i} loaded the final network file");
        }
    }

    private async Task WriteAsync(IReadOnlyList<(string Ed, int Https, int Peer, ulong Swarm)> nodes)
    {
        var sb = new StringBuilder("{\"hf\":[19,4],\"height\":0,\"nodes\":[");
        for (var i = 0; i < nodes.Count; i++)
        {
            var (ed, https, peer, swarm) = nodes[i];
            sb.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""{"pubkey_ed25519":"{{ed}}","ip":"127.0.0.1","port_https":{{https}},"port_peer":{{peer}},"swarm_id":{{swarm}}}""");
        }

        sb.Append("]}");
        var staging = _file + ".tmp";
        await File.WriteAllTextAsync(staging, sb.ToString(), Utf8NoBom, TestContext.Current.CancellationToken);
        File.Move(staging, _file, overwrite: true);
    }

    /// <summary>Discovery swarm of node i: evenly spread ids, so an account at exactly that position maps to it.</summary>
    private static ulong SwarmOf(int i) => (ulong)i * 0x1000_0000_0000_0000;
}
