using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Client;
using SessionNode.Crypto;
using SessionNode.Rpc;
using SessionNode.Storage;

namespace SessionNode.Benchmarks.Rpc;

/// <summary>
/// One client request through the RPC layer without the transport: the JSON body as Kestrel hands it over →
/// parse, authenticate, store or read RocksDB, hash, sign → the response body. This is the node's per-request work
/// minus TLS/HTTP, measured on one thread, so it isolates our code from the scheduling and wake-up costs that dominate
/// end-to-end runs on small VMs. Every store carries distinct data (the request's first 8 base64 characters are a
/// counter), so each one is a new message; the retrieve reads a 50-message mailbox with a signed request.
/// </summary>
[MemoryDiagnoser]
public class RequestHandlerBenchmarks
{
    private const long NowMs = 1_700_000_000_000;
    private static readonly char[] Base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".ToCharArray();

    private string _directory = null!;
    private MessageStore _store = null!;
    private Ed25519KeyPair _nodeKeys = null!;
    private RequestHandler _handler = null!;
    private byte[] _storeBody = null!;
    private int _counterAt;
    private long _counter;
    private byte[] _retrieveBody = null!;

    /// <summary>Message size of the store benchmark (100 B and 10 KB as in the load generator).</summary>
    [Params(100, 10_240)]
    public int MessageBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "sn-bench-rpc-" + Guid.NewGuid().ToString("N"));
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(NowMs));
        _store = MessageStore.Open(new MessageStoreOptions { Path = _directory }, clock);
        _nodeKeys = Ed25519KeyPair.FromSeed(RandomNumberGenerator.GetBytes(32));
        var node = new NodeState(_nodeKeys, StandaloneMembership.Create(_nodeKeys, new NodeOptions(), new RpcOptions()), clock, forceStart: false);
        _handler = new RequestHandler(_store, node, NullLogger<RequestHandler>.Instance, []);

        var requests = new RequestBuilder(clock);
        var recipient = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));
        _storeBody = requests.Store(recipient.Id, RandomNumberGenerator.GetBytes(MessageBytes), ttl: TimeSpan.FromHours(1)).ToJsonBytes();
        _counterAt = _storeBody.AsSpan().IndexOf("\"data\":\""u8) + 8;

        var reader = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));
        for (var i = 0; i < 50; i++)
        {
            var body = requests.Store(reader, RandomNumberGenerator.GetBytes(100), ttl: TimeSpan.FromHours(1)).ToJsonBytes();
            Handle(body);
        }

        _retrieveBody = requests.Retrieve(reader).ToJsonBytes();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _nodeKeys.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>An unauthenticated store of a new message to a 05 account's namespace 0.</summary>
    [Benchmark]
    public int Store()
    {
        var n = _counter++;
        var span = _storeBody.AsSpan(_counterAt, 8);
        for (var i = 0; i < 8; i++, n >>= 6)
        {
            span[i] = (byte)Base64Alphabet[n & 63];
        }

        return Handle(_storeBody);
    }

    /// <summary>A signed retrieve of a whole 50-message mailbox (the store parameter does not apply).</summary>
    [Benchmark]
    public int Retrieve() => Handle(_retrieveBody);

    private int Handle(byte[] body)
    {
        var result = _handler.HandleEnvelopeAsync(body, _handler.CreateContext(forwarded: false, CancellationToken.None)).GetAwaiter().GetResult();
        var status = result.Status;
        result.ReleaseBody();
        if (status != 200)
        {
            throw new InvalidOperationException($"The request failed with {status}.");
        }

        return status;
    }
}
