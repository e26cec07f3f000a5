using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Rpc.Peers;
using SessionNode.Storage;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Anti-entropy repair between real swarm members on loopback (Rpc Peers README).</summary>
public sealed class AntiEntropyTests
{
    /// <summary>Rounds are triggered by the tests (timer off).</summary>
    private static readonly Dictionary<string, string?> ManualRounds = new() { ["Network:AntiEntropyInterval"] = "00:00:00" };

    [Fact]
    public async Task TwoMembers_TenThousandMessagesOnePercentDifferent_ConvergeWithoutResurrection()
    {
        await using var swarm = await TestSwarm.StartAsync([0UL, 0UL], ManualRounds, Ct);
        var a = StoreOf(swarm[0]);
        var b = StoreOf(swarm[1]);
        var now = swarm[0].Time.GetUtcNow().ToUnixTimeMilliseconds();
        var accounts = Enumerable.Range(0, 300).Select(_ => AccountId.FromBytes([0x05, .. RandomNumberGenerator.GetBytes(32)])).ToArray();
        var random = new Random(11);
        var messages = Enumerable.Range(0, 10_000)
            .Select(i => new StoredMessage(accounts[random.Next(accounts.Length)], new Namespace(0), $"ae{i:D6}", now, now + 3_600_000, BitConverter.GetBytes(i)))
            .ToList();
        Assert.Equal(10_000, a.BulkStore(messages));
        Assert.Equal(10_000, b.BulkStore(messages));

        // 1 % different: missing writes, deletes, shortened expiries, revocations, on either side.
        var deleted = new List<string>();
        var shortened = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < 100; i++)
        {
            var m = messages[random.Next(messages.Count)];
            var (x, y) = i % 2 == 0 ? (a, b) : (b, a);
            switch (i % 4)
            {
                case 0:
                    x.Store(m.Account, new Namespace(0), $"only{i:D3}", now, now + 3_600_000, [1, 2, 3]);
                    break;
                case 1 when !shortened.ContainsKey(m.Hash):
                    if (x.DeleteByHash(m.Account, [m.Hash]).Count == 1)
                    {
                        deleted.Add(m.Hash);
                    }

                    break;
                case 2 when !deleted.Contains(m.Hash):
                    var expiry = now + 1_800_000 + i;
                    if (x.UpdateExpiry(m.Account, [m.Hash], [expiry], extendOnly: false, shortenOnly: true).Count == 1)
                    {
                        shortened[m.Hash] = expiry;
                    }

                    break;
                default:
                    x.Revoke(m.Account, [SubaccountToken.Create(0x03, SubaccountFlags.Read, RandomNumberGenerator.GetBytes(32))], now);
                    break;
            }
        }

        Assert.NotEqual(Contents(a), Contents(b));
        var service = swarm[0].Services.GetRequiredService<AntiEntropyService>();
        var first = await service.RunRoundAsync(Ct);
        Assert.NotNull(first);
        Assert.True(first.DifferingLeaves > 0);
        Assert.True(first.Pulled > 0 && first.Pushed > 0, $"pulled {first.Pulled}, pushed {first.Pushed}");
        await WaitInSyncAsync(service);

        Assert.Equal(Contents(a), Contents(b));
        Assert.Equal(Revocations(a, accounts), Revocations(b, accounts));
        Assert.All(deleted, h => Assert.Null(a.GetByHash(h)));
        Assert.All(deleted, h => Assert.Null(b.GetByHash(h)));
        Assert.All(shortened, s => Assert.Equal(s.Value, a.GetByHash(s.Key)!.ExpiryMs));
        Assert.All(shortened, s => Assert.Equal(s.Value, b.GetByHash(s.Key)!.ExpiryMs));

