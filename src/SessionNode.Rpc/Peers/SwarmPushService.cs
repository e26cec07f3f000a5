using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionNode.Core;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Watches membership views and pushes data when the swarms change (swarm.md §6.2, with our
/// recommendations): a member joining our swarm gets everything held for the accounts our swarm serves
/// (every account <see cref="MessageStore.EnumerateHeldAccounts"/> lists, so also those holding only
/// revocations, unrevocations or tombstones); accounts that now belong to another swarm are pushed to all of that swarm's members;
/// when we move into another swarm, what we hold for its accounts is pushed to its other members.
/// Namespaces are kept; nothing is deleted here (<see cref="HandOffPurgeService"/> purges handed-over
/// accounts once their new owners confirm them). Pushes (<see cref="SwarmPusher"/>) retry with backoff
/// while the target does not accept us yet (it may not have seen the new view). Owns only the last view
/// it acted on.
/// </summary>
internal sealed partial class SwarmPushService : BackgroundService
{
    private readonly Membership _membership;
    private readonly MessageStore _store;
    private readonly SwarmPusher _pusher;
    private readonly ILogger _logger;

    public SwarmPushService(Membership membership, MessageStore store, SwarmPusher pusher, ILogger<SwarmPushService> logger)
    {
        _membership = membership;
        _store = store;
        _pusher = pusher;
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
            var accounts = _store.EnumerateHeldAccounts().Where(a => next.ServesAccount(a)).ToList();
            await _pusher.PushAsync(accounts, changes.NewMembers, SwarmPusher.HandOffAttempts, cancellationToken);
        }

        if (previous.Self!.SwarmId != self.SwarmId)
        {
            // We joined another swarm (e.g. two swarms merged): its other members may lack what we
            // hold for the accounts it serves, and nobody else pushes it to them.
            var members = next.Members(self.SwarmId).Where(m => m.Ed25519Hex != self.Ed25519Hex).ToArray();
            var accounts = _store.EnumerateHeldAccounts().Where(a => next.ServesAccount(a)).ToList();
            if (members.Length > 0 && accounts.Count > 0)
            {
                LogJoinedSwarm(_logger, self.SwarmId, accounts.Count, members.Length);
                await _pusher.PushAsync(accounts, members, SwarmPusher.HandOffAttempts, cancellationToken);
            }
        }

        if (changes.PlacementChanged)
        {
            var moved = new Dictionary<ulong, List<AccountId>>();
            foreach (var account in _store.EnumerateHeldAccounts())
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
                await _pusher.PushAsync(accounts, targets, SwarmPusher.HandOffAttempts, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "We joined swarm {Swarm:x}; pushing {Accounts} account(s) it serves to its {Members} other member(s)")]
    private static partial void LogJoinedSwarm(ILogger logger, ulong swarm, int accounts, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} new member(s) joined our swarm; pushing our swarm's data")]
    private static partial void LogNewMembers(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Accounts} account(s) moved to swarm {Swarm:x}; pushing to its {Targets} member(s)")]
    private static partial void LogMoved(ILogger logger, int accounts, ulong swarm, int targets);
}
