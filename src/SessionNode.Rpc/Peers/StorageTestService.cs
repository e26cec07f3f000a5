using System.Security.Cryptography;
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
/// The tester side of storage tests (Rpc Peers README "Storage tests"). Every <see cref="StorageTestOptions.StorageTestInterval"/>
/// (±10%) it repeats the pending challenges (retries) and challenges a suspect peer (one counted failure) or else
/// the next swarm peer in round-robin order with a random message of its own store: old enough to have replicated,
/// not about to expire, of an account our swarm serves. Peers that joined our swarm less than
/// <see cref="StorageTestOptions.StorageTestMinAge"/> ago, peers we know unreachable and peers our retry queue
/// still owes writes are left alone while they catch up. Answers go to <see cref="StorageTestTracker"/>. Owns the round-robin position and
/// the join times; runs on one loop.
/// </summary>
internal sealed partial class StorageTestService : BackgroundService
{
    private readonly NodeState _node;
    private readonly MessageStore _store;
    private readonly PeerClient _client;
    private readonly StorageTestTracker _tracker;
    private readonly PeerHealth _health;
    private readonly PeerRetryQueue _queue;
    private readonly StorageTestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _memberSince = new(StringComparer.Ordinal);
    private readonly Random _random = new();
    private int _next;

    public StorageTestService(
        NodeState node, MessageStore store, PeerClient client, StorageTestTracker tracker, PeerHealth health, PeerRetryQueue queue, IOptions<StorageTestOptions> options, ILogger<StorageTestService> logger)
    {
        _health = health;
        _queue = queue;
        _node = node;
        _store = store;
        _client = client;
        _tracker = tracker;
        _options = options.Value;
        _time = node.Time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.StorageTestEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // ±10% jitter, so the members of a swarm do not all test at the same moment.
                var delay = _options.StorageTestInterval * (0.9 + (0.2 * _random.NextDouble()));
                await Task.Delay(delay, _time, stoppingToken);
                await RoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One round: the pending retries, then one fresh challenge.</summary>
    internal async Task RoundAsync(CancellationToken cancellationToken)
    {
        var snapshot = _node.Membership.Current;
        if (_node.ShuttingDown || snapshot.Self is not { } self || !snapshot.SelfInSwarm)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var peers = snapshot.Members(self.SwarmId).Where(p => p.Ed25519Hex != self.Ed25519Hex && p.PeerPort != 0).ToList();
        foreach (var gone in _memberSince.Keys.Where(k => !peers.Exists(p => p.Ed25519Hex == k)).ToList())
        {
            _memberSince.Remove(gone);
            _tracker.Abandon(gone);
        }

        var eligible = new List<ServiceNodeRecord>(peers.Count);
        foreach (var peer in peers)
        {
            if (!_memberSince.TryGetValue(peer.Ed25519Hex, out var since))
            {
                _memberSince[peer.Ed25519Hex] = since = now;
            }

            // Still catching up with our own writes: testing now would only measure replication lag.
            var catchingUp = _health.IsUnreachable(peer.Ed25519Hex) || _queue.Depth(peer.Ed25519Hex) > 0;
            if (now - since >= _options.StorageTestMinAge && !catchingUp)
            {
                eligible.Add(peer);
            }
        }

        var fresh = new List<ServiceNodeRecord>(eligible.Count);
        foreach (var peer in eligible)
        {
            if (_tracker.Pending(peer.Ed25519Hex) is not { } pending)
            {
                fresh.Add(peer);
                continue;
            }

            // The same message again; if it is gone here too (deleted or expired), so is the question.
            if (_store.GetByHash(pending.Hash) is { } message && snapshot.ServesAccount(message.Account))
            {
                await ChallengeAsync(snapshot, peer, message, cancellationToken);
            }
            else
            {
                _tracker.Abandon(peer.Ed25519Hex);
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        // A suspect (one counted failure, not failing yet) goes first, so confirming a loss does not wait a
        // whole round-robin cycle of a large swarm; otherwise round-robin.
        var target = fresh.Find(p => _tracker.IsSuspect(p.Ed25519Hex)) ?? fresh[(int)((uint)_next++ % (uint)fresh.Count)];
        var nowMs = now.ToUnixTimeMilliseconds();
        if (!_store.TrySampleMessage(
            _random,
            a => snapshot.ServesAccount(a),
            storedBeforeMs: nowMs - (long)_options.StorageTestMinAge.TotalMilliseconds,
            expiresAfterMs: nowMs + (long)_options.StorageTestMinRemaining.TotalMilliseconds,
            out var sample) || sample is null)
        {
            LogNothingToTest(_logger);
            return;
        }

        await ChallengeAsync(snapshot, target, sample, cancellationToken);
    }

    private async Task ChallengeAsync(MembershipSnapshot snapshot, ServiceNodeRecord peer, StoredMessage message, CancellationToken cancellationToken)
    {
        var salt = RandomNumberGenerator.GetBytes(StorageTestProof.SaltLength);
        Span<byte> nonce = stackalloc byte[StorageTestProof.Length];
        var expected = new byte[StorageTestProof.Length];
        StorageTestProof.DeriveNonce(_node.Keys.PublicKey, peer.Ed25519, snapshot.Version, salt, message.Hash, nonce);
        StorageTestProof.ComputeProof(nonce, message.Account, message.Namespace, message.Data, expected);
        var request = new ChallengeRequest
        {
            Account = ByteString.CopyFrom(message.Account.Span),
            Hash = message.Hash,
            MembershipVersion = snapshot.Version,
            Salt = UnsafeByteOperations.UnsafeWrap(salt),
        };

        ChallengeAnswer answer;
        using (var timeout = new CancellationTokenSource(_options.StorageTestTimeout, _time))
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                var response = await _client.StorageTestAsync(peer, request, cts.Token);
                answer = response.Status switch
                {
                    ChallengeStatus.Proof when response.Proof.Span.SequenceEqual(expected) => ChallengeAnswer.Proven,
                    ChallengeStatus.Proof => ChallengeAnswer.WrongProof,
                    ChallengeStatus.NotFound => ChallengeAnswer.NotFound,
                    ChallengeStatus.WrongRequest => ChallengeAnswer.WrongRequest,
                    _ => ChallengeAnswer.Unreachable, // a status we do not know: no verdict
                };
            }
            catch (RpcException e)
            {
                // Timeouts, refused connections, overload (ResourceExhausted), auth races: never a storage verdict.
                LogCallFailed(_logger, peer.Ed25519Hex[..8], e.StatusCode);
                answer = ChallengeAnswer.Unreachable;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                answer = ChallengeAnswer.Unreachable;
            }
        }

        var result = _tracker.Record(peer.Ed25519Hex, message.Hash, answer);
        var name = StorageTestTracker.Name(result);
        LogResult(_logger, peer.Ed25519Hex[..8], name);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage test: no message old enough to test")]
    private static partial void LogNothingToTest(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage test of peer {Peer}… failed to complete: {Status}")]
    private static partial void LogCallFailed(ILogger logger, string peer, StatusCode status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage test of peer {Peer}…: {Result}")]
    private static partial void LogResult(ILogger logger, string peer, string result);
}
