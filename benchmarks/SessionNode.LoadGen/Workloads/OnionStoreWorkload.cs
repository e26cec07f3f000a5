using System.Security.Cryptography;
using SessionNode.Client;
using SessionNode.Core;

namespace SessionNode.LoadGen.Workloads;

/// <summary>
/// Unsigned 100-byte <c>store</c>s wrapped in onion requests (onion.md §12) posted to <c>/onion_req/v2</c> of the
/// target, over a path of <c>hops</c> nodes: 1 (the target is the destination) or 3 (target → another node → the
/// recipient's node, relayed over the peer channel). Every body has its own ephemeral keys and its own data; all are
/// built before the timed phase, because building one costs the generator 2 X25519 operations per hop (~80 µs per
/// hop), which would otherwise compete with the node for the same cores. Read-only after <see cref="PrepareAsync"/>.
/// </summary>
internal sealed class OnionStoreWorkload : IWorkload
{
    /// <summary>Message size, as in <c>store-100b</c>.</summary>
    public const int MessageBytes = 100;

    /// <summary>Recipients probed with <c>get_swarm</c> to find the path's nodes and accounts they hold.</summary>
    private const int RecipientProbes = 256;

    private readonly int _hops;
    private readonly List<KeyValuePair<string, double>> _setup = [];
    private byte[][] _bodies = [];
    private OnionHop[] _path = [];
    private AccountId[] _recipients = [];

    public OnionStoreWorkload(string name, int hops)
    {
        Name = name;
        _hops = hops;
    }

    public string Name { get; }

    public string Path => WorkloadPaths.OnionV2;

    public string ContentType => "application/octet-stream";

    public IReadOnlyList<KeyValuePair<string, double>> Setup => _setup;

    /// <summary>Default body count: 17 s (2 s warm-up + 15 s) at 12 k req/s for 1 hop; a third of that for 3 hops.</summary>
    private int DefaultBodies => _hops == 1 ? 210_000 : 70_000;

    public async Task PrepareAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var count = context.Accounts ?? DefaultBodies;
        if (count < context.Connections)
        {
            throw new ArgumentOutOfRangeException(nameof(context), "--accounts (onion: pre-built bodies) must be at least --connections.");
        }

        await FindPathAsync(client, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = client.Requests.NowMs;
        _bodies = new byte[count][];
        var path = _path;
        var recipients = _recipients;
        Parallel.For(
            0,
            Environment.ProcessorCount,
            new ParallelOptions { CancellationToken = cancellationToken },
            worker =>
            {
                var builder = new OnionRequestBuilder();
                var requests = new RequestBuilder();
                var data = new byte[MessageBytes];
                for (var i = worker; i < count; i += Environment.ProcessorCount)
                {
                    RandomNumberGenerator.Fill(data);
                    var store = requests.Store(recipients[i % recipients.Length], data, Namespace.Default, StoreWorkload.Ttl, timestamp: now);
                    using var onion = builder.BuildForNode(path, store.ToJsonBytes());
                    _bodies[i] = onion.Body.ToArray();
                }
            });
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        _setup.Add(new("hops", _hops));
        _setup.Add(new("bodies", count));
        _setup.Add(new("body_bytes", _bodies[0].Length));
        _setup.Add(new("recipients", recipients.Length));
        _setup.Add(new("build_us_per_body", seconds * 1e6 * Environment.ProcessorCount / count));
        context.Log.WriteLine($"  built {count} onion bodies ({_bodies[0].Length} B, {_hops} hop(s)) in {seconds:F1} s");
    }

    public async Task VerifyAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var data = RandomNumberGenerator.GetBytes(MessageBytes);
        var store = client.Requests.Store(_recipients[0], data, Namespace.Default, StoreWorkload.Ttl);
        var result = await client.SendViaOnionAsync(store, _path, cancellationToken: cancellationToken);
        if (!result.HashMatches || !result.AllSucceeded || !result.SignaturesValid)
        {
            throw new InvalidOperationException(
                $"{Name}: verification store not confirmed (hash matches {result.HashMatches}, all succeeded {result.AllSucceeded}, signatures valid {result.SignaturesValid}).");
        }

