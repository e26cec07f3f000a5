using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Crypto;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Keys from oxend and pings to it (swarm.md §1, §2.6, §14), against a fake oxend on loopback.</summary>
public sealed class OxendKeysTests
{
    [Fact]
    public async Task OxendMode_WaitsForOxendsKeys_ServesWithThem_AndPingsOxend()
    {
        await using var oxend = await FakeOxend.StartAsync(Ct);
        using var root = new TempDirectory("sessionnode-oxend-keys-");
        var dir = root.Combine("node-0");

        // An older registration: the legacy key is its own scalar, not the Ed25519 key.
        var seed = RandomNumberGenerator.GetBytes(32);
        using var ed = Ed25519KeyPair.FromSeed(seed);
        using var x = ed.ToX25519();
        var scalar = RandomNumberGenerator.GetBytes(32);
        scalar[31] &= 0x0f; // below the group order
        var legacy = new byte[32];
        Assert.True(Ed25519.TryLegacyPublicKey(scalar, legacy));
        var xSecret = SHA512.HashData(seed)[..32];

        // oxend not yet a service node (no keys): the node keeps asking and does not start.
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendPollInterval"] = "00:00:00.050",
            ["Network:OxendPingInterval"] = "00:00:00.100",
        };
        var starting = TestNode.StartAsync(new TestNodeOptions { DataDir = dir, Settings = settings }, Ct);
        await WaitUntilAsync(() => oxend.KeyRequests >= 3, "the node to retry the key request");
        Assert.False(starting.IsCompleted);

        oxend.PrivateKeys = (Convert.ToHexStringLower(scalar), Convert.ToHexStringLower([.. seed, .. ed.PublicKey]), Convert.ToHexStringLower(xSecret));
        await using var node = await starting;

        // Its identity is oxend's: no key file was made, results are signed with oxend's key, and the
        // HTTPS ping answer names the legacy key.
        Assert.Equal(ed.PublicKeyHex, node.PublicKeyHex);
        Assert.False(File.Exists(Path.Combine(dir, "key_ed25519")));
        oxend.SetNodes([new FakeOxendNode(ed.PublicKeyHex, Convert.ToHexStringLower(x.PublicKey), "127.0.0.1", node.BaseAddress.Port, PeerPortOf(node), 0, Legacy: Convert.ToHexStringLower(legacy))]);
        await WaitUntilAsync(() => node.Services.GetRequiredService<Membership>().Current.SelfInSwarm, "the node to find itself in oxend's list");

        using var http = node.CreateHttpClient();
        using (var ping = await http.PostAsync(new Uri("ping_test/v1", UriKind.Relative), null, Ct))
        {
            Assert.Equal(200, (int)ping.StatusCode);
            Assert.Equal(Convert.ToBase64String(legacy), Assert.Single(ping.Headers.GetValues("X-Oxen-Snode-Pubkey")));
        }

        using var user = NewUser();
        using var client = new SessionNodeClient(new SessionNodeClientOptions { BaseAddress = node.BaseAddress });
        var stored = await client.StoreAsync(user, "signed by oxend's key"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        var entry = Assert.Single(stored.Swarm);
        Assert.Equal(ed.PublicKeyHex, entry.Key);
        Assert.True(stored.AllSucceeded);

        // storage_server_ping: at start and then on its interval, naming our key and bound ports.
        await WaitUntilAsync(() => oxend.StoragePings.Count >= 2, "two storage_server_pings");
        var p = oxend.StoragePings[0];
        Assert.Equal([2, 8, 0], p.Version);
        Assert.Equal(ed.PublicKeyHex, p.PubkeyEd25519);
        Assert.Equal(node.BaseAddress.Port, p.HttpsPort);
        Assert.Equal(PeerPortOf(node), p.OmqPort);
    }

    [Fact]
    public async Task OxendMode_KeysThatDoNotBelongTogether_FailTheStart()
    {
        await using var oxend = await FakeOxend.StartAsync(Ct);
        using var root = new TempDirectory("sessionnode-oxend-badkeys-");
        var seed = RandomNumberGenerator.GetBytes(32);
        using var ed = Ed25519KeyPair.FromSeed(seed);
        // An X25519 secret that is not the one derived from the Ed25519 key: this node cannot use it.
        oxend.PrivateKeys = (Convert.ToHexStringLower(SHA512.HashData(seed)[..32]), Convert.ToHexStringLower([.. seed, .. ed.PublicKey]), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendPollInterval"] = "00:00:00.050",
        };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => TestNode.StartAsync(new TestNodeOptions { DataDir = root.Combine("node-0"), Settings = settings }, Ct));
        Assert.Contains("X25519", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, oxend.KeyRequests);
    }

    [Fact]
    public async Task OxendMode_CancelledWhileWaitingForKeys_Aborts()
    {
        await using var oxend = await FakeOxend.StartAsync(Ct);
        oxend.Failing = true;
        using var root = new TempDirectory("sessionnode-oxend-cancel-");
        var settings = new Dictionary<string, string?>
        {
            ["Network:Mode"] = "oxend",
            ["Network:OxendRpcUrl"] = oxend.Url,
            ["Network:OxendPollInterval"] = "00:00:00.050",
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var starting = TestNode.StartAsync(new TestNodeOptions { DataDir = root.Combine("node-0"), Settings = settings }, cts.Token);
        await WaitUntilAsync(() => oxend.KeyRequests >= 2, "the node to retry the key request");
        Assert.False(starting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting);
    }
}
