using Grpc.Core;
using Microsoft.Extensions.Logging;
using SessionNode.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Hands over everything held for a set of accounts to other nodes (swarm.md §6.2, over
/// handoff.proto's HandOver): messages with their data, tombstones, revocations and unrevocations, in
/// batches of at most 8 MiB, namespace kept, applied by the target like repair (so nothing deleted comes
/// back); each batch retried with backoff while a target does not accept it. Shared by <see cref="SwarmPushService"/> (hand-off on membership changes) and
/// <see cref="HandOffPurgeService"/> (re-push to new owners that cannot confirm). Stateless; owned by DI.
/// </summary>
internal sealed partial class SwarmPusher
{
    /// <summary>Largest batch payload (a quarter below the 16 MiB message limit, as in swarm.md §8.2).</summary>
    internal const int MaxBatchBytes = 8 * 1024 * 1024;

    /// <summary>Attempts per batch and target for a hand-off; with the backoff below this spans about five minutes.</summary>
    internal const int HandOffAttempts = 14;

    /// <summary>Per-record framing overhead estimate (keys, integers, protobuf tags).</summary>
    private const int RecordOverhead = 96;

    /// <summary>One push may carry 8 MiB; allow it time on a slow link (swarm.md §16: 15 s).</summary>
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(15);

    private readonly Membership _membership;
    private readonly MessageStore _store;
    private readonly PeerClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SwarmPusher(Membership membership, MessageStore store, PeerClient client, TimeProvider time, ILogger<SwarmPusher> logger)
    {
        _membership = membership;
        _store = store;
        _client = client;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Hands over the items of <paramref name="accounts"/> to every target, batch by batch,
    /// each batch up to <paramref name="maxAttempts"/> times per target; returns true if every target
    /// accepted every batch.
    /// </summary>
    public async Task<bool> PushAsync(IReadOnlyCollection<AccountId> accounts, IReadOnlyList<ServiceNodeRecord> targets, int maxAttempts, CancellationToken cancellationToken)
    {
        if (accounts.Count == 0 || targets.Count == 0)
        {
            return true;
        }

        var ok = true;
        foreach (var batch in Batches(accounts))
        {
            var results = await Task.WhenAll(targets.Select(t => PushWithRetryAsync(t, batch, maxAttempts, cancellationToken)));
            ok &= results.All(r => r);
        }

        return ok;
    }

    private IEnumerable<HandOverRequest> Batches(IReadOnlyCollection<AccountId> accounts)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = new HandOverRequest();
        var size = 0;
        foreach (var account in accounts)
        {
            foreach (var listed in _store.ListAccountItems(account, now))
            {
                // Messages are read with their data one at a time; one gone meanwhile is simply left out.
                if (_store.WithData(listed) is not { } item)
                {
                    continue;
                }

                var bytes = item.Key.Length + (item.Data?.Length ?? 0) + RecordOverhead;
                if (size + bytes > MaxBatchBytes && batch.Items.Count > 0)
                {
                    yield return batch;
                    batch = new HandOverRequest();
                    size = 0;
                }

                batch.Items.Add(AntiEntropyWire.ToProto(item));
                size += bytes;
            }
        }

        if (batch.Items.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task<bool> PushWithRetryAsync(ServiceNodeRecord target, HandOverRequest batch, int maxAttempts, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            // Re-read the target: its address may have changed since the view we act on.
            var current = _membership.Current.FindByEd25519(target.Ed25519Hex) ?? target;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(PushTimeout);
            try
            {
                await _client.HandOverAsync(current, batch, cts.Token);
                Telemetry.Pushed.Add(batch.Items.Count);
                return true;
            }
            catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt >= maxAttempts)
                {
                    LogPushFailed(_logger, target.Ed25519Hex[..8], batch.Items.Count, e.Message);
                    return false;
                }
            }

            await Task.Delay(delay, _time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving up handing over {Items} item(s) to {Peer}…: {Problem}")]
    private static partial void LogPushFailed(ILogger logger, string peer, int items, string problem);
}
