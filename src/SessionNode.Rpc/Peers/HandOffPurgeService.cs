using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Core;
using SessionNode.Rpc.Admin;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Purges accounts this node holds but its swarm no longer serves ("foreign"), once their new owners
/// hold them. Every <see cref="NetworkOptions.PurgeInterval"/> (and right after account placement
/// changes) a pass classifies the held accounts (<see cref="MessageStore.EnumerateHeldAccounts"/>: with
/// messages, tombstones, revocations or unrevocations); an account foreign continuously for
/// <see cref="NetworkOptions.PurgeGracePeriod"/> is checked with EVERY member of its owning swarm
/// (handoff.proto: their digest as of a time we choose must equal ours). Confirmed by all → purged; a
/// member whose digest differs gets the account pushed again (<see cref="SwarmPusher"/>) and it is
/// checked again next pass, when — if that hand-over was complete and our data unchanged — the member
/// also confirms by holding a version of each of our items (it changed the account since); an
/// unreachable member, or an owning swarm without members, means no purge.
/// At most <see cref="NetworkOptions.PurgeBatchAccounts"/> accounts are checked per pass (round-robin).
/// Also the <c>ownership</c> stats section. The pass loop owns the foreign-since table (shared with the
/// membership watcher under a lock); the stats are an immutable record swapped after each pass.
/// </summary>
internal sealed partial class HandOffPurgeService : BackgroundService, IStatsContributor
{
    /// <summary>
    /// The digests leave out items expiring within this lead of now, so a sweep on either side during
    /// the exchange cannot make them differ.
    /// </summary>
    internal static readonly TimeSpan AsOfLead = TimeSpan.FromSeconds(60);

    /// <summary>One confirmation call (1 000 prefix scans on the callee at most): generous on a loaded node.</summary>
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Accounts per id-listing call: 100 accounts of 10 000 items each is an 8 MB answer, within the 16 MiB limit.</summary>
    private const int IdsAccountsPerCall = 100;

    /// <summary>A re-push inside a pass is tried this often per batch and member (0.25 + 0.5 s of backoff); the next pass retries.</summary>
    private const int RepushAttempts = 3;

