using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionNode.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Watches membership views and pushes data when the swarms change (swarm.md §6.2, with our
/// recommendations): a member joining our swarm gets every message and revocation of the accounts our
/// swarm serves; accounts that now belong to another swarm are pushed to all of that swarm's members.
/// Namespaces are kept; nothing is deleted here. Pushes retry with backoff while the target does not
/// accept us yet (it may not have seen the new view). Owns only the last view it acted on.
/// </summary>
internal sealed partial class SwarmPushService : BackgroundService
{
    /// <summary>Largest batch payload (a quarter below the 16 MiB message limit, as in swarm.md §8.2).</summary>
    internal const int MaxBatchBytes = 8 * 1024 * 1024;

    /// <summary>Per-record framing overhead estimate (keys, integers, protobuf tags).</summary>
    private const int RecordOverhead = 96;

    /// <summary>Attempts per batch and target; with the backoff below this spans about five minutes.</summary>
    private const int MaxAttempts = 14;

    /// <summary>One push may carry 8 MiB; allow it time on a slow link (swarm.md §16: 15 s).</summary>
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(15);

    private readonly Membership _membership;
    private readonly MessageStore _store;
    private readonly PeerClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SwarmPushService(Membership membership, MessageStore store, PeerClient client, TimeProvider time, ILogger<SwarmPushService> logger)
    {
        _membership = membership;
        _store = store;
        _client = client;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MembershipSnapshot? previous = null;
        try
        {
            await foreach (var next in _membership.WatchAsync(stoppingToken))
            {
                if (previous is not null && SwarmChanges.Derive(previous, next) is { Any: true } changes)
                {
                    await PushChangesAsync(previous, next, changes, stoppingToken);
                }

                previous = next;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PushChangesAsync(MembershipSnapshot previous, MembershipSnapshot next, SwarmChanges changes, CancellationToken cancellationToken)
    {
        var self = next.Self!;
        if (changes.NewMembers.Count > 0)
        {
            LogNewMembers(_logger, changes.NewMembers.Count);
            var accounts = _store.EnumerateAccounts().Where(a => next.ServesAccount(a)).ToList();
            await PushAsync(accounts, changes.NewMembers, cancellationToken);
        }

        if (changes.PlacementChanged)
        {
            var moved = new Dictionary<ulong, List<AccountId>>();
            foreach (var account in _store.EnumerateAccounts())
            {
                if (SwarmChanges.MovedTo(previous, next, account.SwarmSpace) is { } target)
                {
                    if (!moved.TryGetValue(target, out var list))
                    {
                        moved[target] = list = [];
                    }

                    list.Add(account);
                }
            }

            foreach (var (swarmId, accounts) in moved)
            {
                var targets = next.Members(swarmId).Where(m => m.Ed25519Hex != self.Ed25519Hex).ToArray();
                LogMoved(_logger, accounts.Count, swarmId, targets.Length);
                await PushAsync(accounts, targets, cancellationToken);
            }
        }
    }

    /// <summary>Pushes the messages and revocations of <paramref name="accounts"/> to every target, batch by batch.</summary>
    private async Task PushAsync(List<AccountId> accounts, IReadOnlyList<ServiceNodeRecord> targets, CancellationToken cancellationToken)
    {
        if (accounts.Count == 0 || targets.Count == 0)
        {
            return;
        }

        var wanted = accounts.ToHashSet();
        foreach (var batch in Batches(wanted))
        {
            await Task.WhenAll(targets.Select(t => PushWithRetryAsync(t, batch, cancellationToken)));
        }
    }

    private IEnumerable<PushRequest> Batches(HashSet<AccountId> accounts)
    {
        var batch = new PushRequest();
        var size = 0;
        foreach (var account in accounts)
        {
            foreach (var (token, revokedAt) in _store.GetRevocations(account))
            {
                batch.Revocations.Add(new PushedRevocation
                {
                    Account = ByteString.CopyFrom(account.Span),
                    Token = ByteString.CopyFrom(token.Span),
                    RevokedAtMs = revokedAt,
                });
                size += RecordOverhead;
            }
        }

        foreach (var m in _store.EnumerateMessages(accounts.Contains))
        {
            var bytes = m.Data.Length + m.Hash.Length + RecordOverhead;
            if (size + bytes > MaxBatchBytes && (batch.Messages.Count > 0 || batch.Revocations.Count > 0))
            {
                yield return batch;
                batch = new PushRequest();
                size = 0;
            }

            batch.Messages.Add(new PushedMessage
            {
                Account = ByteString.CopyFrom(m.Account.Span),
                Namespace = m.Namespace.Id,
                Hash = m.Hash,
                TimestampMs = m.TimestampMs,
                ExpiryMs = m.ExpiryMs,
                Data = ByteString.CopyFrom(m.Data),
            });
            size += bytes;
        }

        if (batch.Messages.Count > 0 || batch.Revocations.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task PushWithRetryAsync(ServiceNodeRecord target, PushRequest batch, CancellationToken cancellationToken)
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
                await _client.PushAsync(current, batch, cts.Token);
                Telemetry.Pushed.Add(batch.Messages.Count);
                return;
            }
            catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt >= MaxAttempts)
                {
                    LogPushFailed(_logger, target.Ed25519Hex[..8], batch.Messages.Count, e.Message);
                    return;
                }
            }

            await Task.Delay(delay, _time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} new member(s) joined our swarm; pushing our swarm's data")]
    private static partial void LogNewMembers(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Accounts} account(s) moved to swarm {Swarm:x}; pushing to its {Targets} member(s)")]
    private static partial void LogMoved(ILogger logger, int accounts, ulong swarm, int targets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving up pushing {Messages} message(s) to {Peer}…: {Problem}")]
    private static partial void LogPushFailed(ILogger logger, string peer, int messages, string problem);
}
