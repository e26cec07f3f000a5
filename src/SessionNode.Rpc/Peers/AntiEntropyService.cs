using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Anti-entropy repair (see the Peers README): every <see cref="NetworkOptions.AntiEntropyInterval"/> it
/// picks the next member of our swarm (round-robin) and compares digests top-down — groups of 256
/// leaves, then leaves, then compact item lists of differing leaves — and exchanges only what differs,
/// both ways. Traffic is paced by a token bucket (<see cref="NetworkOptions.AntiEntropyBytesPerSecond"/>)
/// and a round stops after <see cref="NetworkOptions.AntiEntropyMaxRoundBytes"/>. A single-node swarm
/// skips rounds. Rounds never overlap; <see cref="RunRoundAsync"/> runs one now (tests, operators).
/// </summary>
public sealed partial class AntiEntropyService : BackgroundService
{
    /// <summary>Digests are compared "as of" this far ahead, so items about to expire never cause a mismatch.</summary>
    public static readonly TimeSpan AsOfLead = TimeSpan.FromSeconds(60);

    /// <summary>Leaves per first-level group.</summary>
    private const int GroupSize = 256;

    /// <summary>Differing leaves whose item lists are compared per exchange.</summary>
    private const int LeavesPerExchange = 1024;

    /// <summary>Ids per FetchItems request and items per PushItems request.</summary>
    private const int ItemsPerRequest = 2000;

    /// <summary>A push request is closed at about this many bytes.</summary>
    private const int PushBatchBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly NodeState _node;
    private readonly MessageStore _store;
    private readonly PeerClient _client;
    private readonly NetworkOptions _options;
    private readonly AntiEntropyStats _stats;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _roundLock = new(1, 1);
    private int _nextPeer;

    // Token bucket (bytes), refilled at AntiEntropyBytesPerSecond up to one second's worth; round-owned.
    private double _tokens;
    private long _tokensAtTicks;

