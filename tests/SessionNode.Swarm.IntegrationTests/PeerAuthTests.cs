using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SessionNode.Crypto;
using SessionNode.Rpc.Peers.Proto;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>The peer listener only serves authenticated members (swarm.md §11 as designed for gRPC).</summary>
public sealed class PeerAuthTests
{
    [Fact]
    public async Task PeerRpcs_WithoutOrWithForgedToken_Unauthenticated()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var channel = Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);

        var none = await Assert.ThrowsAsync<RpcException>(() => stub.PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        var forged = await Assert.ThrowsAsync<RpcException>(() => stub.ReplicateAsync(
            new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8("{}") },
            new Metadata { { PeerAuth.TokenHeader, Convert.ToBase64String(new byte[72]) } },
            cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
    }

    [Fact]
    public async Task Authenticate_ForeignKeyOrBadSignature_Rejected()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var channel = Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var stranger = Ed25519KeyPair.Generate();
        using var member = MemberKey(swarm, 1);

        var foreign = await Assert.ThrowsAsync<RpcException>(() => stub.AuthenticateAsync(AuthRequest(stranger, swarm[0]), cancellationToken: Ct).ResponseAsync);
        var badSig = AuthRequest(member, swarm[0]);
        badSig.TimestampMs += 1;
        var forged = await Assert.ThrowsAsync<RpcException>(() => stub.AuthenticateAsync(badSig, cancellationToken: Ct).ResponseAsync);
        var stale = AuthRequest(member, swarm[0], DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds());
        var old = await Assert.ThrowsAsync<RpcException>(() => stub.AuthenticateAsync(stale, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, old.StatusCode);
    }

    [Fact]
    public async Task Member_Authenticated_CalleeProvesKey_NonReplicatedMethodRejected()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var channel = Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var member = MemberKey(swarm, 1);

        var auth = await stub.AuthenticateAsync(AuthRequest(member, swarm[0]), cancellationToken: Ct);
        var headers = new Metadata { { PeerAuth.TokenHeader, auth.Token } };
        var pong = await stub.PingAsync(new PingRequest(), headers, cancellationToken: Ct);
        var retrieve = await stub.ReplicateAsync(new ReplicateRequest { Method = "retrieve", Params = ByteString.CopyFromUtf8("{}") }, headers, cancellationToken: Ct);

        Assert.True(Ed25519.Verify(swarm[0].Keys.PublicKey, PeerAuth.AckMessage(auth.Token), auth.CalleeSignature.Span));
        Assert.Equal("pong", pong.Pong);
        Assert.Equal(400, retrieve.Status);
        Assert.Equal("invalid request: received invalid forwarded non-forwardable request", Encoding.UTF8.GetString(retrieve.Body.Span));
    }

    [Fact]
    public async Task ClientListener_DoesNotServePeerRpcs_AndPeerListenerNoClientRoutes()
    {
        await using var swarm = await TestSwarm.StartAsync(1, Ct);
        using var onClientPort = GrpcChannel.ForAddress(swarm[0].BaseAddress, ChannelOptions());
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        {
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        var grpc = await Assert.ThrowsAsync<RpcException>(() => new Peer.PeerClient(onClientPort).PingAsync(new PingRequest(), cancellationToken: Ct).ResponseAsync);
        using var rpc = await http.PostAsync(new Uri($"https://127.0.0.1:{PeerPortOf(swarm[0])}/storage_rpc/v1"), new StringContent("{}"), Ct);

        Assert.NotEqual(StatusCode.OK, grpc.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, rpc.StatusCode);
    }

    [Fact]
    public async Task AntiEntropy_OnlyMembersOfTheCalleesSwarm_AndBadRangesRejected()
    {
        await using var swarm = await TestSwarm.StartAsync([0UL, 0UL, 1UL], null, Ct);
        using var channel = Channel(swarm[0]);
        var peer = new Peer.PeerClient(channel);
        var ae = new AntiEntropy.AntiEntropyClient(channel);
        using var sameSwarm = MemberKey(swarm, 1);
        using var otherSwarm = MemberKey(swarm, 2);
        var own = new Metadata { { PeerAuth.TokenHeader, (await peer.AuthenticateAsync(AuthRequest(sameSwarm, swarm[0]), cancellationToken: Ct)).Token } };
        var foreign = new Metadata { { PeerAuth.TokenHeader, (await peer.AuthenticateAsync(AuthRequest(otherSwarm, swarm[0]), cancellationToken: Ct)).Token } };
        var request = new DigestRequest { AsOfMs = 1, FirstLeaf = 0, LeafCount = 65_536, GroupSize = 256 };

        var digests = await ae.GetDigestsAsync(request, own, cancellationToken: Ct);
        var denied = await Assert.ThrowsAsync<RpcException>(() => ae.GetDigestsAsync(request, foreign, cancellationToken: Ct).ResponseAsync);
        var badRange = await Assert.ThrowsAsync<RpcException>(() => ae.GetDigestsAsync(new DigestRequest { LeafCount = 65_537, GroupSize = 1 }, own, cancellationToken: Ct).ResponseAsync);
        var badLeaf = await Assert.ThrowsAsync<RpcException>(() => ae.GetItemsAsync(new ItemsRequest { Leaves = { 70_000 } }, own, cancellationToken: Ct).ResponseAsync);
        var garbage = await ae.PushItemsAsync(new PushItemsRequest { Items = { new RepairItem { Kind = 9, Account = ByteString.CopyFrom(new byte[3]) } } }, own, cancellationToken: Ct);
        var pong = await peer.PingAsync(new PingRequest(), own, cancellationToken: Ct); // still serving

        Assert.Equal(256 * 24, digests.Digests.Length);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badRange.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badLeaf.StatusCode);
        Assert.Equal((0, 1), (garbage.Applied, garbage.Skipped));
        Assert.Equal("pong", pong.Pong);
    }

    internal static Ed25519KeyPair MemberKey(TestSwarm swarm, int index) =>
        NodeKeyFile.LoadOrCreate(Path.Combine(swarm[index].DataDir, "key_ed25519"), out _);

    internal static AuthRequest AuthRequest(Ed25519KeyPair caller, TestNode callee, long? timestampMs = null)
    {
        var ts = timestampMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return new AuthRequest
        {
            CallerEd25519 = ByteString.CopyFrom(caller.PublicKey),
            TimestampMs = ts,
            Signature = ByteString.CopyFrom(caller.Sign(PeerAuth.AuthMessage(callee.Keys.PublicKey, caller.PublicKey, ts))),
        };
    }

    internal static GrpcChannel Channel(TestNode node) =>
        GrpcChannel.ForAddress($"https://127.0.0.1:{PeerPortOf(node)}", ChannelOptions());

    private static GrpcChannelOptions ChannelOptions() => new()
    {
        HttpHandler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } },
    };
}
