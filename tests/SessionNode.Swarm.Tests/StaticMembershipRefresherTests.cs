using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SessionNode.Crypto;

namespace SessionNode.Swarm.Tests;

/// <summary>The static source publishes the file, follows changes and ignores bad versions of it.</summary>
public sealed class StaticMembershipRefresherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sn-static-").FullName;

    [Fact]
    public async Task Refresher_PublishesFollowsChanges_BadFileKeepsView()
    {
        using var self = Ed25519KeyPair.FromSeed(new byte[32]);
        using var other = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());
        var file = Path.Combine(_dir, "network.json");
        Write(file, $$"""{"nodes":[{"pubkey_ed25519":"{{self.PublicKeyHex}}","swarm_id":1}]}""");
        var membership = new Membership(new MembershipSnapshot(0, [], null, (19, 4), 0));
        var local = new LocalNode(self.PublicKey.ToArray(), new byte[32], "127.0.0.1");
        local.SetPorts(1000, 1001);
        var options = Options.Create(new NetworkOptions { Mode = NetworkMode.Static, StaticFile = file, StaticPollInterval = TimeSpan.FromMilliseconds(20) });
        using var refresher = new StaticMembershipRefresher(membership, local, options, TimeProvider.System, NullLogger<StaticMembershipRefresher>.Instance);
        var ct = TestContext.Current.CancellationToken;

        await refresher.StartAsync(ct);
        await WaitAsync(() => membership.Current.Version == 1);
        Assert.Equal((1UL, 1000, 1001), (membership.Current.Self!.SwarmId, membership.Current.Self.HttpsPort, membership.Current.Self.PeerPort));

        Write(file, "{\"nodes\":[{\"pubkey_ed25519\":\"zz\"}]}");
        Write(file, $$"""{"hf":[19,3],"nodes":[{"pubkey_ed25519":"{{self.PublicKeyHex}}","swarm_id":2},{"pubkey_ed25519":"{{other.PublicKeyHex}}","swarm_id":2}]}""");
        await WaitAsync(() => membership.Current.Members(2).Count == 2);

        // The bad version was skipped: versions only grow on successful loads.
        Assert.Equal(2, membership.Current.Version);
        Assert.Equal((19, 3), membership.Current.HardFork);
        await refresher.StopAsync(ct);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Write(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
