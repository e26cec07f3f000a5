using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Core;
using SessionNode.Rpc.Peers;

namespace SessionNode.Rpc.Tests;

/// <summary>Storage-test challenge derivation and proof (StorageTestProof).</summary>
public sealed class StorageTestProofTests
{
    private static readonly byte[] Tester = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] Testee = [.. Enumerable.Range(32, 32).Select(i => (byte)i)];
    private static readonly byte[] Salt = [.. Enumerable.Repeat((byte)0xAA, 32)];
    private static readonly AccountId Account = AccountId.FromPrefixAndKey(0x05, Enumerable.Repeat((byte)0x11, 32).ToArray());

    [Fact]
    public void Proof_KnownAnswer_MatchesIndependentBlake2b()
    {
        // Computed with Python's hashlib.blake2b(digest_size=32) from the layout in the Peers README.
        var nonce = Nonce(Tester, Testee, 42, Salt, "hashhashhash");
        Assert.Equal("b3494078f1d27eeece17c1120befc2127b835eb8410583d5f7c4e1ab28346a29", Convert.ToHexStringLower(nonce));
        Assert.Equal("54276896956eb7b5618f1cb80f4f27dde34621e3fba6a587da9f6ab77cd66e6c", Convert.ToHexStringLower(Proof(nonce, Account, new Namespace(-10), "hello world"u8.ToArray())));
    }

    [Fact]
    public void Nonce_AnyInputChanged_Differs()
    {
        var baseline = Nonce(Tester, Testee, 42, Salt, "h");
        Assert.NotEqual(baseline, Nonce(Testee, Tester, 42, Salt, "h")); // roles bound: a relayed challenge fails
        Assert.NotEqual(baseline, Nonce(Tester, Tester, 42, Salt, "h"));
        Assert.NotEqual(baseline, Nonce(Tester, Testee, 43, Salt, "h"));
        Assert.NotEqual(baseline, Nonce(Tester, Testee, 42, [.. Enumerable.Repeat((byte)0xAB, 32)], "h"));
        Assert.NotEqual(baseline, Nonce(Tester, Testee, 42, Salt, "i"));
        Assert.Equal(baseline, Nonce(Tester, Testee, 42, Salt, "h"));
    }

    [Fact]
    public void Proof_OtherBytesNamespaceOrAccount_Differs()
    {
        var nonce = Nonce(Tester, Testee, 1, Salt, "h");
        var proof = Proof(nonce, Account, Namespace.Default, [1, 2, 3]);
        Assert.NotEqual(proof, Proof(nonce, Account, Namespace.Default, [1, 2, 4]));
        Assert.NotEqual(proof, Proof(nonce, Account, new Namespace(1), [1, 2, 3]));
        Assert.NotEqual(proof, Proof(nonce, AccountId.FromPrefixAndKey(0x03, Account.Key), Namespace.Default, [1, 2, 3]));
        Assert.NotEqual(proof, Proof(Nonce(Tester, Testee, 1, Salt, "g"), Account, Namespace.Default, [1, 2, 3]));
    }

    [Fact]
    public void DeriveNonce_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => Nonce(Tester[..31], Testee, 1, Salt, "h"));
        Assert.Throws<ArgumentException>(() => Nonce(Tester, Testee, 1, Salt[..16], "h"));
        Assert.Throws<ArgumentException>(() => Nonce(Tester, Testee, 1, Salt, string.Empty));
        Assert.Throws<ArgumentException>(() => Nonce(Tester, Testee, 1, Salt, new string('a', 129)));
        Assert.Throws<ArgumentException>(() => Nonce(Tester, Testee, 1, Salt, "é"));
    }

    private static byte[] Nonce(byte[] tester, byte[] testee, long version, byte[] salt, string hash)
    {
        var nonce = new byte[StorageTestProof.Length];
        StorageTestProof.DeriveNonce(tester, testee, version, salt, hash, nonce);
        return nonce;
    }

    private static byte[] Proof(byte[] nonce, AccountId account, Namespace ns, byte[] data)
    {
        var proof = new byte[StorageTestProof.Length];
        StorageTestProof.ComputeProof(nonce, account, ns, data, proof);
        return proof;
    }
}

