using System.Security.Cryptography;
using System.Text;
using SessionNode.Core;

namespace SessionNode.LoadGen.Workloads;

/// <summary>
/// Unauthenticated <c>store</c> to namespace 0 (client-rpc.md §9.1) of <c>messageBytes</c>-byte messages, each
/// to a recipient drawn at random from a pool of random <c>05…</c> Session IDs, each with distinct data.
/// Setup and state are read-only after <see cref="PrepareAsync"/>; each connection's source owns its template.
/// </summary>
internal sealed class StoreWorkload : IWorkload
{
    /// <summary>Default recipient pool: the size the shared wrk harness uses (PUBKEYS), so results compare.</summary>
    public const int DefaultAccounts = 10_000;

    /// <summary>One hour: far above any run, well inside the 14-day public-inbox maximum.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(1);

    /// <summary>Tag of the verification request's data; connections use 0…connections−1.</summary>
    private const uint VerificationTag = uint.MaxValue;

    private readonly int _messageBytes;
    private readonly int _minSwarm;
    private readonly List<KeyValuePair<string, double>> _setup = [];
    private byte[] _filler = [];
    private AccountId[] _accounts = [];
    private byte[] _pubkeyHex = [];

    /// <param name="name">The workload's name.</param>
    /// <param name="messageBytes">Size of each message's data.</param>
    /// <param name="minSwarm">
    /// Nodes the verification store's answer must list (all with valid signatures): 2 or more makes it a
    /// replicated store, answered only after every member did (client-rpc.md §8).
    /// </param>
    public StoreWorkload(string name, int messageBytes, int minSwarm = 1)
    {
        Name = name;
        _messageBytes = messageBytes;
        _minSwarm = minSwarm;
    }

    public string Name { get; }

    public string Path => WorkloadPaths.StorageRpc;

    public string ContentType => WorkloadPaths.Json;

    public IReadOnlyList<KeyValuePair<string, double>> Setup => _setup;

    public Task PrepareAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var count = context.Accounts ?? DefaultAccounts;
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(context), "--accounts must be at least 1.");
        }

        _filler = RandomNumberGenerator.GetBytes(_messageBytes);
        _accounts = new AccountId[count];
        _pubkeyHex = new byte[count * StoreBodyTemplate.PubkeyHexLength];
        Span<byte> key = stackalloc byte[AccountId.KeyLength];
        for (var i = 0; i < count; i++)
        {
            // Random 05 ids: unsigned public-inbox stores need no keys, only distinct mailboxes.
            RandomNumberGenerator.Fill(key);
            _accounts[i] = AccountId.FromPrefixAndKey(AccountId.SessionPrefix, key);
            Encoding.ASCII.GetBytes(_accounts[i].ToHex(), _pubkeyHex.AsSpan(i * StoreBodyTemplate.PubkeyHexLength, StoreBodyTemplate.PubkeyHexLength));
        }

        _setup.Add(new("accounts", count));
        _setup.Add(new("message_bytes", _messageBytes));
        _setup.Add(new("ttl_s", Ttl.TotalSeconds));
        return Task.CompletedTask;
    }

    public async Task VerifyAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var template = new StoreBodyTemplate(_filler, (long)Ttl.TotalMilliseconds, VerificationTag);
        var now = client.Requests.NowMs;
        var body = template.Write(PubkeyHex(0), now, counter: 0).ToArray();

        // The hot loop's bytes must be exactly what the typed client would send for the same message.
        var request = client.Requests.Store(_accounts[0], template.Data.ToArray(), Namespace.Default, Ttl, timestamp: now);
        var expected = request.ToJsonBytes();
        if (!body.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException(
                $"{Name}: the pre-built body differs from the client's.\n  ours:   {Truncate(body)}\n  client: {Truncate(expected)}");
        }

        var raw = await client.PostRawAsync(body, Path, cancellationToken: cancellationToken);
        if (!raw.IsSuccess)
        {
            throw new InvalidOperationException($"{Name}: verification store answered {raw.StatusCode}: {raw.BodyText}");
        }

        var result = request.ParseResponse(raw.Body);
        if (!result.HashMatches || !result.AllSucceeded || !result.SignaturesValid)
        {
            throw new InvalidOperationException(
                $"{Name}: verification store not confirmed (hash matches {result.HashMatches}, all succeeded {result.AllSucceeded}, signatures valid {result.SignaturesValid}).");
        }

        if (result.Swarm.Count < _minSwarm)
        {
            throw new InvalidOperationException(
                $"{Name}: the verification store was answered by {result.Swarm.Count} node(s), expected a swarm of at least {_minSwarm}.");
        }

        if (result.Succeeded.Any(e => e.Already))
        {
            throw new InvalidOperationException($"{Name}: the node already had the verification message; data is not distinct.");
        }

        context.Log.WriteLine($"  verified: store {result.Hash} to {_accounts[0].ToHex()[..10]}…, {result.Swarm.Count} node signature(s) valid");
    }

    public IRequestSource CreateSource(int connection, int connections) =>
        new Source(this, new StoreBodyTemplate(_filler, (long)Ttl.TotalMilliseconds, (uint)connection), connection);

    public void Dispose()
    {
    }

    internal ReadOnlySpan<byte> PubkeyHex(int account) =>
        _pubkeyHex.AsSpan(account * StoreBodyTemplate.PubkeyHexLength, StoreBodyTemplate.PubkeyHexLength);

    private static string Truncate(ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]);

    /// <summary>One connection's stores: random recipient, counter in the data, current node time.</summary>
    private sealed class Source(StoreWorkload workload, StoreBodyTemplate template, int connection) : IRequestSource
    {
        // Seeded per connection so runs pick recipients the same way; not security relevant.
        private readonly Random _random = new(connection + 1);
        private long _counter;

        public ReadOnlyMemory<byte> Next(long nodeNowMs) =>
            template.Write(workload.PubkeyHex(_random.Next(workload._accounts.Length)), nodeNowMs, _counter++);
    }
}
