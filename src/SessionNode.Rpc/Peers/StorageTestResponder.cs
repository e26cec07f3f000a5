using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using SessionNode.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The testee side of storage tests (Protos/storagetest.proto, Rpc Peers README "Storage tests"): one hash-index point lookup and one
/// BLAKE2b over the message, never the bytes themselves. The caller is authenticated by
/// <see cref="PeerAuthInterceptor"/>; it must be in our swarm and the account must map to it (else
/// <c>WRONG_REQUEST</c>). Each caller gets a small token bucket (<c>ResourceExhausted</c> beyond it), so a
/// member cannot turn the responder into a disk-read amplifier. A singleton (its buckets are shared state).
/// </summary>
internal sealed class StorageTestResponder : Proto.StorageTest.StorageTestBase
{
    /// <summary>Burst per caller: a tester sends one challenge per round plus a few pending retries.</summary>
    private const double BucketCapacity = 20;

    /// <summary>Sustained challenges per second per caller: far above any tester's schedule, far below a flood.</summary>
    private const double RefillPerSecond = 5;

    private readonly NodeState _node;
    private readonly MessageStore _store;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public StorageTestResponder(NodeState node, MessageStore store)
    {
        _node = node;
        _store = store;
    }

    /// <summary>
    /// Test hook: extra time spent before each answer (after validation), to simulate a node under heavy load.
    /// Zero in production.
    /// </summary>
    internal TimeSpan ResponseDelay { get; set; }

    public override async Task<ChallengeResponse> Challenge(ChallengeRequest request, ServerCallContext context)
    {
        var caller = (ServiceNodeRecord)context.UserState[PeerAuthInterceptor.CallerKey];
        if (!TryTake(caller.Ed25519Hex))
        {
            RpcTelemetry.StorageTestsAnswered.Add(1, new KeyValuePair<string, object?>("status", "rate_limited"));
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many storage tests"));
        }

        var snapshot = _node.Membership.Current;
        if (snapshot.Self is not { } self
            || !snapshot.SelfInSwarm
            || snapshot.FindByEd25519(caller.Ed25519Hex)?.SwarmId != self.SwarmId
            || request.Account.Length != AccountId.Length
            || request.Salt.Length != StorageTestProof.SaltLength
            || !StorageTestProof.IsValidHash(request.Hash))
        {
            return Answer(ChallengeStatus.WrongRequest);
        }

        var account = AccountId.FromBytes(request.Account.Span);
        if (!snapshot.ServesAccount(account))
        {
            return Answer(ChallengeStatus.WrongRequest);
        }

        if (ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(ResponseDelay, _node.Time, context.CancellationToken);
        }

        if (_store.GetByHash(request.Hash) is not { } message || message.Account != account)
        {
            return Answer(ChallengeStatus.NotFound);
        }

        Span<byte> nonce = stackalloc byte[StorageTestProof.Length];
        var proof = new byte[StorageTestProof.Length];
        StorageTestProof.DeriveNonce(caller.Ed25519, _node.Keys.PublicKey, request.MembershipVersion, request.Salt.Span, request.Hash, nonce);
        StorageTestProof.ComputeProof(nonce, account, message.Namespace, message.Data, proof);
        RpcTelemetry.StorageTestsAnswered.Add(1, new KeyValuePair<string, object?>("status", "proof"));
        return new ChallengeResponse { Status = ChallengeStatus.Proof, Proof = UnsafeByteOperations.UnsafeWrap(proof) };
    }

    private static ChallengeResponse Answer(ChallengeStatus status)
    {
        RpcTelemetry.StorageTestsAnswered.Add(1, new KeyValuePair<string, object?>("status", status == ChallengeStatus.NotFound ? "not_found" : "wrong_request"));
        return new ChallengeResponse { Status = status };
    }

    /// <summary>Takes a token from the caller's bucket (callers are authenticated swarm members, so the map stays small).</summary>
    private bool TryTake(string caller)
    {
        var now = _node.Time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(caller, static (_, t) => new Bucket(t), now);
        lock (bucket)
        {
            var refill = _node.Time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * RefillPerSecond;
            bucket.Tokens = Math.Min(BucketCapacity, bucket.Tokens + refill);
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens--;
            return true;
        }
    }

    private sealed class Bucket(long stamp)
    {
        public double Tokens { get; set; } = BucketCapacity;

        public long Stamp { get; set; } = stamp;
    }
}
