using System.Diagnostics;
using System.Security.Cryptography;
using SessionNode.Client;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.LoadGen.Workloads;

/// <summary>
/// Signed <c>retrieve</c> (client-rpc.md §9.2) of whole mailboxes that were pre-filled with
/// <see cref="MessagesPerAccount"/> messages of <see cref="MessageBytes"/> bytes. Every request is signed
/// before the timed phase, once per account and time bucket, so no signing happens on the timed path.
/// State is read-only after <see cref="PrepareAsync"/>.
/// </summary>
/// <remarks>
/// Nodes accept a retrieve signature whose timestamp is within ±60 s of their clock (§6.7). Bodies are
/// signed for buckets of <see cref="BucketWidth"/> with the timestamp in the bucket's middle, and a request
/// sent at node time t uses the bucket holding t, so its timestamp is at most half a bucket (plus the clock
/// sync error) away from the node's clock.
/// </remarks>
internal sealed class RetrieveWorkload : IWorkload
{
    /// <summary>Default mailboxes: the shared wrk harness's ACCOUNTS.</summary>
    public const int DefaultAccounts = 100;

    /// <summary>Messages per mailbox, as in the workload's name.</summary>
    public const int MessagesPerAccount = 50;

    /// <summary>Message size: the harness's MSG_SIZE_RETRIEVE default.</summary>
    public const int MessageBytes = 100;

    /// <summary>Pre-fill requests in flight: enough to hide latency on loopback without queueing at the node.</summary>
    private const int PrefillParallelism = 16;

    /// <summary>Bounds memory for pre-signed bodies (~400 B each): 2 M bodies is under 1 GB.</summary>
    private const long MaxPresigned = 2_000_000;

    /// <summary>Signature calls timed separately to report the pure Ed25519 cost.</summary>
    private const int SignCalibrationCount = 2_000;

    /// <summary>10 s buckets keep every timestamp within 5 s of the node clock, far inside ±60 s.</summary>
    public static readonly TimeSpan BucketWidth = TimeSpan.FromSeconds(10);

    private readonly List<KeyValuePair<string, double>> _setup = [];
    private SessionAccount[] _accounts = [];
    private string[][] _hashes = [];
    private byte[][][] _bodies = [];
    private long _firstBucketStartMs;

    public string Name => "retrieve-50";

    public string Path => WorkloadPaths.StorageRpc;

    public string ContentType => WorkloadPaths.Json;

    public IReadOnlyList<KeyValuePair<string, double>> Setup => _setup;