/// <summary>The tester's classification state machine (StorageTestTracker) on a fake clock.</summary>
public sealed class StorageTestTrackerTests
{
    private const string Peer = "aa00000000000000000000000000000000000000000000000000000000000000";
    private const string Other = "bb00000000000000000000000000000000000000000000000000000000000000";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    [Fact]
    public void Proven_CountsPass()
    {
        var tracker = Create();
        Assert.Equal(StorageTestResult.Ok, tracker.Record(Peer, "m1", ChallengeAnswer.Proven));
        var s = tracker.Summary(Peer)!;
        Assert.Equal((1, 0, false, StorageTestResult.Ok), (s.Passed, s.Failed, s.Failing, s.LastResult));
        Assert.Null(tracker.Summary(Other));
    }

    [Fact]
    public void NotFound_CountsOnlyAfterRetriesAndWindow()
    {
        var tracker = Create();
        Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m1", ChallengeAnswer.NotFound));
        Assert.Equal("m1", tracker.Pending(Peer)!.Hash);

        // Many quick "not found" answers: still inside the 3-minute window.
        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m1", ChallengeAnswer.NotFound));
        }

        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(StorageTestResult.Missing, tracker.Record(Peer, "m1", ChallengeAnswer.NotFound));
        var s = tracker.Summary(Peer)!;
        Assert.Equal((0, 1, 1, false), (s.Passed, s.Failed, s.ConsecutiveFailures, s.Failing));
        Assert.Null(tracker.Pending(Peer));
    }

    [Fact]
    public void NotFound_WindowElapsedButTooFewAnswers_StillRetrying()
    {
        var tracker = Create();
        tracker.Record(Peer, "m1", ChallengeAnswer.NotFound);
        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m1", ChallengeAnswer.NotFound));
        Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m1", ChallengeAnswer.NotFound));
        Assert.Equal(StorageTestResult.Missing, tracker.Record(Peer, "m1", ChallengeAnswer.NotFound));
    }

    [Fact]
    public void NotFound_ThenProven_CatchUpIsNotAFailure()
    {
        var tracker = Create();
        for (var i = 0; i < 3; i++)
        {
            tracker.Record(Peer, "m1", ChallengeAnswer.NotFound);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(StorageTestResult.Ok, tracker.Record(Peer, "m1", ChallengeAnswer.Proven));
        var s = tracker.Summary(Peer)!;
        Assert.Equal((1, 0, 3), (s.Passed, s.Failed, s.Retrying));
        Assert.Null(tracker.Pending(Peer));
    }

    [Fact]
    public void NotFound_OtherMessage_StartsANewChallenge()
    {
        var tracker = Create();
        tracker.Record(Peer, "m1", ChallengeAnswer.NotFound);
        _clock.Advance(TimeSpan.FromMinutes(5));
        tracker.Record(Peer, "m1", ChallengeAnswer.NotFound);
        tracker.Record(Peer, "m1", ChallengeAnswer.NotFound);
        Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m2", ChallengeAnswer.NotFound));
        Assert.Equal(new PendingChallenge("m2", false, _clock.GetUtcNow(), 1), tracker.Pending(Peer));
    }

    [Fact]
    public void WrongProof_CountedOnlyWhenConfirmed()
    {
        var tracker = Create();
        Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m1", ChallengeAnswer.WrongProof));
        Assert.True(tracker.Pending(Peer)!.Mismatch);
        Assert.Equal(StorageTestResult.Mismatch, tracker.Record(Peer, "m1", ChallengeAnswer.WrongProof));
        Assert.Equal(1, tracker.Summary(Peer)!.Failed);

        // A wrong proof followed by a good one (the data changed under us) is not a failure.
        Assert.Equal(StorageTestResult.Retrying, tracker.Record(Peer, "m2", ChallengeAnswer.WrongProof));
        Assert.Equal(StorageTestResult.Ok, tracker.Record(Peer, "m2", ChallengeAnswer.Proven));
        Assert.Equal((1, 0), (tracker.Summary(Peer)!.Failed, tracker.Summary(Peer)!.ConsecutiveFailures));
    }

    [Fact]
    public void Failing_AfterTwoCountedFailures_RecoversOnPass()
    {
        var tracker = Create();
        Mismatch(tracker, "m1");
        Assert.False(tracker.Summary(Peer)!.Failing);
        Mismatch(tracker, "m2");
        Assert.True(tracker.Summary(Peer)!.Failing);
        Mismatch(tracker, "m3");
        Assert.Equal((3, true), (tracker.Summary(Peer)!.ConsecutiveFailures, tracker.Summary(Peer)!.Failing));

        tracker.Record(Peer, "m4", ChallengeAnswer.Proven);
        var s = tracker.Summary(Peer)!;
        Assert.Equal((1, 3, 0, false), (s.Passed, s.Failed, s.ConsecutiveFailures, s.Failing));
    }

    [Fact]
    public void IsSuspect_OneCountedFailureNotYetFailing()
    {
        var tracker = Create();
        Assert.False(tracker.IsSuspect(Peer));
        tracker.Record(Peer, "m1", ChallengeAnswer.WrongProof);
        Assert.False(tracker.IsSuspect(Peer));
        tracker.Record(Peer, "m1", ChallengeAnswer.WrongProof);
        Assert.True(tracker.IsSuspect(Peer));
        Mismatch(tracker, "m2");
        Assert.False(tracker.IsSuspect(Peer)); // failing: tested in turn like everyone else
    }

    [Fact]
    public void UnreachableOrRejected_NeverCounted_PendingKept()
    {
        var tracker = Create();
        tracker.Record(Peer, "m1", ChallengeAnswer.NotFound);
        for (var i = 0; i < 100; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(StorageTestResult.Unreachable, tracker.Record(Peer, "m1", ChallengeAnswer.Unreachable));
            Assert.Equal(StorageTestResult.Rejected, tracker.Record(Peer, "m1", ChallengeAnswer.WrongRequest));
        }

        var s = tracker.Summary(Peer)!;
        Assert.Equal((0, 100, 100, 0, false), (s.Failed, s.Unreachable, s.Rejected, s.ConsecutiveFailures, s.Failing));
        Assert.Equal(1, tracker.Pending(Peer)!.Answers);
    }

    [Fact]
    public void Results_OlderThanRetention_Dropped()
    {
        var tracker = Create();
        Mismatch(tracker, "m1");
        _clock.Advance(TimeSpan.FromMinutes(60));
        tracker.Record(Peer, "m2", ChallengeAnswer.Proven);
        _clock.Advance(TimeSpan.FromMinutes(61));
        var s = tracker.Summary(Peer)!;
        Assert.Equal((1, 0), (s.Passed, s.Failed));
        _clock.Advance(TimeSpan.FromMinutes(60));
        Assert.Null(tracker.Summary(Peer));
    }

    [Fact]
    public void WriteStats_PerPeerObject()
    {
        var tracker = Create();
        tracker.Record(Peer, "m1", ChallengeAnswer.Proven);
        Mismatch(tracker, "m2");
        Mismatch(tracker, "m3");
        tracker.Record(Other, "m1", ChallengeAnswer.Unreachable);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(tracker.Section);
            tracker.WriteStats(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var section = doc.RootElement.GetProperty("storage_tests");
        var peer = section.GetProperty(Peer);
        Assert.Equal(1, peer.GetProperty("passed").GetInt32());
        Assert.Equal(2, peer.GetProperty("failed").GetInt32());
        Assert.Equal(2, peer.GetProperty("retrying").GetInt32());
        Assert.Equal(2, peer.GetProperty("consecutive_failures").GetInt32());
        Assert.True(peer.GetProperty("failing").GetBoolean());
        Assert.Equal("mismatch", peer.GetProperty("last_result").GetString());
        Assert.Equal(1_700_000_000.0, peer.GetProperty("last_time").GetDouble());
        var other = section.GetProperty(Other);
        Assert.Equal((1, 0, false), (other.GetProperty("unreachable").GetInt32(), other.GetProperty("failed").GetInt32(), other.GetProperty("failing").GetBoolean()));
    }

    [Fact]
    public void Validator_RejectsNonsense()
    {
        var validator = new StorageTestOptionsValidator();
        Assert.True(validator.Validate(null, new StorageTestOptions()).Succeeded);
        Assert.True(validator.Validate(null, new StorageTestOptions { StorageTestInterval = TimeSpan.Zero }).Failed);
        Assert.True(validator.Validate(null, new StorageTestOptions { StorageTestFailingAfter = 0 }).Failed);
        Assert.True(validator.Validate(null, new StorageTestOptions { StorageTestRetries = -1 }).Failed);
        Assert.True(validator.Validate(null, new StorageTestOptions { StorageTestMinAge = TimeSpan.FromSeconds(-1) }).Failed);
    }

    private static void Mismatch(StorageTestTracker tracker, string hash)
    {
        tracker.Record(Peer, hash, ChallengeAnswer.WrongProof);
        Assert.Equal(StorageTestResult.Mismatch, tracker.Record(Peer, hash, ChallengeAnswer.WrongProof));
    }

    private StorageTestTracker Create() =>
        new(Options.Create(new StorageTestOptions()), _clock, NullLogger<StorageTestTracker>.Instance);
}
