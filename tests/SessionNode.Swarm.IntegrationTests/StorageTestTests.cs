using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Rpc.Peers;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>
/// Storage tests between real members of one swarm (Rpc Peers README "Storage tests"), on a fast schedule: a member that silently
/// loses its data is reported failing by its peers; an honest member that answers late or slowly never is.
/// </summary>
public sealed class StorageTestTests
{
    private const int Messages = 20;

    /// <summary>Rounds every 250 ms (under the responder's 5/s per-caller limit), 2 s deadline, 3 answers and 1 s before "missing" counts.</summary>
    private static readonly Dictionary<string, string?> FastTests = new()
    {
        ["Network:StorageTestInterval"] = "00:00:00.250",
        ["Network:StorageTestMinAge"] = "00:00:00.500",
        ["Network:StorageTestMinRemaining"] = "00:00:00",
        ["Network:StorageTestTimeout"] = "00:00:02",
        ["Network:StorageTestRetries"] = "2",
        ["Network:StorageTestRetryWindow"] = "00:00:01",

        // Anti-entropy would repair a member that lost data (that is its job); off here so the loss stays visible.
        ["Network:AntiEntropyInterval"] = "00:00:00",
    };

    [Fact]
    public async Task HonestSwarm_PassesCounted_NoFailures()
    {
        await using var swarm = await StartWithMessagesAsync();

        await WaitUntilAsync(() => AllPairs().All(p => Summary(swarm, p.Tester, p.Testee) is { Passed: >= 3 }), "every member to pass three tests by every other");

        foreach (var (tester, testee) in AllPairs())
        {
            var s = Summary(swarm, tester, testee)!;
            Assert.Equal((0, 0, false), (s.Failed, s.ConsecutiveFailures, s.Failing));
        }

        // The admin stats document carries the same per-peer results.
        using var http = new HttpClient { BaseAddress = swarm[0].AdminAddress };
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("stats", UriKind.Relative), Ct));
        var section = doc.RootElement.GetProperty("storage_tests");
        foreach (var peer in new[] { 1, 2 })
        {
            var entry = section.GetProperty(swarm.KeyOf(peer));
            Assert.True(entry.GetProperty("passed").GetInt32() >= 3);
            Assert.Equal(0, entry.GetProperty("failed").GetInt32());
            Assert.False(entry.GetProperty("failing").GetBoolean());
        }
    }

    [Fact]
    public async Task MemberLosesItsData_PeersReportItFailing()
    {
        await using var swarm = await StartWithMessagesAsync();
        await WaitUntilAsync(() => Summary(swarm, 0, 2) is { Passed: >= 1 } && Summary(swarm, 1, 2) is { Passed: >= 1 }, "a first pass of member 2");

        // Straight through its store, silently (no tombstones): a delete request would be replicated to every member.
        var store = swarm[2].Services.GetRequiredService<MessageStore>();
        foreach (var account in store.EnumerateAccounts().ToList())
        {
            store.PurgeAccount(account);
        }

        Assert.Equal(0, store.MessageCount);

        await WaitUntilAsync(() => Summary(swarm, 0, 2) is { Failing: true } && Summary(swarm, 1, 2) is { Failing: true }, "both peers to report member 2 failing");

        var s = Summary(swarm, 0, 2)!;
        Assert.True(s.Failed >= 2);
        Assert.True(s.ConsecutiveFailures >= 2);
        Assert.False(Summary(swarm, 0, 1)!.Failing);
        Assert.False(Summary(swarm, 1, 0)!.Failing);
        Assert.Equal(0, Summary(swarm, 0, 1)!.Failed);
        Assert.Equal(0, Summary(swarm, 1, 0)!.Failed);
    }

    [Fact]
    public async Task MemberWithOtherBytes_PeersReportMismatch()
    {
        await using var swarm = await StartWithMessagesAsync();

        // Same hashes, other bytes: only a proof over the real data can tell.
        var store = swarm[2].Services.GetRequiredService<MessageStore>();
        var altered = store.EnumerateMessages(_ => true).Select(m => m with { Data = [.. m.Data, 0x01] }).ToList();
        foreach (var account in altered.Select(m => m.Account).Distinct())
        {
            store.PurgeAccount(account);
        }

        Assert.Equal(Messages, store.BulkStore(altered));

        await WaitUntilAsync(() => Summary(swarm, 0, 2) is { Failing: true } && Summary(swarm, 1, 2) is { Failing: true }, "both peers to report member 2 failing");
        Assert.Equal(StorageTestResult.Mismatch, Summary(swarm, 0, 2)!.LastResult);
        Assert.Equal(0, Summary(swarm, 0, 1)!.Failed);
    }

    [Fact]
    public async Task Responder_ChecksSwarmAndAccount_AnswersProofOrNotFound_RateLimited()
    {
        const ulong OtherSwarm = 0x8000_0000_0000_0000;
        var settings = new Dictionary<string, string?>(FastTests) { ["Network:StorageTestEnabled"] = "false" };
        await using var swarm = await TestSwarm.StartAsync([0, 0, OtherSwarm], settings, Ct);
        using var user = NewUserIn(swarm, 0);
        using var outsider = NewUserIn(swarm, OtherSwarm);
        using var client = ClientFor(swarm, 0);
        var stored = await client.StoreAsync(user, "proof me"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        await WaitUntilAsync(() => StoredCount(swarm[1], user.Id) == 1, "member 1 to hold the message");

        var view = swarm[1].Services.GetRequiredService<Membership>().Current;
        var target = view.FindByEd25519(swarm.KeyOf(0))!;
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(StorageTestProof.SaltLength);
        ChallengeRequest Request(SessionAccount account, string hash) => new()
        {
            Account = ByteString.CopyFrom(account.Id.Span),
            Hash = hash,
            MembershipVersion = view.Version,
            Salt = ByteString.CopyFrom(salt),
        };

        // A member of our swarm: proof over the real bytes, bound to both keys.
        var fromMember = swarm[1].Services.GetRequiredService<PeerClient>();
        var proof = await fromMember.StorageTestAsync(target, Request(user, stored.ExpectedHash), Ct);
        Assert.Equal(ChallengeStatus.Proof, proof.Status);
        var expected = new byte[StorageTestProof.Length];
        var nonce = new byte[StorageTestProof.Length];
        StorageTestProof.DeriveNonce(Convert.FromHexString(swarm.KeyOf(1)), Convert.FromHexString(swarm.KeyOf(0)), view.Version, salt, stored.ExpectedHash, nonce);
        StorageTestProof.ComputeProof(nonce, user.Id, Namespace.Default, "proof me"u8, expected);
        Assert.Equal(expected, proof.Proof.ToByteArray());

        Assert.Equal(ChallengeStatus.NotFound, (await fromMember.StorageTestAsync(target, Request(user, "nosuchhash"), Ct)).Status);
        using var stranger = NewUserIn(swarm, 0);
        Assert.Equal(ChallengeStatus.NotFound, (await fromMember.StorageTestAsync(target, Request(stranger, stored.ExpectedHash), Ct)).Status);
        Assert.Equal(ChallengeStatus.WrongRequest, (await fromMember.StorageTestAsync(target, Request(outsider, stored.ExpectedHash), Ct)).Status);

        // A member of another swarm is authenticated but not ours.
        var fromOutside = swarm[2].Services.GetRequiredService<PeerClient>();
        var outsideTarget = swarm[2].Services.GetRequiredService<Membership>().Current.FindByEd25519(swarm.KeyOf(0))!;
        Assert.Equal(ChallengeStatus.WrongRequest, (await fromOutside.StorageTestAsync(outsideTarget, Request(user, stored.ExpectedHash), Ct)).Status);

        // A flood from one member is cut off; another caller is unaffected.
        var limited = 0;
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await fromMember.StorageTestAsync(target, Request(user, stored.ExpectedHash), Ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                limited++;
            }
        }

        Assert.True(limited > 0, "no challenge was rate limited");
        Assert.Equal(ChallengeStatus.WrongRequest, (await fromOutside.StorageTestAsync(outsideTarget, Request(user, stored.ExpectedHash), Ct)).Status);
    }

    [Fact]
    public async Task SlowHonestMember_NeverReported()
    {
        await using var swarm = await StartWithMessagesAsync();
        var responder = swarm[2].Services.GetRequiredService<StorageTestResponder>();

        // Overloaded: answers arrive after the tester's 2 s deadline.
        responder.ResponseDelay = TimeSpan.FromSeconds(3);
        await WaitUntilAsync(() => Summary(swarm, 0, 2) is { Unreachable: >= 4 } && Summary(swarm, 1, 2) is { Unreachable: >= 4 }, "four late answers from member 2 at each peer");
        AssertNeverFailed(swarm, 2);

        // Slow but within the deadline: every answer is a pass.
        var before = (Summary(swarm, 0, 2)!.Passed, Summary(swarm, 1, 2)!.Passed);
        responder.ResponseDelay = TimeSpan.FromMilliseconds(500);
        await WaitUntilAsync(() => Summary(swarm, 0, 2)!.Passed >= before.Item1 + 3 && Summary(swarm, 1, 2)!.Passed >= before.Item2 + 3, "three slow passes of member 2 at each peer");
        AssertNeverFailed(swarm, 2);
    }

    [Fact]
    public async Task MemberDownThenCatchingUp_NeverReported()
    {
        // Catch-up (retry-queue replay) must fit in the retry window, as with the production defaults.
        var settings = new Dictionary<string, string?>(FastTests) { ["Network:StorageTestRetryWindow"] = "00:00:15" };
        await using var swarm = await StartWithMessagesAsync(settings);
        await WaitUntilAsync(() => Summary(swarm, 0, 2) is { Passed: >= 1 } && Summary(swarm, 1, 2) is { Passed: >= 1 }, "a first pass of member 2");

        await swarm.StopNodeAsync(2);
        using (var user = NewUser())
        using (var client = ClientFor(swarm, 0))
        {
            for (var i = 0; i < Messages; i++)
            {
                await client.StoreAsync(user, BitConverter.GetBytes(i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
            }
        }

        // Down: unreachable at member 1 (member 0 knows it unreachable and does not even ask).
        var unreachable = Summary(swarm, 1, 2)!.Unreachable;
        await WaitUntilAsync(() => Summary(swarm, 1, 2)!.Unreachable >= unreachable + 2, "member 1 to find member 2 unreachable");

        await swarm.RestartNodeAsync(2, Ct);
        var passed = (Summary(swarm, 0, 2)!.Passed, Summary(swarm, 1, 2)!.Passed);
        await WaitUntilAsync(() => Summary(swarm, 0, 2)!.Passed >= passed.Item1 + 5 && Summary(swarm, 1, 2)!.Passed >= passed.Item2 + 5, "five passes of the restarted member at each peer");
        AssertNeverFailed(swarm, 2);
    }

    private static async Task<TestSwarm> StartWithMessagesAsync(Dictionary<string, string?>? settings = null)
    {
        var swarm = await TestSwarm.StartAsync([0, 0, 0], settings ?? FastTests, Ct);
        try
        {
            using var user = NewUser();
            using var client = ClientFor(swarm, 0);
            for (var i = 0; i < Messages; i++)
            {
                var stored = await client.StoreAsync(user, BitConverter.GetBytes(i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
                Assert.True(stored.AllSucceeded);
            }

            await WaitUntilAsync(() => Enumerable.Range(0, 3).All(n => StoredCount(swarm[n], user.Id) == Messages), "every member to hold every message");
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    private static void AssertNeverFailed(TestSwarm swarm, int testee)
    {
        foreach (var tester in Enumerable.Range(0, 3).Where(t => t != testee))
        {
            var s = Summary(swarm, tester, testee)!;
            Assert.Equal((0, 0, false), (s.Failed, s.ConsecutiveFailures, s.Failing));
        }
    }

    private static IEnumerable<(int Tester, int Testee)> AllPairs() =>
        from t in Enumerable.Range(0, 3) from e in Enumerable.Range(0, 3) where t != e select (t, e);

    private static StorageTestSummary? Summary(TestSwarm swarm, int tester, int testee) =>
        swarm[tester].Services.GetRequiredService<StorageTestTracker>().Summary(swarm.KeyOf(testee));
}
