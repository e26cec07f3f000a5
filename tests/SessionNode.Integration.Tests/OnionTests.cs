using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SessionNode.Crypto;

namespace SessionNode.Integration.Tests;

/// <summary>
/// Onion requests (onion.md §5–§13) through real nodes, driven by the Client's onion builder: one-hop requests
/// where the edge is the destination, exit proxying to a local server, and the plain-text path errors.
/// Multi-hop paths across several nodes are in <see cref="OnionRelayTests"/>.
/// </summary>
public sealed class OnionTests
{
    private static readonly Dictionary<string, string?> PrivateTargets = new() { ["Onion:AllowPrivateProxyTargets"] = "true" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(EncryptionType.XChaCha20)]
    [InlineData(EncryptionType.AesGcm)]
    public async Task OneHop_StoreThenRetrieve_SameTypedResultsAsDirectCalls(EncryptionType encType)
    {
        await using var f = await NodeFixture.StartAsync();
        var me = f.NewUser();
        var path = new[] { EdgeOf(f) };
        var options = new OnionRequestOptions { EncType = encType };
        var data = TestData.Bytes(100);

        var stored = await f.Client.SendViaOnionAsync(f.Requests.Store(me, data, new Namespace(2), ttl: TimeSpan.FromHours(1)), path, options, Ct);
        var page = await f.Client.SendViaOnionAsync(f.Requests.Retrieve(me, new Namespace(2)), path, options, Ct);

        Assert.True(stored.HashMatches);
        Assert.True(stored.SignaturesValid);
        var message = Assert.Single(page.Messages);
        Assert.Equal(stored.ExpectedHash, message.Hash);
        Assert.Equal(data, message.Data.ToArray());
    }

    [Fact]
    public async Task OneHop_DesktopStyleAesGcmWithoutEncType_Answers()
    {
        await using var f = await NodeFixture.StartAsync();
        var options = new OnionRequestOptions
        {
            EncType = EncryptionType.AesGcm,
            EmitAesGcmEncType = false,
            ControlJson = """{"body":null,"headers":{}}""",
        };

        var info = await f.Client.SendViaOnionAsync(f.Requests.Info(), [EdgeOf(f)], options, Ct);

        f.AssertTime(f.Now, info.Timestamp);
    }

    [Fact]
    public async Task OneHop_JsonAndRawFlags_EmbeddedJsonInRawCiphertext()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.SendRawViaOnionAsync(
            f.Requests.Info(), [EdgeOf(f)], new OnionRequestOptions { Json = true, Base64 = false }, Ct);

