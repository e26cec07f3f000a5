using System.Security.Cryptography;
using System.Text.Json;
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

    /// <summary>A fresh group whose swarm space is within 2^60 of <paramref name="position"/> on the ring.</summary>
    public static SessionAccount GroupNear(ulong position)
    {
        while (true)
        {
            var group = SessionAccount.FromGroupSeed(RandomNumberGenerator.GetBytes(32));
            var distance = unchecked(group.Id.SwarmSpace - position);
            if (Math.Min(distance, unchecked(0 - distance)) < 1UL << 60)
            {
                return group;
            }

            group.Dispose();
        }
    }

    /// <summary>Messages a node holds for an account (all namespaces, expired ones included until swept).</summary>
    public static long StoredCount(TestNode node, AccountId account) =>
        node.Services.GetRequiredService<MessageStore>().EnumerateMessages(a => a == account).LongCount();

    public static int PeerPortOf(TestNode node) => node.Services.GetRequiredService<Rpc.Peers.PeerListener>().BoundPort;

    public static Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 60) =>
        TestSwarm.WaitUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(seconds), what, Ct);

    /// <summary>A numeric property of the node's <c>ownership</c> stats section (-1 before its first pass).</summary>
    public static async Task<long> StatAsync(TestNode node, string name) =>
        await OwnershipAsync(node) is { } o ? o.GetProperty(name).GetInt64() : -1;

    public static Task WaitForAsync(Func<Task<bool>> condition, string what) =>
        TestSwarm.WaitUntilAsync(condition, TimeSpan.FromSeconds(60), what, Ct);

    /// <summary>The node's <c>ownership</c> stats section from its admin listener (null before the first pass).</summary>
    public static async Task<JsonElement?> OwnershipAsync(TestNode node)
    {
        using var http = new HttpClient { BaseAddress = node.AdminAddress };
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("stats", UriKind.Relative), Ct));
        var section = doc.RootElement.GetProperty("ownership");
        return section.GetProperty("last_pass_ms").ValueKind == JsonValueKind.Null ? null : section.Clone();
    }
}