        context.Log.WriteLine($"  verified: onion store {result.Hash} via {string.Join(" → ", _path.Select(h => h.Ed25519Hex[..8]))}, {result.Swarm.Count} node signature(s) valid");
    }

    public IRequestSource CreateSource(int connection, int connections) => new Source(_bodies, connection, connections);

    public void Dispose()
    {
    }

    /// <summary>
    /// Learns the nodes from <c>get_swarm</c> answers: the target (matched by HTTPS port) is the edge; for 3 hops the
    /// destination is another node and the middle hop the remaining one. Keeps the probed recipients that the
    /// destination's swarm holds.
    /// </summary>
    private async Task FindPathAsync(SessionNodeClient client, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, ServiceNodeInfo>(StringComparer.Ordinal);
        var swarmOf = new List<(AccountId Recipient, HashSet<string> Holders)>();
        for (var i = 0; i < RecipientProbes; i++)
        {
            var key = RandomNumberGenerator.GetBytes(AccountId.KeyLength);
            var recipient = AccountId.FromPrefixAndKey(AccountId.SessionPrefix, key);
            var swarm = await client.GetSwarmAsync(recipient, cancellationToken);
            foreach (var n in swarm.Snodes)
            {
                nodes.TryAdd(n.PubkeyEd25519, n);
            }

            swarmOf.Add((recipient, [.. swarm.Snodes.Select(n => n.PubkeyEd25519)]));
        }

        var edge = nodes.Values.FirstOrDefault(n => n.PortHttps == client.BaseAddress.Port)
            ?? throw new InvalidOperationException($"{Name}: the target is not among the {nodes.Count} node(s) get_swarm listed.");
        var edgeHop = OnionHop.FromHex(edge.PubkeyEd25519, client.BaseAddress.Host, client.BaseAddress.Port, edge.PubkeyX25519);
        if (_hops == 1)
        {
            _path = [edgeHop];
            _recipients = [.. swarmOf.Where(s => s.Holders.Contains(edge.PubkeyEd25519)).Select(s => s.Recipient)];
        }
        else
        {
            var others = nodes.Values.Where(n => n.PubkeyEd25519 != edge.PubkeyEd25519).ToList();
            var destination = others.FirstOrDefault(d => swarmOf.Any(s => s.Holders.Contains(d.PubkeyEd25519) && !s.Holders.Contains(edge.PubkeyEd25519)));
            var middle = others.FirstOrDefault(m => destination is not null && m.PubkeyEd25519 != destination.PubkeyEd25519);
            if (destination is null || middle is null)
            {
                throw new InvalidOperationException($"{Name}: needs 3 nodes with the target outside the destination's swarm; get_swarm listed {nodes.Count}.");
            }

            _path = [edgeHop, OnionHop.FromServiceNode(middle), OnionHop.FromServiceNode(destination)];
            _recipients = [.. swarmOf.Where(s => s.Holders.Contains(destination.PubkeyEd25519)).Select(s => s.Recipient)];
        }

        if (_recipients.Length == 0)
        {
            throw new InvalidOperationException($"{Name}: none of {RecipientProbes} random recipients maps to the destination.");
        }
    }

    /// <summary>One connection's slice of the bodies (every connections-th), cycled if the run outlasts it.</summary>
    private sealed class Source(byte[][] bodies, int first, int connections) : IRequestSource
    {
        private readonly int _first = first;
        private int _next = first;

        public ReadOnlyMemory<byte> Next(long nodeNowMs)
        {
            var body = bodies[_next];
            _next += connections;
            if (_next >= bodies.Length)
            {
                _next = _first; // a replayed body is an "already stored" store: same onion work, cheaper storage
            }

            return body;
        }
    }
}