    private readonly Membership _membership;
    private readonly MessageStore _store;
    private readonly PeerClient _client;
    private readonly SwarmPusher _pusher;
    private readonly NetworkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);

    // Accounts seen foreign → unix ms of the pass that first saw them so (continuously since).
    private readonly Lock _foreignLock = new();
    private readonly Dictionary<AccountId, long> _foreignSince = [];

    // Owned by the pass loop: the batch cursor, and per (account, member) our AccountDigest(account, 0)
    // when a hand-over of everything we hold for it to that member last succeeded.
    private readonly Dictionary<(AccountId Account, string Member), ItemDigest> _handedOver = [];
    private AccountId? _cursor;

    private OwnershipStats? _stats;
    private long _purgedAccounts;
    private long _purgedMessages;
    private long _purgedBytes;
    private long _repushedAccounts;
    private long _confirmedByIds;
    private long _passes;

    public HandOffPurgeService(Membership membership, MessageStore store, PeerClient client, SwarmPusher pusher, IOptions<NetworkOptions> options, TimeProvider time, ILogger<HandOffPurgeService> logger)
    {
        _membership = membership;
        _store = store;
        _client = client;
        _pusher = pusher;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public string Section => "ownership";

    /// <summary>Completed passes (tests wait on it).</summary>
    internal long Passes => Interlocked.Read(ref _passes);

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    public void WriteStats(Utf8JsonWriter writer)
    {
        var stats = Volatile.Read(ref _stats);
        writer.WriteNumber("passes", Passes);
        if (stats is null)
        {
            writer.WriteNull("last_pass_ms");
        }
        else
        {
            writer.WriteNumber("last_pass_ms", stats.PassMs);
            writer.WriteNumber("last_pass_duration_ms", stats.DurationMs);
            writer.WriteBoolean("in_swarm", stats.InSwarm);
            writer.WriteNumber("owned_accounts", stats.OwnedAccounts);
            writer.WriteNumber("foreign_accounts", stats.ForeignAccounts);
            writer.WriteNumber("owned_bytes", stats.OwnedBytes);
            writer.WriteNumber("foreign_bytes", stats.ForeignBytes);
            writer.WriteNumber("in_grace_accounts", stats.InGraceAccounts);
            writer.WriteNumber("pending_confirmation_accounts", stats.PendingAccounts);
        }

        writer.WriteNumber("purged_accounts", Interlocked.Read(ref _purgedAccounts));
        writer.WriteNumber("purged_messages", Interlocked.Read(ref _purgedMessages));
        writer.WriteNumber("purged_bytes", Interlocked.Read(ref _purgedBytes));
        writer.WriteNumber("repushed_accounts", Interlocked.Read(ref _repushedAccounts));
        writer.WriteNumber("confirmed_by_ids", Interlocked.Read(ref _confirmedByIds));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watcher = WatchPlacementAsync(stoppingToken);
        try
        {
            // One wake waiter at a time, kept across timer ticks, so no Release is swallowed.
            Task? wake = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                wake ??= _wake.WaitAsync(stoppingToken);
                using (var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    if (await Task.WhenAny(wake, Task.Delay(_options.PurgeInterval, _time, tick.Token)) == wake)
                    {
                        wake = null;
                    }

                    await tick.CancelAsync();
                }

                stoppingToken.ThrowIfCancellationRequested();
                await RunPassAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await watcher;
    }

    /// <summary>
    /// Resets the grace of accounts that became ours again (however briefly) and wakes the pass loop
    /// when placement changed.
    /// </summary>
    private async Task WatchPlacementAsync(CancellationToken stoppingToken)
    {
        MembershipSnapshot? previous = null;
        try
        {
            await foreach (var next in _membership.WatchAsync(stoppingToken))
            {
                lock (_foreignLock)
                {
                    foreach (var account in _foreignSince.Keys.Where(a => next.ServesAccount(a)).ToList())
                    {
                        _foreignSince.Remove(account);
                    }
                }

                if (previous is null || PlacementChanged(previous, next))
                {
                    Wake();
                }

                previous = next;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static bool PlacementChanged(MembershipSnapshot previous, MembershipSnapshot next) =>
        previous.SelfInSwarm != next.SelfInSwarm
        || previous.Self?.SwarmId != next.Self?.SwarmId
        || !previous.SwarmIds.SequenceEqual(next.SwarmIds);

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already due.
        }
    }

    /// <summary>One pass: classify, account for sizes, check a batch of due accounts, purge the confirmed.</summary>
    internal async Task RunPassAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var snapshot = _membership.Current;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!snapshot.SelfInSwarm)
        {
            // Not serving anything (not yet in a swarm, or deregistered): no owner to hand over to is
            // known for sure, so nothing is foreign and nothing is purged.
            lock (_foreignLock)
            {
                _foreignSince.Clear();
            }

            Publish(new OwnershipStats(now, 0, InSwarm: false, _store.EnumerateHeldAccounts().LongCount(), 0, _store.LogicalBytes, 0, 0, 0), started);
            return;
        }

        long owned = 0;
        var foreign = new List<AccountId>();
        foreach (var account in _store.EnumerateHeldAccounts())
        {
            if (snapshot.ServesAccount(account))
            {
                owned++;
            }
            else
            {
                foreign.Add(account);
            }
        }

        var foreignSet = foreign.ToHashSet();
        var foreignBytes = foreign.Count > 0 ? _store.LogicalBytesOf(foreignSet.Contains) : 0;

        var due = new List<AccountId>();
        lock (_foreignLock)
        {
            foreach (var account in _foreignSince.Keys.Where(a => !foreignSet.Contains(a)).ToList())
            {
                _foreignSince.Remove(account);
            }

            var grace = (long)_options.PurgeGracePeriod.TotalMilliseconds;
            foreach (var account in foreign)
            {
                if (!_foreignSince.TryGetValue(account, out var since))
                {
                    _foreignSince[account] = since = now;
                }

                if (now - since >= grace)
                {
                    due.Add(account);
                }
            }
        }

        foreach (var key in _handedOver.Keys.Where(k => !foreignSet.Contains(k.Account)).ToList())
        {
            _handedOver.Remove(key);
        }

        var batch = TakeBatch(due);
        var (purgedAccounts, purgedMessages, purgedBytes) = batch.Count == 0 ? default : await CheckAndPurgeAsync(snapshot, batch, cancellationToken);
        if (purgedAccounts > 0)
        {
            LogPurged(_logger, purgedAccounts, purgedMessages, purgedBytes, due.Count - purgedAccounts);
        }

        Publish(
            new OwnershipStats(
                now,
                0,
                InSwarm: true,
                owned,
                foreign.Count - purgedAccounts,
                Math.Max(0, _store.LogicalBytes - (foreignBytes - purgedBytes)),
                Math.Max(0, foreignBytes - purgedBytes),
                foreign.Count - due.Count,
                due.Count - purgedAccounts),
            started);
    }

    /// <summary>Up to a batch of due accounts (held in byte order), continuing after the last pass's batch.</summary>
    private List<AccountId> TakeBatch(List<AccountId> due)
    {
        var limit = _options.PurgeBatchAccounts;
        if (due.Count <= limit)
        {
            _cursor = null;
            return due;
        }

        var start = 0;
        if (_cursor is { } cursor)
        {
            start = due.FindIndex(a => a.Span.SequenceCompareTo(cursor.Span) > 0);
            if (start < 0)
            {
                start = 0;
            }
        }

        var batch = new List<AccountId>(limit);
        for (var i = 0; i < limit; i++)
        {
            batch.Add(due[(start + i) % due.Count]);
        }

        _cursor = batch[^1];
        return batch;
    }

    private async Task<(long Accounts, long Messages, long Bytes)> CheckAndPurgeAsync(MembershipSnapshot snapshot, List<AccountId> batch, CancellationToken cancellationToken)
    {
        long accounts = 0, messages = 0, bytes = 0;
        var bySwarm = new Dictionary<ulong, List<AccountId>>();
        foreach (var account in batch)
        {
            if (snapshot.TryGetSwarm(account, out var swarmId))
            {
                if (!bySwarm.TryGetValue(swarmId, out var list))
                {
                    bySwarm[swarmId] = list = [];
                }

                list.Add(account);
            }
        }

        foreach (var (swarmId, group) in bySwarm)
        {
            var members = snapshot.Members(swarmId).Where(m => m.Ed25519Hex != snapshot.Self!.Ed25519Hex).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            for (var offset = 0; offset < group.Count; offset += HandOffService.MaxAccountsPerCall)
            {
                var chunk = group.GetRange(offset, Math.Min(HandOffService.MaxAccountsPerCall, group.Count - offset));
                var (a, m, b) = await CheckChunkAsync(swarmId, members, chunk, cancellationToken);
                accounts += a;
                messages += m;
                bytes += b;
            }
        }

        return (accounts, messages, bytes);
    }

    private async Task<(long Accounts, long Messages, long Bytes)> CheckChunkAsync(ulong swarmId, ServiceNodeRecord[] members, List<AccountId> chunk, CancellationToken cancellationToken)
    {
        var asOf = _time.GetUtcNow().Add(AsOfLead).ToUnixTimeMilliseconds();
        var request = new ConfirmHoldingsRequest { AsOfMs = asOf };
        var ours = new ItemDigest[chunk.Count];
        for (var i = 0; i < chunk.Count; i++)
        {
            request.Accounts.Add(ByteString.CopyFrom(chunk[i].Span));
            ours[i] = _store.AccountDigest(chunk[i], asOf);
        }

        // Per member: the indexes (into chunk) whose digest matched ours; null when it did not answer.
        var answers = await Task.WhenAll(members.Select(member => AskAsync(member, request, ours, cancellationToken)));
        var confirmedBy = new int[chunk.Count];
        var reachable = 0;
        for (var k = 0; k < members.Length; k++)
        {
            if (answers[k] is not { } matched)
            {
                continue;
            }

            reachable++;
            await ConfirmByIdsAsync(members[k], chunk, matched, asOf, cancellationToken);
            var stale = new List<AccountId>();
            for (var i = 0; i < chunk.Count; i++)
            {
                if (matched[i])
                {
                    confirmedBy[i]++;
                }
                else
                {
                    stale.Add(chunk[i]);
                }
            }

            if (stale.Count > 0)
            {
                LogRepush(_logger, stale.Count, members[k].Ed25519Hex[..8]);
                Interlocked.Add(ref _repushedAccounts, stale.Count);
                var before = stale.ConvertAll(a => _store.AccountDigest(a, 0));
                if (await _pusher.PushAsync(stale, [members[k]], RepushAttempts, cancellationToken))
                {
                    for (var j = 0; j < stale.Count; j++)
                    {
                        _handedOver[(stale[j], members[k].Ed25519Hex)] = before[j];
                    }
                }
            }
        }

        if (reachable < members.Length)
        {
            LogUnconfirmed(_logger, chunk.Count, swarmId, members.Length - reachable, members.Length);
        }

        long accounts = 0, messages = 0, bytes = 0;
        for (var i = 0; i < chunk.Count; i++)
        {
            if (confirmedBy[i] != members.Length)
            {
                continue;
            }

            // The view or our data may have moved on since we asked: purge only what was confirmed.
            var current = _membership.Current;
            if (!current.SelfInSwarm || current.ServesAccount(chunk[i])
                || !current.TryGetSwarm(chunk[i], out var owner) || owner != swarmId
                || ours[i] != _store.AccountDigest(chunk[i], asOf))
            {
                continue;
            }

            var (m, b) = _store.PurgeAccount(chunk[i]);
            foreach (var member in members)
            {
                _handedOver.Remove((chunk[i], member.Ed25519Hex));
            }

            lock (_foreignLock)
            {
                _foreignSince.Remove(chunk[i]);
            }

            Telemetry.PurgedAccounts.Add(1);
            Telemetry.PurgedBytes.Add(b);
            Interlocked.Increment(ref _purgedAccounts);
            Interlocked.Add(ref _purgedMessages, m);
            Interlocked.Add(ref _purgedBytes, b);
            accounts++;
            messages += m;
            bytes += b;
        }

        return (accounts, messages, bytes);
    }

    /// <summary>
    /// Second chance for accounts whose digest differs on <paramref name="member"/>: if everything we hold
    /// for the account was handed over to it completely, and our data has not changed since, the member
    /// applied every item of ours that wins by the repair rules; a remaining difference is the member's
    /// own newer state (new messages, deletes, expiry changes made there). It confirms the account when it
    /// holds a version of each of our items (by item id). Sets <paramref name="matched"/>[i] when so.
    /// </summary>
    private async Task ConfirmByIdsAsync(ServiceNodeRecord member, List<AccountId> chunk, bool[] matched, long asOf, CancellationToken cancellationToken)
    {
        var candidates = new List<int>();
        for (var i = 0; i < chunk.Count; i++)
        {
            if (!matched[i] && _handedOver.TryGetValue((chunk[i], member.Ed25519Hex), out var handed) && handed == _store.AccountDigest(chunk[i], 0))
            {
                candidates.Add(i);
            }
        }

        if (candidates.Count == 0)
        {
            return;
        }

        for (var offset = 0; offset < candidates.Count; offset += IdsAccountsPerCall)
        {
            var group = candidates.GetRange(offset, Math.Min(IdsAccountsPerCall, candidates.Count - offset));
            var request = new ConfirmHoldingsRequest { AsOfMs = asOf, IncludeIds = true };
            request.Accounts.AddRange(group.Select(i => ByteString.CopyFrom(chunk[i].Span)));
            // No answer also covers one above the message limit (accounts with very many items): no confirmation.
            if (await TryConfirmHoldingsAsync(member, request, cancellationToken) is not { } response || response.Holdings.Count != group.Count)
            {
                continue;
            }

            for (var c = 0; c < group.Count; c++)
            {
                var i = group[c];
                var holding = response.Holdings[c];
                if (!holding.Account.Equals(request.Accounts[c]))
                {
                    continue;
                }

                var theirs = holding.Ids.ToHashSet();
                if (_store.ListAccountItems(chunk[i], asOf).All(item => theirs.Contains(item.Id)))
                {
                    matched[i] = true;
                    Interlocked.Increment(ref _confirmedByIds);
                }
            }
        }
    }

    /// <summary>Asks one member; per account whether its digest and count equal ours, or null if it did not answer properly.</summary>
    private async Task<bool[]?> AskAsync(ServiceNodeRecord member, ConfirmHoldingsRequest request, ItemDigest[] ours, CancellationToken cancellationToken)
    {
        if (await TryConfirmHoldingsAsync(member, request, cancellationToken) is not { } response)
        {
            return null;
        }

        if (response.Holdings.Count != request.Accounts.Count)
        {
            LogAskFailed(_logger, member.Ed25519Hex[..8], "answer does not list every asked account");
            return null;
        }

        var matched = new bool[ours.Length];
        for (var i = 0; i < ours.Length; i++)
        {
            var holding = response.Holdings[i];
            matched[i] = holding.Account.Equals(request.Accounts[i])
                && holding.Count == ours[i].Count
                && holding.Digest.Length == 16
                && ItemDigest.ReadHash(holding.Digest.Span) == ours[i].Hash;
        }

        return matched;
    }

    /// <summary>One ConfirmHoldings call within <see cref="ConfirmTimeout"/>; null (logged) when the member did not answer.</summary>
    private async Task<ConfirmHoldingsResponse?> TryConfirmHoldingsAsync(ServiceNodeRecord member, ConfirmHoldingsRequest request, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(ConfirmTimeout);
        try
        {
            return await _client.ConfirmHoldingsAsync(_membership.Current.FindByEd25519(member.Ed25519Hex) ?? member, request, cts.Token);
        }
        catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogAskFailed(_logger, member.Ed25519Hex[..8], e.Message);
            return null;
        }
    }

    private void Publish(OwnershipStats stats, long started)
    {
        Volatile.Write(ref _stats, stats with { DurationMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds });
        Interlocked.Increment(ref _passes);
    }

    /// <summary>What the last pass found (accounts and logical bytes, expired-not-swept messages included).</summary>
    private sealed record OwnershipStats(
        long PassMs,
        long DurationMs,
        bool InSwarm,
        long OwnedAccounts,
        long ForeignAccounts,
        long OwnedBytes,
        long ForeignBytes,
        long InGraceAccounts,
        long PendingAccounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Accounts} handed-over account(s) ({Messages} messages, {Bytes} bytes) after their new owners confirmed them; {Pending} still await confirmation")]
    private static partial void LogPurged(ILogger logger, long accounts, long messages, long bytes, long pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Accounts} handed-over account(s) differ on {Peer}…; pushing them again")]
    private static partial void LogRepush(ILogger logger, int accounts, string peer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Accounts} handed-over account(s) of swarm {Swarm:x} stay: {Missing} of its {Members} member(s) did not answer")]
    private static partial void LogUnconfirmed(ILogger logger, int accounts, ulong swarm, int missing, int members);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hand-off confirmation from {Peer}… failed: {Problem}")]
    private static partial void LogAskFailed(ILogger logger, string peer, string problem);
}
