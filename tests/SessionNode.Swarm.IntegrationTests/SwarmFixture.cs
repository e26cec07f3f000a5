using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Storage;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Helpers shared by the swarm tests: clients per node, fresh accounts, polling.</summary>
internal static class SwarmFixture
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static SessionNodeClient ClientFor(TestSwarm swarm, int index) =>
        new(new SessionNodeClientOptions { BaseAddress = swarm.BaseAddressOf(index) });

    public static SessionAccount NewUser() => SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));

    /// <summary>A fresh user whose account maps to <paramref name="swarmId"/> in <paramref name="swarm"/>'s view.</summary>
    public static SessionAccount NewUserIn(TestSwarm swarm, ulong swarmId)
    {
        var view = swarm[0].Services.GetRequiredService<Membership>().Current;
        while (true)
        {
            var user = NewUser();
            if (view.TryGetSwarm(user.Id, out var id) && id == swarmId)
            {
                return user;
            }

            user.Dispose();
        }
    }

    /// <summary>A fresh user whose swarm space is within 2^60 of <paramref name="position"/> on the ring.</summary>
    public static SessionAccount UserNear(ulong position)
    {
        while (true)
        {
            var user = NewUser();
            var distance = unchecked(user.Id.SwarmSpace - position);
            if (Math.Min(distance, unchecked(0 - distance)) < 1UL << 60)
            {
                return user;
            }

            user.Dispose();
        }
    }

    /// <summary>Messages a node holds for an account (all namespaces, expired ones included until swept).</summary>
    public static long StoredCount(TestNode node, AccountId account) =>
        node.Services.GetRequiredService<MessageStore>().EnumerateMessages(a => a == account).LongCount();

    public static int PeerPortOf(TestNode node) => node.Services.GetRequiredService<Rpc.Peers.PeerListener>().BoundPort;

    public static Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 60) =>
        TestSwarm.WaitUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(seconds), what, Ct);
}
