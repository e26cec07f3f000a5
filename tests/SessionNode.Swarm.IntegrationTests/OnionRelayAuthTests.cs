using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Crypto;
using SessionNode.Rpc.Peers.Proto;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>
/// The peer <c>Relay</c> RPC (onion.md §7.3–§7.4) called directly: only known nodes may relay, and bad relayed fields
/// or an exceeded hop counter come back as ordinary relay answers.
/// </summary>
public sealed class OnionRelayAuthTests
{
    [Fact]
    public async Task Relay_FromNodeNoLongerInMembership_PermissionDenied()
    {
        await using var swarm = await TestSwarm.StartAsync([0, 0, 0x8000_0000_0000_0000], cancellationToken: Ct);
        using var channel = Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var leaving = PeerAuthTests.MemberKey(swarm, 2);
        var token = await TokenAsync(stub, leaving, swarm[0]);
        var before = await stub.RelayAsync(Relay(hopNo: 1), Headers(token), cancellationToken: Ct);

        WriteNetworkFileWithout(swarm, 2);
        var view = swarm[0].Services.GetRequiredService<Membership>();
        await WaitUntilAsync(() => view.Current.FindByEd25519(swarm.KeyOf(2)) is null, "node 0 to drop node 2");
        var e = await Assert.ThrowsAsync<RpcException>(() => stub.RelayAsync(Relay(hopNo: 1), Headers(token), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(400, before.Status); // accepted while a member: the (random) layer does not decrypt
        Assert.Equal("Invalid ciphertext", before.Body.ToStringUtf8());
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public async Task Relay_StrangerCannotAuthenticate_NorRelayWithoutToken()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var channel = Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var stranger = Ed25519KeyPair.Generate();

        var auth = await Assert.ThrowsAsync<RpcException>(() => TokenAsync(stub, stranger, swarm[0]));
        var relay = await Assert.ThrowsAsync<RpcException>(() => stub.RelayAsync(Relay(hopNo: 1), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, auth.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, relay.StatusCode);
    }

    [Theory]
    [InlineData(31, "aes-gcm", 1, 400, "Invalid internal onion request: ephemeral_key must be 32 bytes")]
    [InlineData(32, "rot13", 1, 400, "Invalid internal onion request: unknown enc_type")]
    [InlineData(32, "xchacha20", 16, 400, "onion request max path length exceeded")]
    [InlineData(32, "", 15, 400, "Invalid ciphertext")]
    [InlineData(32, "xchacha20", -5, 400, "Invalid ciphertext")]
    public async Task Relay_BadFieldsOrHopLimit_AnsweredAsRelayReply(int keyLength, string encType, int hopNo, int status, string body)
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var channel = Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var member = PeerAuthTests.MemberKey(swarm, 1);
        var token = await TokenAsync(stub, member, swarm[0]);
        var request = Relay(hopNo);
        request.EphemeralKey = ByteString.CopyFrom(new byte[keyLength]);
        request.EncType = encType;

        var reply = await stub.RelayAsync(request, Headers(token), cancellationToken: Ct);

        Assert.Equal(status, reply.Status);
        Assert.Equal(body, reply.Body.ToStringUtf8());
    }

    private static RelayRequest Relay(int hopNo) => new()
    {
        Data = ByteString.CopyFrom(new byte[64]),
        EphemeralKey = ByteString.CopyFrom(new byte[32]),
        EncType = "xchacha20",
        HopNo = hopNo,
    };

    private static Metadata Headers(string token) => new() { { PeerAuth.TokenHeader, token } };

    private static async Task<string> TokenAsync(Peer.PeerClient stub, Ed25519KeyPair caller, TestNode callee)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var auth = await stub.AuthenticateAsync(
            new AuthRequest
            {
                CallerEd25519 = ByteString.CopyFrom(caller.PublicKey),
                TimestampMs = ts,
                Signature = ByteString.CopyFrom(caller.Sign(PeerAuth.AuthMessage(callee.Keys.PublicKey, caller.PublicKey, ts))),
            },
            cancellationToken: Ct);
        return auth.Token;
    }

    /// <summary>Rewrites the swarm's network file with every running node except <paramref name="excluded"/>.</summary>
    private static void WriteNetworkFileWithout(TestSwarm swarm, int excluded)
    {
        var entries = new List<string>();
        for (var i = 0; i < swarm.Nodes.Count; i++)
        {
            if (i != excluded && swarm.Nodes[i] is { } node)
            {
                entries.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{{\"pubkey_ed25519\":\"{node.PublicKeyHex}\",\"ip\":\"127.0.0.1\",\"port_https\":{node.BaseAddress.Port},\"port_peer\":{PeerPortOf(node)},\"swarm_id\":{swarm.SwarmOf(i)}}}"));
            }
        }

        var tmp = swarm.NetworkFile + ".tmp";
        File.WriteAllText(tmp, "{\"hf\":[19,4],\"height\":0,\"nodes\":[" + string.Join(',', entries) + "]}");
        File.Move(tmp, swarm.NetworkFile, overwrite: true);
    }

    private static GrpcChannel Channel(TestNode node) =>
        GrpcChannel.ForAddress($"https://127.0.0.1:{PeerPortOf(node)}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } },
        });
}
