using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Crypto;
using SessionNode.Swarm;
using SessionNode.Testing;

namespace SessionNode.Integration.Tests;

/// <summary>
/// Multi-hop onion requests (onion.md §6–§7, §10) across a <see cref="TestSwarm"/> of three real nodes, each in its own
/// swarm, relaying over the gRPC peer channel: store and retrieve through different paths with both encryption types
/// (also mixed per hop), errors produced by a relay hop, a stopped next node, and the hop counter across relays.
/// </summary>
public sealed class OnionRelayTests
{
    /// <summary>Three swarms spread over the id space, so each account maps to exactly one node.</summary>
    private static readonly ulong[] Swarms = [0, 0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("xx")]
    [InlineData("aa")]
    [InlineData("ax")]
    [InlineData("xa")]
    [InlineData("xxx")]
    [InlineData("aaa")]
    [InlineData("xax")]
    [InlineData("aax")]
    public async Task MultiHop_StoreThenRetrieveThroughAnotherPath_DestinationAnswers(string encTypes)
    {
        await using var swarm = await StartSwarmAsync();
        using var me = NewUserIn(swarm, swarm.SwarmOf(2));
        var client = ClientFor(swarm, 0);
        var data = RandomNumberGenerator.GetBytes(100);
        int[] storePath = encTypes.Length == 2 ? [0, 2] : [0, 1, 2];
        int[] retrievePath = encTypes.Length == 2 ? [1, 2] : [1, 0, 2];

        var stored = await client.SendViaOnionAsync(
            client.Requests.Store(me, data, new Namespace(2), ttl: TimeSpan.FromHours(1)), Path(swarm, storePath, encTypes), cancellationToken: Ct);
        var page = await ClientFor(swarm, 1).SendViaOnionAsync(
            client.Requests.Retrieve(me, new Namespace(2)), Path(swarm, retrievePath, encTypes), cancellationToken: Ct);

        Assert.True(stored.HashMatches);
        Assert.True(stored.SignaturesValid);
        var message = Assert.Single(page.Messages);
        Assert.Equal(stored.ExpectedHash, message.Hash);
        Assert.Equal(data, message.Data.ToArray());
    }

    [Fact]
    public async Task ThreeHop_DestinationInAnotherSwarm_421FromTheDestination()
    {
        await using var swarm = await StartSwarmAsync();
        using var me = NewUserIn(swarm, swarm.SwarmOf(0));
        var client = ClientFor(swarm, 0);

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => client.SendViaOnionAsync(
            client.Requests.Retrieve(me, new Namespace(2)), Path(swarm, [0, 1, 2], "xax"), cancellationToken: Ct));

        Assert.Equal(421, e.StatusCode);
    }

    [Fact]
    public async Task UnknownNodeAfterARelay_502NextNodeNotFoundFromTheRelayHop()
    {
        await using var swarm = await StartSwarmAsync();
        var client = ClientFor(swarm, 0);
        var stranger = RandomHop();

        var e = await Assert.ThrowsAsync<OnionPathException>(() => client.SendViaOnionAsync(
            client.Requests.Info(), [.. Path(swarm, [0, 1], "xa"), stranger], cancellationToken: Ct));

        Assert.Equal(502, e.StatusCode);
        Assert.Equal("Next node not found: " + stranger.Ed25519Hex, e.Text);
        Assert.Equal(stranger.Ed25519Hex, e.NodeEd25519Hex);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task NextNodeStopped_504RequestTimeOutPassedBack(int hops)
    {
        await using var swarm = await StartSwarmAsync();
        var client = ClientFor(swarm, 0);
        var path = Path(swarm, hops == 2 ? [0, 2] : [0, 1, 2], "xxx");
        await client.SendViaOnionAsync(client.Requests.Info(), path, cancellationToken: Ct); // channels and tokens exist
        await swarm.StopNodeAsync(2);

        var response = await client.SendRawViaOnionAsync(client.Requests.Info(), path, cancellationToken: Ct);

        Assert.True(response.IsPathError);
        Assert.Equal(504, response.Status);
        Assert.Equal("Request time out", response.BodyText);
    }

    [Theory]
    [InlineData(new[] { 0, 1 }, 14, 200, null)]
    [InlineData(new[] { 0, 1 }, 15, 400, "onion request max path length exceeded")]
    [InlineData(new[] { 0, 1, 2 }, 13, 200, null)]
    [InlineData(new[] { 0, 1, 2 }, 14, 400, "onion request max path length exceeded")]
    public async Task HopNoAcrossRelays_LimitAtTheReceivingRelay_PassedBackUnchanged(int[] nodes, int hopNo, int status, string? text)
    {
        await using var swarm = await StartSwarmAsync();
        var client = ClientFor(swarm, 0);

        var response = await client.SendRawViaOnionAsync(
            client.Requests.Info(), Path(swarm, nodes, "xax"), new OnionRequestOptions { HopNo = hopNo }, Ct);

        Assert.Equal(status, response.Status);
        Assert.Equal(text is not null, response.IsPathError);
        if (text is not null)
        {
            Assert.Equal(400, response.HttpStatus);
            Assert.Equal(text, response.BodyText);
        }
    }

    private static Task<TestSwarm> StartSwarmAsync()
    {
        NodeFixture.RequireInProcess("starts a three-node network");
        return TestSwarm.StartAsync(Swarms, cancellationToken: Ct);
    }

    private static SessionNodeClient ClientFor(TestSwarm swarm, int index) =>
        new(new SessionNodeClientOptions { BaseAddress = swarm.BaseAddressOf(index) });

    /// <summary>The nodes <paramref name="indexes"/> as a path; <paramref name="encTypes"/> gives each layer's type (x/a).</summary>
    private static OnionHop[] Path(TestSwarm swarm, int[] indexes, string encTypes) =>
        [.. indexes.Select((node, i) => OnionHop.FromHex(
            swarm[node].PublicKeyHex,
            swarm[node].BaseAddress.Host,
            swarm[node].BaseAddress.Port,
            encType: encTypes[i] == 'a' ? EncryptionType.AesGcm : EncryptionType.XChaCha20))];

    private static OnionHop RandomHop()
    {
        using var keys = Ed25519KeyPair.FromSeed(RandomNumberGenerator.GetBytes(32));
        return OnionHop.FromHex(keys.PublicKeyHex);
    }

    /// <summary>A fresh user whose account maps to <paramref name="swarmId"/> in the network's view.</summary>
    private static SessionAccount NewUserIn(TestSwarm swarm, ulong swarmId)
    {
        var view = swarm[0].Services.GetRequiredService<Membership>().Current;
        while (true)
        {
            var user = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));
            if (view.TryGetSwarm(user.Id, out var id) && id == swarmId)
            {
                return user;
            }

            user.Dispose();
        }
    }
}