        // Progress is visible in the anti_entropy stats section.
        using var http = new HttpClient { BaseAddress = swarm[0].AdminAddress };
        using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri("stats", UriKind.Relative), Ct));
        var section = stats.RootElement.GetProperty("anti_entropy");
        Assert.True(section.GetProperty("rounds").GetInt64() >= 2);
        Assert.True(section.GetProperty("items_pulled").GetInt64() > 0);
        Assert.True(section.GetProperty("peers").GetProperty(swarm.KeyOf(1)).GetProperty("in_sync").GetBoolean());
    }

    [Fact]
    public async Task PartitionedMember_ThousandStoresAndDeletes_HealsWithoutTheRetryQueue()
    {
        // The background timer runs the rounds here (every 200 ms).
        await using var swarm = await TestSwarm.StartAsync([0UL, 0UL, 0UL], new Dictionary<string, string?> { ["Network:AntiEntropyInterval"] = "00:00:00.200" }, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);
        var before = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            before.Add((await client.StoreAsync(user, BitConverter.GetBytes(-1 - i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash);
        }

        await WaitUntilAsync(() => StoredCount(swarm[2], user.Id) == 20, "every member to hold the first messages");
        await swarm.StopNodeAsync(2);

        // During the partition: 1000 stores and deletes (some of messages the partitioned member holds),
        // and a shortened expiry.
        var deleted = new List<string>(before.Take(10));
        await client.DeleteAsync(user, before.Take(10), cancellationToken: Ct);
        var stored = new List<string>();
        for (var i = 0; i < 990; i++)
        {
            if (i % 5 == 4)
            {
                var victim = stored[^1];
                stored.RemoveAt(stored.Count - 1);
                await client.DeleteAsync(user, [victim], cancellationToken: Ct);
                deleted.Add(victim);
            }
            else
            {
                stored.Add((await client.StoreAsync(user, BitConverter.GetBytes(i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)).ExpectedHash);
            }
        }

        var shortTo = swarm[0].Time.GetUtcNow().ToUnixTimeMilliseconds() + 1_200_000;
        await client.ExpireAsync(user, [before[15]], shortTo, ExpireMode.Shorten, Ct);

        // Forget what the retry queue kept for the partitioned member: repair alone must heal it.
        var queue = swarm[0].Services.GetRequiredService<PeerRetryQueue>();
        var peer = Convert.FromHexString(swarm.KeyOf(2));
        Assert.True(queue.Depth(swarm.KeyOf(2)) > 0);
        while (queue.Peek(peer, 1000) is { Count: > 0 } pending)
        {
            foreach (var entry in pending)
            {
                queue.Remove(peer, entry.Sequence);
            }
        }

        await swarm.RestartNodeAsync(2, Ct);
        var reference = StoreOf(swarm[0]);
        await WaitUntilAsync(
            () => Contents(StoreOf(swarm[2])).SequenceEqual(Contents(reference)) && Contents(StoreOf(swarm[1])).SequenceEqual(Contents(reference)),
            "the partitioned member to converge",
            seconds: 120);

        Assert.Equal(stored.Count + 10, StoredCount(swarm[2], user.Id));
        foreach (var node in new[] { 0, 1, 2 })
        {
            var store = StoreOf(swarm[node]);
            Assert.All(deleted, h => Assert.Null(store.GetByHash(h)));
            Assert.Equal(shortTo, store.GetByHash(before[15])!.ExpiryMs);
        }
    }

    [Fact]
    public async Task StoppedMember_MissedWritesDeletesExpiryAndRevocation_ConvergesWithoutTheRetryQueue()
    {
        await using var swarm = await TestSwarm.StartAsync([0UL, 0UL], ManualRounds, Ct);
        using var group = SessionAccount.FromGroupSeed(RandomNumberGenerator.GetBytes(32));
        using var client = ClientFor(swarm, 0);
        var kept = (await client.StoreAsync(group, new byte[] { 1 }, new Namespace(11), ttl: TimeSpan.FromHours(2), cancellationToken: Ct)).ExpectedHash;
        var doomed = (await client.StoreAsync(group, new byte[] { 2 }, new Namespace(11), ttl: TimeSpan.FromHours(2), cancellationToken: Ct)).ExpectedHash;
        var unrevoked = SubaccountToken.Create(0x03, SubaccountFlags.Read, RandomNumberGenerator.GetBytes(32));
        await client.RevokeSubaccountAsync(group, [unrevoked], cancellationToken: Ct);
        await WaitUntilAsync(() => StoredCount(swarm[1], group.Id) == 2, "the member to hold both messages");
        await swarm.StopNodeAsync(1);

        var added = (await client.StoreAsync(group, new byte[] { 3 }, new Namespace(11), ttl: TimeSpan.FromHours(2), cancellationToken: Ct)).ExpectedHash;
        await client.DeleteAsync(group, [doomed], cancellationToken: Ct);
        var shortTo = swarm[0].Time.GetUtcNow().ToUnixTimeMilliseconds() + 600_000;
        await client.ExpireAsync(group, [kept], shortTo, ExpireMode.Shorten, Ct);
        var revoked = SubaccountToken.Create(0x03, SubaccountFlags.Read, RandomNumberGenerator.GetBytes(32));
        await client.RevokeSubaccountAsync(group, [revoked], cancellationToken: Ct);
        await client.UnrevokeSubaccountAsync(group, [unrevoked], cancellationToken: Ct);
        var queue = swarm[0].Services.GetRequiredService<PeerRetryQueue>();
        var peer = Convert.FromHexString(swarm.KeyOf(1));
        while (queue.Peek(peer, 100) is { Count: > 0 } pending)
        {
            foreach (var entry in pending)
            {
                queue.Remove(peer, entry.Sequence);
            }
        }

        await swarm.RestartNodeAsync(1, Ct);
        var back = StoreOf(swarm[1]);
        Assert.NotNull(back.GetByHash(doomed));

        // The restarted member starts the repair itself.
        await WaitInSyncAsync(swarm[1].Services.GetRequiredService<AntiEntropyService>());
        Assert.Null(back.GetByHash(doomed));
        Assert.NotNull(back.GetByHash(added));
        Assert.Equal(shortTo, back.GetByHash(kept)!.ExpiryMs);
        Assert.True(back.IsRevoked(group.Id, revoked));
        Assert.False(back.IsRevoked(group.Id, unrevoked));
        Assert.Equal(Contents(StoreOf(swarm[0])), Contents(back));
    }

    [Fact]
    public async Task SingleNodeSwarm_SkipsRounds()
    {
        await using var swarm = await TestSwarm.StartAsync([0UL, 1UL], ManualRounds, Ct);
        var service = swarm[0].Services.GetRequiredService<AntiEntropyService>();
        Assert.Null(await service.RunRoundAsync(Ct));
        Assert.Equal(0, swarm[0].Services.GetRequiredService<AntiEntropyStats>().Rounds);
    }

    private static MessageStore StoreOf(TestNode node) => node.Services.GetRequiredService<MessageStore>();

    private static List<(string Hash, long Expiry, string Data)> Contents(MessageStore store) =>
        [.. store.EnumerateMessages(_ => true).Select(m => (m.Hash, m.ExpiryMs, Convert.ToHexString(m.Data))).OrderBy(m => m.Hash, StringComparer.Ordinal)];

    private static List<string> Revocations(MessageStore store, IEnumerable<AccountId> accounts) =>
        [.. accounts.SelectMany(a => store.GetRevocations(a).Select(r => a.ToHex() + Convert.ToHexString(r.Token.Span))).Order(StringComparer.Ordinal)];

    private static async Task WaitInSyncAsync(AntiEntropyService service)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await service.RunRoundAsync(Ct))?.InSync != true)
        {
            Assert.True(DateTime.UtcNow < deadline, "anti-entropy did not reach an in-sync round within 60 s");
        }
    }
}