    public async Task PrepareAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var count = context.Accounts ?? DefaultAccounts;
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(context), "--accounts must be at least 1.");
        }

        var client = context.Client;
        _accounts = new SessionAccount[count];
        for (var i = 0; i < count; i++)
        {
            _accounts[i] = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize));
        }

        // Pre-fill through the typed client: each mailbox is filled in order (retrieve returns insertion
        // order), mailboxes in parallel. Every store is checked (hash and node signature).
        context.Log.WriteLine($"  pre-filling {count} mailboxes with {MessagesPerAccount} x {MessageBytes} B…");
        _hashes = new string[count][];
        var fill = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = PrefillParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var hashes = new string[MessagesPerAccount];
                for (var m = 0; m < MessagesPerAccount; m++)
                {
                    var stored = await client.StoreAsync(_accounts[i], MessageData(i, m), Namespace.Default, StoreWorkload.Ttl, cancellationToken: ct);
                    if (!stored.HashMatches || !stored.AllSucceeded || !stored.SignaturesValid)
                    {
                        throw new InvalidOperationException($"{Name}: pre-fill store {i}/{m} was not confirmed by the node.");
                    }

                    hashes[m] = stored.ExpectedHash;
                }

                _hashes[i] = hashes;
            });
        fill.Stop();
        _setup.Add(new("accounts", count));
        _setup.Add(new("messages_per_account", MessagesPerAccount));
        _setup.Add(new("message_bytes", MessageBytes));
        _setup.Add(new("prefill_s", fill.Elapsed.TotalSeconds));
        _setup.Add(new("prefill_stores_per_s", count * MessagesPerAccount / fill.Elapsed.TotalSeconds));

        Presign(context);
    }

    public async Task VerifyAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var now = client.Requests.NowMs;
        var bucket = BucketOf(now);
        var body = _bodies[bucket][0];

        // The pre-signed bytes must be what the typed client builds for the same timestamp (Ed25519 is
        // deterministic), and the answer must hold exactly the pre-filled mailbox.
        var request = client.Requests.Retrieve(_accounts[0], Namespace.Default, timestamp: BucketTimestamp(bucket));
        if (!body.AsSpan().SequenceEqual(request.ToJsonBytes()))
        {
            throw new InvalidOperationException($"{Name}: the pre-signed body differs from the client's.");
        }

        var raw = await client.PostRawAsync(body, Path, cancellationToken: cancellationToken);
        if (!raw.IsSuccess)
        {
            throw new InvalidOperationException($"{Name}: verification retrieve answered {raw.StatusCode}: {raw.BodyText}");
        }

        var result = request.ParseResponse(raw.Body);
        if (result.Messages.Count != MessagesPerAccount || result.More)
        {
            throw new InvalidOperationException($"{Name}: expected {MessagesPerAccount} messages and no more, got {result.Messages.Count} (more: {result.More}).");
        }

        for (var m = 0; m < MessagesPerAccount; m++)
        {
            var message = result.Messages[m];
            if (message.Hash != _hashes[0][m] || !message.Data.Span.SequenceEqual(MessageData(0, m)))
            {
                throw new InvalidOperationException($"{Name}: message {m} is not the one stored (hash {message.Hash}, expected {_hashes[0][m]}).");
            }
        }

        context.Log.WriteLine($"  verified: retrieve of {_accounts[0].PubkeyHex[..10]}… returned its {MessagesPerAccount} messages in order ({raw.Body.Length} B)");
    }

    public IRequestSource CreateSource(int connection, int connections) =>
        new Source(this, (int)((long)connection * _accounts.Length / connections));

    public void Dispose()
    {
        foreach (var account in _accounts)
        {
            account?.Dispose();
        }
    }

    /// <summary>Distinct, reproducible message bodies: account and index in the first bytes, then a fixed pattern.</summary>
    private static byte[] MessageData(int account, int message)
    {
        var data = new byte[MessageBytes];
        BitConverter.TryWriteBytes(data, account);
        BitConverter.TryWriteBytes(data.AsSpan(4), message);
        for (var i = 8; i < data.Length; i++)
        {
            data[i] = (byte)(i * 31);
        }

        return data;
    }

    /// <summary>Signs one body per account per bucket covering the whole run, and times it.</summary>
    private void Presign(WorkloadContext context)
    {
        var requests = context.Client.Requests;
        _firstBucketStartMs = requests.NowMs;
        var buckets = (int)Math.Ceiling(context.RunLength / BucketWidth) + 1;
        var total = (long)buckets * _accounts.Length;
        if (total > MaxPresigned)
        {
            throw new InvalidOperationException(
                $"{Name}: {buckets} buckets x {_accounts.Length} accounts = {total} pre-signed requests exceeds {MaxPresigned}; lower --accounts or --duration.");
        }

        var sw = Stopwatch.StartNew();
        _bodies = new byte[buckets][][];
        for (var b = 0; b < buckets; b++)
        {
            var ts = BucketTimestamp(b);
            _bodies[b] = new byte[_accounts.Length][];
            for (var a = 0; a < _accounts.Length; a++)
            {
                _bodies[b][a] = requests.Retrieve(_accounts[a], Namespace.Default, timestamp: ts).ToJsonBytes();
            }
        }

        sw.Stop();

        // The same signature alone, to separate Ed25519 cost from JSON building.
        var message = SignedMessages.Retrieve(Namespace.Default, _firstBucketStartMs);
        var signOnly = Stopwatch.StartNew();
        for (var i = 0; i < SignCalibrationCount; i++)
        {
            _accounts[i % _accounts.Length].Sign(message);
        }

        signOnly.Stop();
        _setup.Add(new("presign_buckets", buckets));
        _setup.Add(new("presign_bucket_s", BucketWidth.TotalSeconds));
        _setup.Add(new("presigned_requests", total));
        _setup.Add(new("presign_ms", sw.Elapsed.TotalMilliseconds));
        _setup.Add(new("presign_us_per_request", sw.Elapsed.TotalMicroseconds / total));
        _setup.Add(new("ed25519_sign_us", signOnly.Elapsed.TotalMicroseconds / SignCalibrationCount));
        context.Log.WriteLine(
            $"  pre-signed {total} requests ({buckets} buckets of {BucketWidth.TotalSeconds:0} s) in {sw.Elapsed.TotalMilliseconds:0.0} ms " +
            $"= {sw.Elapsed.TotalMicroseconds / total:0.0} µs each; Ed25519 sign alone {signOnly.Elapsed.TotalMicroseconds / SignCalibrationCount:0.0} µs");
    }

    private long BucketTimestamp(int bucket) =>
        _firstBucketStartMs + ((long)bucket * (long)BucketWidth.TotalMilliseconds) + ((long)BucketWidth.TotalMilliseconds / 2);

    /// <summary>The bucket for node time <paramref name="nodeNowMs"/>, clamped to the signed range.</summary>
    private int BucketOf(long nodeNowMs)
    {
        var b = (nodeNowMs - _firstBucketStartMs) / (long)BucketWidth.TotalMilliseconds;
        return (int)Math.Clamp(b, 0, _bodies.Length - 1);
    }

    /// <summary>One connection's retrieves: mailboxes round-robin from a per-connection start.</summary>
    private sealed class Source(RetrieveWorkload workload, int start) : IRequestSource
    {
        private int _next = start;

        public ReadOnlyMemory<byte> Next(long nodeNowMs)
        {
            var body = workload._bodies[workload.BucketOf(nodeNowMs)][_next];
            _next = _next + 1 == workload._accounts.Length ? 0 : _next + 1;
            return body;
        }
    }
}
