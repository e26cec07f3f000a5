using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Crypto;
using SessionNode.Rpc;
using SessionNode.Rpc.Peers;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Benchmarks.Peers;

/// <summary>
/// The peer side of replication without the network: one <c>ReplicateBatch</c> of <see cref="BatchSize"/> forwarded
/// stores (100 B, unauthenticated, namespace 0) through <c>PeerService</c>'s batch path, the path a batch arriving on
/// a <c>ReplicateStream</c> takes: JSON parse, validation, store into a real RocksDB, hash, node signature, the
/// per-item answers. The node is one member of a 3-member swarm (so the membership checks and anything done only
/// when a swarm has peers are paid as in production). Every invocation stores new messages (an 8-character
/// counter in each item's data) to distinct accounts of a 10 000-account pool (the LoadGen's
/// <c>replicated-store</c> spread). One operation = one batch.
/// </summary>
[MemoryDiagnoser]
public class ReplicationBenchmarks
{
    private const long NowMs = 1_700_000_000_000;

    /// <summary>Accounts the stores go to, as in the LoadGen's replicated-store workload.</summary>
    private const int AccountPool = 10_000;

    private static readonly char[] Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".ToCharArray();

    private ReplicationBench _bench = null!;
    private ReplicateBatchRequest _batch = null!;
    private byte[][] _params = null!;
    private int _pubkeyAt;
    private int _dataAt;
    private long _counter;