    /// <summary>Creates the service (DI).</summary>
    public AntiEntropyService(NodeState node, MessageStore store, PeerClient client, IOptions<NetworkOptions> options, AntiEntropyStats stats, TimeProvider time, ILogger<AntiEntropyService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _node = node;
        _store = store;
        _client = client;
        _options = options.Value;
        _stats = stats;
        _time = time;
        _logger = logger;
        _tokens = _options.AntiEntropyBytesPerSecond;
        _tokensAtTicks = time.GetTimestamp();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _roundLock.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Runs one round with the next swarm peer now (waiting for a running round to finish first); null
    /// when there is no peer (not in a swarm, or alone in it).
    /// </summary>
    public async Task<AntiEntropyRoundResult?> RunRoundAsync(CancellationToken cancellationToken)
    {
        await _roundLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = _node.Membership.Current;
            if (!snapshot.SelfInSwarm)
            {
                _stats.Skipped();
                return null;
            }

            var self = snapshot.Self!;
            var peers = snapshot.Members(self.SwarmId).Where(m => m.Ed25519Hex != self.Ed25519Hex).ToArray();
            if (peers.Length == 0)
            {
                _stats.Skipped();
                return null;
            }

            var peer = peers[(int)((uint)_nextPeer++ % (uint)peers.Length)];
            return await RunRoundWithAsync(snapshot, peer, cancellationToken);
        }
        finally
        {
            _roundLock.Release();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.AntiEntropyInterval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(_options.AntiEntropyInterval, _time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunRoundAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRoundFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<AntiEntropyRoundResult> RunRoundWithAsync(MembershipSnapshot snapshot, ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        var round = new Round(peer);
        var started = _time.GetTimestamp();
        string? error = null;
        var completed = false;
        try
        {
            await CompareAsync(snapshot, round, cancellationToken);
            completed = !round.OverBudget;
            if (round.OverBudget)
            {
                error = "byte budget of the round reached";
            }
        }
        catch (Exception e) when (e is RpcException or InvalidDataException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            error = e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : e.Message;
            LogRoundError(_logger, peer.Ed25519Hex[..8], error);
        }

        var result = new AntiEntropyRoundResult(
            peer.Ed25519Hex,
            InSync: completed && round.DifferingLeaves == 0,
            completed,
            round.LeavesCompared,
            round.DifferingLeaves,
            round.Pulled,
            round.Pushed,
            round.BytesSent,
            round.BytesReceived,
            _time.GetElapsedTime(started),
            error);
        _stats.Record(result, _node.NowMs);
        if (result.DifferingLeaves > 0)
        {
            LogRepaired(_logger, peer.Ed25519Hex[..8], result.DifferingLeaves, result.Pulled, result.Pushed, result.BytesSent + result.BytesReceived, result.Duration.TotalSeconds);
        }

        return result;
    }

    private async Task CompareAsync(MembershipSnapshot snapshot, Round round, CancellationToken cancellationToken)
    {
        var now = _node.NowMs;
        var asOf = now + (long)AsOfLead.TotalMilliseconds;
        var (first, count) = AntiEntropyWire.SwarmLeafRange(snapshot, snapshot.Self!.SwarmId);
        round.LeavesCompared = count;

        // Level 1: groups of 256 leaves.
        var localLeaves = _store.LeafDigests(first, count, asOf);
        var localGroups = AntiEntropyWire.Group(localLeaves, GroupSize);
        var request = new DigestRequest { AsOfMs = asOf, FirstLeaf = (uint)first, LeafCount = (uint)count, GroupSize = GroupSize };
        var response = await CallAsync(round, request, (r, ct) => _client.GetDigestsAsync(round.Peer, r, ct), cancellationToken);
        var remoteGroups = AntiEntropyWire.UnpackDigests(response.Digests, localGroups.Length);

        // Level 2: leaves of the differing groups.
        var differing = new List<int>();
        for (var g = 0; g < localGroups.Length && !round.OverBudget; g++)
        {
            if (localGroups[g] == remoteGroups[g])
            {
                continue;
            }

            var groupFirst = g * GroupSize;
            var groupCount = Math.Min(GroupSize, count - groupFirst);
            var leafRequest = new DigestRequest { AsOfMs = asOf, FirstLeaf = (uint)((first + groupFirst) % MessageStore.LeafCount), LeafCount = (uint)groupCount, GroupSize = 1 };
            var leafResponse = await CallAsync(round, leafRequest, (r, ct) => _client.GetDigestsAsync(round.Peer, r, ct), cancellationToken);
            var remoteLeaves = AntiEntropyWire.UnpackDigests(leafResponse.Digests, groupCount);
            for (var i = 0; i < groupCount; i++)
            {
                if (localLeaves[groupFirst + i] != remoteLeaves[i])
                {
                    differing.Add((first + groupFirst + i) % MessageStore.LeafCount);
                }
            }
        }

        round.DifferingLeaves = differing.Count;

        // Level 3: item lists of the differing leaves, then the exchange.
        for (var offset = 0; offset < differing.Count && !round.OverBudget; offset += LeavesPerExchange)
        {
            var leaves = differing.GetRange(offset, Math.Min(LeavesPerExchange, differing.Count - offset));
            await ExchangeAsync(round, leaves, _node.NowMs, cancellationToken);
        }
    }

    private async Task ExchangeAsync(Round round, List<int> leaves, long cutMs, CancellationToken cancellationToken)
    {
        var itemsRequest = new ItemsRequest { AsOfMs = cutMs };
        itemsRequest.Leaves.AddRange(leaves.Select(l => (uint)l));
        var itemsResponse = await CallAsync(round, itemsRequest, (r, ct) => _client.GetItemsAsync(round.Peer, r, ct), cancellationToken);
        var remote = AntiEntropyWire.UnpackItems(itemsResponse.Items);

        var snapshot = _node.Membership.Current;
        var local = _store.ListLeafItems(leaves.ToHashSet(), cutMs, a => snapshot.ServesAccount(a));
        var (pull, push) = SyncPlanner.Plan(local, remote);

        // Pull what differs, in requests of ItemsPerRequest ids.
        for (var offset = 0; offset < pull.Count && !round.OverBudget; offset += ItemsPerRequest)
        {
            var fetch = new FetchRequest { AsOfMs = cutMs };
            fetch.Leaves.AddRange(itemsRequest.Leaves);
            fetch.Ids.AddRange(pull.GetRange(offset, Math.Min(ItemsPerRequest, pull.Count - offset)));
            var fetched = await CallAsync(round, fetch, (r, ct) => _client.FetchItemsAsync(round.Peer, r, ct), cancellationToken);
            var items = new List<SyncItem>(fetched.Items.Count);
            foreach (var proto in fetched.Items)
            {
                if (AntiEntropyWire.FromProto(proto) is { } item && snapshot.ServesAccount(item.Account))
                {
                    items.Add(item);
                }
            }

            round.Pulled += _store.ApplyRepair(items).Applied;
        }

        // Push ours, in requests of at most ItemsPerRequest items or PushBatchBytes.
        var batch = new PushItemsRequest();
        long batchBytes = 0;
        foreach (var item in push)
        {
            if (round.OverBudget)
            {
                return;
            }

            if (_store.WithData(item) is not { } full)
            {
                continue;
            }

            batch.Items.Add(AntiEntropyWire.ToProto(full));
            batchBytes += (full.Data?.Length ?? 0) + 128;
            if (batch.Items.Count >= ItemsPerRequest || batchBytes >= PushBatchBytes)
            {
                await PushAsync(round, batch, cancellationToken);
                batch = new PushItemsRequest();
                batchBytes = 0;
            }
        }

        if (batch.Items.Count > 0)
        {
            await PushAsync(round, batch, cancellationToken);
        }
    }

    private async Task PushAsync(Round round, PushItemsRequest batch, CancellationToken cancellationToken)
    {
        var response = await CallAsync(round, batch, (r, ct) => _client.PushItemsAsync(round.Peer, r, ct), cancellationToken);
        round.Pushed += response.Applied;
    }

    /// <summary>Paces, then makes one call with a timeout and counts its bytes against the round.</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(Round round, TRequest request, Func<TRequest, CancellationToken, Task<TResponse>> call, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : IMessage
    {
        var sent = request.CalculateSize();
        await PaceAsync(sent, cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(CallTimeout);
        var response = await call(request, cts.Token);
        var received = response.CalculateSize();
        round.BytesSent += sent;
        round.BytesReceived += received;
        round.OverBudget = round.BytesSent + round.BytesReceived >= _options.AntiEntropyMaxRoundBytes;
        await PaceAsync(received, cancellationToken);
        return response;
    }

    /// <summary>Token bucket: takes <paramref name="bytes"/>; waits (on the injected clock) while the bucket is in debt.</summary>
    private async Task PaceAsync(long bytes, CancellationToken cancellationToken)
    {
        var rate = (double)_options.AntiEntropyBytesPerSecond;
        var nowTicks = _time.GetTimestamp();
        var elapsed = (double)(nowTicks - _tokensAtTicks) / _time.TimestampFrequency;
        _tokensAtTicks = nowTicks;
        _tokens = Math.Min(rate, _tokens + (elapsed * rate)) - bytes;
        if (_tokens < 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(-_tokens / rate), _time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Anti-entropy with {Peer}…: {Leaves} differing leaves, pulled {Pulled}, pushed {Pushed} items, {Bytes} bytes in {Seconds:F2} s")]
    private static partial void LogRepaired(ILogger logger, string peer, int leaves, long pulled, long pushed, long bytes, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Anti-entropy round with {Peer}… stopped: {Problem}")]
    private static partial void LogRoundError(ILogger logger, string peer, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Anti-entropy round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    /// <summary>Working state of one round.</summary>
    private sealed class Round(ServiceNodeRecord peer)
    {
        public ServiceNodeRecord Peer { get; } = peer;

        public int LeavesCompared { get; set; }

        public int DifferingLeaves { get; set; }

        public long Pulled { get; set; }

        public long Pushed { get; set; }

        public long BytesSent { get; set; }

        public long BytesReceived { get; set; }

        public bool OverBudget { get; set; }
    }
}