        Assert.True(response.IsSuccess);
        using var body = JsonDocument.Parse(response.Body);
        f.AssertTime(f.Now, body.RootElement.GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public async Task OneHop_RpcError_SurfacesAsRpcException()
    {
        await using var f = await NodeFixture.StartAsync();
        var me = f.NewUser();
        var request = f.Requests.Retrieve(me, new Namespace(2)).WithBadSignature();

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => f.Client.SendViaOnionAsync(request, [EdgeOf(f)], cancellationToken: Ct));

        Assert.Equal(401, e.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ExitProxy_V4_ServerGetsWholeLayerAndAnswerComesBack(bool https)
    {
        var settings = new Dictionary<string, string?>(PrivateTargets) { ["Onion:AllowInsecureProxyTls"] = https ? "true" : "false" };
        await using var f = await NodeFixture.StartAsync(settings);
        await using var server = await OnionTestServer.StartAsync(https);
        var destination = new OnionServerDestination("127.0.0.1", server.PublicKey, https ? "https" : "http", server.Port);
        var request = new OnionServerRequest("POST", "/room/test/message", """{"data":"aGk="}"""u8.ToArray());
        using var onion = f.Client.Onion.BuildForServer([EdgeOf(f)], destination, request);

        var response = (await f.Client.SendOnionAsync(onion, Ct)).EnsureDelivered();

        // §9.3: the exit POSTs its entire decrypted layer, as application/octet-stream.
        var received = Assert.Single(server.Requests);
        Assert.Equal(onion.Layers[0].Plaintext.ToArray(), received.Body);
        Assert.Equal("application/octet-stream", received.ContentType);
        Assert.Equal(request.ToV4Bytes(), received.Plaintext);
        Assert.Equal(201, response.Status);
        Assert.Equal("yes", response.Headers["X-Test"]);
        Assert.Equal("""{"method":"POST","endpoint":"/room/test/message","body":"{\"data\":\"aGk=\"}"}""", response.BodyText);
    }

    [Fact]
    public async Task ExitProxy_V3_Base64AnswerDecoded()
    {
        await using var f = await NodeFixture.StartAsync(PrivateTargets);
        await using var server = await OnionTestServer.StartAsync(https: false);
        var destination = new OnionServerDestination(
            "127.0.0.1", server.PublicKey, "http", server.Port, OnionServerDestination.V3Target, EncryptionType.AesGcm);

        var response = await f.Client.SendToServerViaOnionAsync(new OnionServerRequest("POST", "/legacy", "hello"u8.ToArray()), destination, [EdgeOf(f)], cancellationToken: Ct);

        Assert.True(response.IsSuccess);
        Assert.Equal("""{"v3":"/legacy","body":"hello"}""", response.BodyText);
    }

    [Fact]
    public async Task ExitProxy_SelfSignedWithoutInsecureTls_502WithErrorText()
    {
        await using var f = await NodeFixture.StartAsync(PrivateTargets);
        await using var server = await OnionTestServer.StartAsync(https: true);
        var destination = new OnionServerDestination("127.0.0.1", server.PublicKey, "https", server.Port);

        var response = await f.Client.SendToServerViaOnionAsync(new OnionServerRequest("GET", "/x"), destination, [EdgeOf(f)], cancellationToken: Ct);

        Assert.True(response.IsPathError);
        Assert.Equal(502, response.Status);
        Assert.NotEmpty(response.BodyText);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ExitProxy_PrivateTargetByDefault_InvalidUrlEncryptedToExitLayer()
    {
        await using var f = await NodeFixture.StartAsync();
        await using var server = await OnionTestServer.StartAsync(https: false);
        var destination = new OnionServerDestination("127.0.0.1", server.PublicKey, "http", server.Port);

        var response = await f.Client.SendToServerViaOnionAsync(new OnionServerRequest("GET", "/x"), destination, [EdgeOf(f)], cancellationToken: Ct);

        Assert.False(response.FromDestination);
        Assert.Equal(0, response.Layer);
        var e = Assert.Throws<OnionPathException>(() => response.EnsureDelivered());
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("Invalid url", e.Text);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ExitProxy_OverPerHostRate_429WithoutReachingServer()
    {
        var settings = new Dictionary<string, string?>(PrivateTargets)
        {
            ["Onion:ProxyBurstPerHost"] = "1",
            ["Onion:ProxyRequestsPerSecondPerHost"] = "0.001",
        };
        await using var f = await NodeFixture.StartAsync(settings);
        await using var server = await OnionTestServer.StartAsync(https: false);
        var destination = new OnionServerDestination("127.0.0.1", server.PublicKey, "http", server.Port);
        var request = new OnionServerRequest("GET", "/x");

        var first = await f.Client.SendToServerViaOnionAsync(request, destination, [EdgeOf(f)], cancellationToken: Ct);
        var second = await f.Client.SendToServerViaOnionAsync(request, destination, [EdgeOf(f)], cancellationToken: Ct);

        Assert.True(first.IsSuccess);
        Assert.True(second.IsPathError);
        Assert.Equal(429, second.Status);
        Assert.Equal("Too many requests to this destination, try again later", second.BodyText);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ExitProxy_ServerSilentPastTimeout_504()
    {
        await using var f = await NodeFixture.StartAsync(PrivateTargets);
        await using var server = await OnionTestServer.StartAsync(https: false);
        server.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var destination = new OnionServerDestination("127.0.0.1", server.PublicKey, "http", server.Port);

        var pending = f.Client.SendToServerViaOnionAsync(new OnionServerRequest("GET", "/slow"), destination, [EdgeOf(f)], cancellationToken: Ct);
        await server.FirstRequest.Task.WaitAsync(Ct);
        f.Clock.Advance(TimeSpan.FromSeconds(25)); // the node's proxy deadline runs on its clock
        var response = await pending;

        Assert.True(response.IsPathError);
        Assert.Equal(504, response.Status);
        Assert.Contains("timed out", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownNextHop_502NextNodeNotFoundNamingIt()
    {
        await using var f = await NodeFixture.StartAsync();
        var stranger = RandomHop();

        var e = await Assert.ThrowsAsync<OnionPathException>(
            () => f.Client.SendViaOnionAsync(f.Requests.Info(), [EdgeOf(f), stranger], cancellationToken: Ct));

        Assert.Equal(502, e.StatusCode);
        Assert.Equal("Next node not found: " + stranger.Ed25519Hex, e.Text);
        Assert.Equal(stranger.Ed25519Hex, e.NodeEd25519Hex);
    }

    [Fact]
    public async Task TamperedCiphertext_400InvalidCiphertext()
    {
        await using var f = await NodeFixture.StartAsync();
        using var onion = f.Client.Onion.BuildForNode([EdgeOf(f)], f.Requests.Info().ToJsonBytes());
        var body = onion.Body.ToArray();
        body[4 + 30] ^= 0x01; // inside C1, past the nonce

        var raw = await f.Client.PostRawAsync(body, "onion_req/v2", cancellationToken: Ct);
        var response = onion.Decode(raw.StatusCode, raw.Body);

        Assert.True(response.IsPathError);
        Assert.Equal(400, response.Status);
        Assert.Equal("Invalid ciphertext", response.BodyText);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    public async Task HopNoAtTheEdge_NotChecked_EdgePeelsItsLayer(int hopNo)
    {
        // onion.md §5.2, client-rpc.md §11.7: only a relay receiver applies the limit, so the edge still
        // decrypts and resolves the next hop.
        await using var f = await NodeFixture.StartAsync();
        var stranger = RandomHop();

        var response = await f.Client.SendRawViaOnionAsync(f.Requests.Info(), [EdgeOf(f), stranger], new OnionRequestOptions { HopNo = hopNo }, Ct);

        Assert.True(response.IsPathError);
        Assert.Equal(502, response.Status);
        Assert.Equal("Next node not found: " + stranger.Ed25519Hex, response.BodyText);
    }

    [Fact]
    public async Task HopNoSixteenAtTheEdge_OneHop_RpcAnswers()
    {
        await using var f = await NodeFixture.StartAsync();

        var info = await f.Client.SendViaOnionAsync(f.Requests.Info(), [EdgeOf(f)], new OnionRequestOptions { HopNo = 16 }, Ct);

        Assert.Equal(f.Now, info.Timestamp);
    }

    [Theory]
    [InlineData("ff000000")]
    [InlineData("00000000")]
    [InlineData("0000")]
    [InlineData("000000007b7d")]
    public async Task MalformedFraming_400ErrorParsingOnionRequest(string bodyHex)
    {
        await using var f = await NodeFixture.StartAsync();

        var raw = await f.Client.PostRawAsync(Convert.FromHexString(bodyHex), "onion_req/v2", cancellationToken: Ct);

        Assert.Equal(400, raw.StatusCode);
        Assert.StartsWith("Error parsing onion request: ", raw.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEncType_400ErrorParsingOnionRequest()
    {
        await using var f = await NodeFixture.StartAsync();
        var json = Encoding.UTF8.GetBytes($$"""{"ephemeral_key":"{{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}}","enc_type":"rot13"}""");
        var body = new byte[4 + 40 + json.Length];
        body[0] = 40;
        json.CopyTo(body, 44);

        var raw = await f.Client.PostRawAsync(body, "onion_req/v2", cancellationToken: Ct);

        Assert.Equal(400, raw.StatusCode);
        Assert.Equal("Error parsing onion request: Invalid encryption type rot13", raw.BodyText);
    }

    // Multi-hop paths (relays over the gRPC peer channel) are in OnionRelayTests.
    private static OnionHop EdgeOf(NodeFixture f) => OnionHop.FromHex(f.PublicKeyHex, f.BaseAddress.Host, f.BaseAddress.Port);

    private static OnionHop RandomHop()
    {
        using var keys = Ed25519KeyPair.FromSeed(RandomNumberGenerator.GetBytes(32));
        return OnionHop.FromHex(keys.PublicKeyHex);
    }
}