    /// <summary>Forwarded stores per batch: a lone request, and a batch of a loaded node (the callers send ≤ 256).</summary>
    [Params(1, 32)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _bench = new ReplicationBench(forwarder: null);
        var data = Convert.ToBase64String(RandomNumberGenerator.GetBytes(100));
        var template = Encoding.UTF8.GetBytes(
            $"{{\"pubkey\":\"05{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(28))}00000000\",\"timestamp\":{NowMs},\"ttl\":3600000,\"data\":\"{data}\"}}");
        _pubkeyAt = template.AsSpan().IndexOf("\"pubkey\":\""u8) + 10 + 58;
        _dataAt = template.AsSpan().IndexOf("\"data\":\""u8) + 8;

        // The items wrap arrays the benchmark rewrites in place before each batch, so building the request
        // allocates nothing per operation (the peer reads params only while handling the batch).
        _batch = new ReplicateBatchRequest();
        _params = new byte[BatchSize][];
        for (var i = 0; i < BatchSize; i++)
        {
            _params[i] = (byte[])template.Clone();
            _batch.Requests.Add(new ReplicateRequest { Method = "store", Params = UnsafeByteOperations.UnsafeWrap(_params[i]) });
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    /// <summary>One batch of new stores, answered item by item.</summary>
    [Benchmark]
    public int PeerBatch()
    {
        foreach (var p in _params)
        {
            var n = _counter++;
            WriteHex(p.AsSpan(_pubkeyAt, 8), (uint)(n % AccountPool));
            var span = p.AsSpan(_dataAt, 8);
            for (var i = 0; i < 8; i++, n >>= 6)
            {
                span[i] = (byte)Base64Alphabet[n & 63];
            }
        }

        var response = _bench.Peer.HandleBatchAsync(_batch, CancellationToken.None).GetAwaiter().GetResult();
        foreach (var r in response.Responses)
        {
            if (r.Status != 200 || r.Body.Span.IndexOf("\"already\""u8) >= 0)
            {
                throw new InvalidOperationException($"A forwarded store was not stored as new: {r.Status} {r.Body.ToStringUtf8()}");
            }
        }

        return response.Responses.Count;
    }

    private static void WriteHex(Span<byte> dest, uint value)
    {
        for (var i = dest.Length - 1; i >= 0; i--, value >>= 4)
        {
            dest[i] = (byte)"0123456789abcdef"[(int)(value & 15)];
        }
    }
}

/// <summary>
/// The entry side of a replicated store without the network: a client store on a member of a 3-member swarm →
/// parse, validate, keep the raw params, hand them to the forwarder for both peers, store locally, sign, and combine
/// the peers' entries into the answer. The forwarder answers at once with a canned peer entry (the shape a peer
/// returns), so this measures what the entry node itself does per replicated store. 100 B, new message each time.
/// </summary>
[MemoryDiagnoser]
public class ReplicationEntryBenchmarks
{
    private const long NowMs = 1_700_000_000_000;
    private static readonly char[] Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".ToCharArray();

    private ReplicationBench _bench = null!;
    private byte[] _body = null!;
    private int _dataAt;
    private long _counter;

    [GlobalSetup]
    public void Setup()
    {
        _bench = new ReplicationBench(new CannedForwarder());
        var data = Convert.ToBase64String(RandomNumberGenerator.GetBytes(100));
        _body = Encoding.UTF8.GetBytes(
            $"{{\"method\":\"store\",\"params\":{{\"pubkey\":\"05{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}\",\"timestamp\":{NowMs},\"ttl\":3600000,\"data\":\"{data}\"}}}}");
        _dataAt = _body.AsSpan().IndexOf("\"data\":\""u8) + 8;
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    /// <summary>One client store replicated to two peers (their answers canned).</summary>
    [Benchmark]
    public int EntryStore()
    {
        var n = _counter++;
        var span = _body.AsSpan(_dataAt, 8);
        for (var i = 0; i < 8; i++, n >>= 6)
        {
            span[i] = (byte)Base64Alphabet[n & 63];
        }

        var handler = _bench.Handler;
        var result = handler.HandleEnvelopeAsync(_body, handler.CreateContext(forwarded: false, CancellationToken.None)).GetAwaiter().GetResult();
        var status = result.Status;
        result.ReleaseBody();
        if (status != 200)
        {
            throw new InvalidOperationException($"The store failed with {status}.");
        }

        return status;
    }

    /// <summary>Answers every forward at once with one peer's entry for a new 100 B message (one cached task).</summary>
    private sealed class CannedForwarder : IPeerForwarder
    {
        private static readonly Task<byte[]> Entry = Task.FromResult(Encoding.UTF8.GetBytes(
            "{\"expiry\":1700003600000,\"hash\":\"" + new string('A', 43) + "\",\"signature\":\"" + Convert.ToBase64String(new byte[64]) + "\"}"));

        public Task<byte[]> ForwardAsync(ServiceNodeRecord peer, string method, ReadOnlyMemory<byte> rawParams, CancellationToken cancellationToken) => Entry;
    }
}

/// <summary>A node of a 3-member swarm over a real RocksDB store in a temp directory, with a fixed clock.</summary>
internal sealed class ReplicationBench : IDisposable
{
    private const long NowMs = 1_700_000_000_000;

    private readonly string _directory;
    private readonly Ed25519KeyPair _keys;
    private readonly PeerTokenIssuer _tokens = new();

    public ReplicationBench(IPeerForwarder? forwarder)
    {
        _directory = Path.Combine(Path.GetTempPath(), "sn-bench-repl-" + Guid.NewGuid().ToString("N"));
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(NowMs));
        Store = MessageStore.Open(new MessageStoreOptions { Path = _directory }, clock);
        _keys = Ed25519KeyPair.FromSeed(RandomNumberGenerator.GetBytes(32));
        var self = StandaloneMembership.SelfRecord(_keys, new NodeOptions(), 22021, 22020);
        ServiceNodeRecord[] members = [self, Other(1), Other(2)];
        var rpc = new RpcOptions();
        var membership = new Membership(new MembershipSnapshot(1, members, self, (rpc.HardForkMajor, rpc.HardForkMinor), rpc.Height));
        var node = new NodeState(_keys, membership, clock, forceStart: false);
        Handler = new RequestHandler(Store, node, NullLogger<RequestHandler>.Instance, forwarder is null ? [] : [forwarder]);
        Peer = new PeerService(node, _tokens, Handler, Store, [], new IncomingPingMonitor(clock), new NoLifetime());
    }

    public MessageStore Store { get; }

    public RequestHandler Handler { get; }

    public PeerService Peer { get; }

    public void Dispose()
    {
        Store.Dispose();
        _keys.Dispose();
        _tokens.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static ServiceNodeRecord Other(int i)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return new ServiceNodeRecord(key, key, key, "127.0.0." + (i + 1), 22021, 22020, StandaloneMembership.SwarmId);
    }

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
