using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>A stopped member neither slows clients down nor loses writes (retry queue).</summary>
public sealed class DeadMemberTests
{
    [Fact]
    public async Task StoppedMember_ThousandStores_FastAndAllDeliveredAfterRestart()
    {
        const int Stores = 1000;
        await using var swarm = await TestSwarm.StartAsync(3, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);
        await swarm.StopNodeAsync(2);

        var watch = Stopwatch.StartNew();
        var results = new List<StoreResult>(Stores);
        for (var i = 0; i < Stores; i++)
        {
            results.Add(await client.StoreAsync(user, BitConverter.GetBytes(i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct));
        }

        watch.Stop();

        // Far below one 5 s peer timeout per store: the dead member is answered at once.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), $"1000 stores took {watch.Elapsed}");
        Assert.All(results, r => Assert.True(r.Swarm[swarm.KeyOf(2)].Failed));
        Assert.All(results, r => Assert.False(r.Swarm[swarm.KeyOf(1)].Failed));
        var queue = swarm[0].Services.GetRequiredService<PeerRetryQueue>();
        Assert.Equal(Stores, queue.Depth(swarm.KeyOf(2)));

        await swarm.RestartNodeAsync(2, Ct);

        await WaitUntilAsync(() => StoredCount(swarm[2], user.Id) == Stores, "the restarted member to receive every store", seconds: 90);
        await WaitUntilAsync(() => queue.Depth(swarm.KeyOf(2)) == 0, "the queue to drain");
        using var c2 = ClientFor(swarm, 2);
        var page = await c2.RetrieveAsync(user, maxCount: 5, cancellationToken: Ct);
        Assert.Equal(results[0].ExpectedHash, page.Messages[0].Hash);
    }

    [Fact]
    public async Task RetryQueue_SurvivesEntryNodeRestart()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var user = NewUser();
        await swarm.StopNodeAsync(1);
        using (var client = ClientFor(swarm, 0))
        {
            for (var i = 0; i < 20; i++)
            {
                await client.StoreAsync(user, BitConverter.GetBytes(i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
            }
        }

        await swarm.StopNodeAsync(0);
        await swarm.RestartNodeAsync(1, Ct);
        Assert.Equal(0, StoredCount(swarm[1], user.Id));

        await swarm.RestartNodeAsync(0, Ct);

        await WaitUntilAsync(() => StoredCount(swarm[1], user.Id) == 20, "the queued stores to reach the peer after the entry node restarted");
    }
}
