using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SessionNode.Crypto;
using SessionNode.Rpc;
using SessionNode.Swarm;

namespace SessionNode.Onion.Tests;

/// <summary><see cref="OnionEndpoint"/> without sockets: one-hop onions through the real request handler and store.</summary>
public sealed class OnionEndpointTests : IDisposable
{
    private const string Store0 = """{"method":"store","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","timestamp":1700000000000,"ttl":86400000,"data":"SGVsbG8sIFNlc3Npb24h"}}""";
    private const string Retrieve0 = """{"method":"retrieve","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","pubkey_ed25519":"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8","timestamp":1700000005000,"last_hash":"","max_size":-2,"signature":"gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg=="}}""";
    private const string Hash0 = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";
    private const string Unknown = "ffffeeeeddddccccbbbbaaaa9999888877776666555544443333222211110000";

    private readonly X25519KeyPair _eph = X25519KeyPair.Generate();

    public void Dispose() => _eph.Dispose();

    private static Task<OnionReply> SendAsync(EndpointFixture f, byte[] body) => f.Endpoint.HandleBodyAsync(body, CancellationToken.None);

    private static string Text(OnionReply reply) => Encoding.UTF8.GetString(reply.Body.Span);

    [Theory]
    [InlineData(EncryptionType.AesGcm)]
    [InlineData(EncryptionType.XChaCha20)]
    public async Task StoreThenRetrieve_OneHop_RunsRpcAndEncryptsResult(EncryptionType type)
    {
        using var f = new EndpointFixture();
        var store = await SendAsync(f, f.BuildBody(_eph, type, Encoding.UTF8.GetBytes(Store0), """{"headers":""}"""));
        var (status, body) = f.OpenReply(store, _eph, type);
        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.String, body.ValueKind); // double encoded by default
        Assert.Equal(Hash0, JsonDocument.Parse(body.GetString()!).RootElement.GetProperty("hash").GetString());

        f.SetNow(1_700_000_005_009);
        var retrieve = await SendAsync(f, f.BuildBody(_eph, type, Encoding.UTF8.GetBytes(Retrieve0), """{"body":null,"headers":{}}"""));
        (status, body) = f.OpenReply(retrieve, _eph, type);
        Assert.Equal(200, status);
        var messages = JsonDocument.Parse(body.GetString()!).RootElement.GetProperty("messages");
        Assert.Equal(Hash0, messages[0].GetProperty("hash").GetString());
        Assert.Equal("SGVsbG8sIFNlc3Npb24h", messages[0].GetProperty("data").GetString());
    }

    [Fact]
    public async Task Final_NoEncTypeKey_DefaultsToAesGcm()
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, Encoding.UTF8.GetBytes(Store0), """{"headers":{}}""", omitEncType: true));
        Assert.Equal(200, f.OpenReply(reply, _eph, EncryptionType.AesGcm).Status);
    }

    [Fact]
    public async Task Final_JsonTrueBase64False_EmbedsJsonAndReturnsRawBytes()
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.XChaCha20, Encoding.UTF8.GetBytes(Store0), """{"headers":"","json":true,"base64":false}"""));
        var (status, body) = f.OpenReply(reply, _eph, EncryptionType.XChaCha20, base64: false);
        Assert.Equal(200, status);
        Assert.Equal(Hash0, body.GetProperty("hash").GetString());
    }

    [Fact]
    public async Task Final_RpcError_IsWrappedWithInnerStatus()
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, """{"method":"nope","params":{}}"""u8, """{"headers":""}"""));
        var (status, body) = f.OpenReply(reply, _eph, EncryptionType.AesGcm);
        Assert.Equal(400, status);
        Assert.Equal("no method nope", body.GetString());
    }

    [Theory]
    [InlineData(EncryptionType.AesGcm)]
    [InlineData(EncryptionType.XChaCha20)]
    public async Task TamperedCiphertext_IsPlainInvalidCiphertext(EncryptionType type)
    {
        using var f = new EndpointFixture();
        var body = f.BuildBody(_eph, type, Encoding.UTF8.GetBytes(Store0), """{"headers":""}""");
        body[10] ^= 0x01;
        var reply = await SendAsync(f, body);
        Assert.Equal(400, reply.Status);
        Assert.Equal("Invalid ciphertext", Text(reply));
    }

    [Fact]
    public async Task MalformedInnerLayer_IsEncryptedInvalidJson()
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.XChaCha20, "x"u8, """{"headers":""} junk"""));
        var (status, body) = f.OpenReply(reply, _eph, EncryptionType.XChaCha20);
        Assert.Equal(400, status);
        Assert.Equal("Invalid json", body.GetString());
    }

    [Theory]
    [InlineData("""{"ephemeral_key":"00","enc_type":"aes-gcm"}""", "Error parsing onion request: invalid ephemeral_key")]
    [InlineData("""{"ephemeral_key":"0000000000000000000000000000000000000000000000000000000000000000","enc_type":"rot13"}""", "Error parsing onion request: Invalid encryption type rot13")]
    public async Task BadOuterBody_Is400ErrorParsing(string json, string expected)
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, OnionFraming.Build(new byte[50], Encoding.UTF8.GetBytes(json)));
        Assert.Equal(400, reply.Status);
        Assert.Equal(expected, Text(reply));
    }

    [Fact]
    public async Task OuterJsonWithInvalidUtf8_Is400ErrorParsing()
    {
        using var f = new EndpointFixture();
        var json = Encoding.Latin1.GetBytes("{\"ephemeral_key\":\"" + Convert.ToHexStringLower(_eph.PublicKey) + "\",\"enc_type\":\"\xff\"}");
        var reply = await SendAsync(f, OnionFraming.Build(new byte[50], json));
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("Error parsing onion request: ", Text(reply), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"host\":\"files\xff.example.org\",\"target\":\"/oxen/v4/lsrpc\"}")]
    [InlineData("{\"headers\":{},\"body\":\"\xc3\"}")]
    public async Task InnerJsonWithInvalidUtf8_IsEncryptedInvalidJson(string latin1Json)
    {
        var proxy = new FakeProxy(new OnionProxyResponse(200, [], "unused"u8.ToArray()));
        using var f = new EndpointFixture(proxy: proxy);
        var layer = OnionFraming.Build(Encoding.UTF8.GetBytes(Store0), Encoding.Latin1.GetBytes(latin1Json));
        var ciphertext = new ChannelEncryption(_eph, isServer: false).Encrypt(EncryptionType.XChaCha20, layer, f.OnionPublicKey);
        var outer = "{\"ephemeral_key\":\"" + Convert.ToHexStringLower(_eph.PublicKey) + "\",\"enc_type\":\"xchacha20\"}";

        var reply = await SendAsync(f, OnionFraming.Build(ciphertext, Encoding.UTF8.GetBytes(outer)));

        var (status, body) = f.OpenReply(reply, _eph, EncryptionType.XChaCha20);
        Assert.Equal(400, status);
        Assert.Equal("Invalid json", body.GetString());
        Assert.Empty(proxy.Calls);
    }

    [Fact]
    public async Task TruncatedBody_Is400ErrorParsing()
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, [1, 0]);
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("Error parsing onion request: ", Text(reply), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(1000)]
    public async Task OuterHopNo_AboveFifteen_IsNotCheckedAtTheEdge(int hopNo)
    {
        // onion.md §5.2 / client-rpc.md §11.7: the edge takes any starting hop_no; only a relay receiver refuses.
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, Encoding.UTF8.GetBytes(Store0), """{"headers":""}""", $",\"hop_no\":{hopNo}"));
        Assert.Equal(200, reply.Status);
        Assert.Equal(200, f.OpenReply(reply, _eph, EncryptionType.AesGcm).Status);
    }

    [Theory]
    [InlineData("16", 17)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("9007199254740993", int.MaxValue)]
    public async Task OuterHopNo_High_IsRelayedAboveTheLimitWithoutWrapping(string hopNo, int relayed)
    {
        var forwarder = new FakeForwarder(new OnionReply(400, "onion request max path length exceeded"u8.ToArray()));
        using var f = new EndpointFixture(forwarder: forwarder);
        var json = $$"""{"destination":"{{f.NodeKeys.PublicKeyHex}}","ephemeral_key":"{{Convert.ToHexStringLower(_eph.PublicKey)}}"}""";
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "next layer"u8, json, ",\"hop_no\":" + hopNo));

        Assert.Equal(400, reply.Status);
        Assert.Equal(relayed, Assert.Single(forwarder.Calls).Request.HopNo);
    }

    [Fact]
    public async Task Relay_UnknownDestination_Is502NextNodeNotFound()
    {
        using var f = new EndpointFixture();
        var json = $$"""{"destination":"{{Unknown.ToUpperInvariant()}}","ephemeral_key":"{{Convert.ToHexStringLower(_eph.PublicKey)}}"}""";
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "inner"u8, json));
        Assert.Equal(502, reply.Status);
        Assert.Equal("Next node not found: " + Unknown, Text(reply));
    }

    [Fact]
    public async Task Relay_KnownNodeWithoutForwarder_Is502()
    {
        using var f = new EndpointFixture();
        var json = $$"""{"destination":"{{f.NodeKeys.PublicKeyHex}}","ephemeral_key":"{{Convert.ToHexStringLower(_eph.PublicKey)}}"}""";
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "inner"u8, json));
        Assert.Equal(502, reply.Status);
        Assert.DoesNotContain("Next node not found", Text(reply), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(421, 421)]
    [InlineData(299, 500)]
    public async Task Relay_KnownNode_ForwardsFieldsAndNormalisesStatus(int nextStatus, int expected)
    {
        var forwarder = new FakeForwarder(new OnionReply(nextStatus, "next says hi"u8.ToArray()));
        using var f = new EndpointFixture(forwarder: forwarder);
        using var next = X25519KeyPair.Generate();
        var json = $$"""{"destination":"{{f.NodeKeys.PublicKeyHex}}","ephemeral_key":"{{Convert.ToHexStringLower(next.PublicKey)}}","enc_type":"xchacha20-poly1305"}""";
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "next layer bytes"u8, json, ",\"hop_no\":4"));

        Assert.Equal(expected, reply.Status);
        Assert.Equal("next says hi", Text(reply));
        var call = Assert.Single(forwarder.Calls);
        Assert.Equal(f.NodeKeys.PublicKeyHex, call.Request.NextHop.Ed25519Hex);
        Assert.Equal("127.0.0.1", call.Request.NextHop.Host);
        Assert.Equal(22020, call.Request.NextHop.PeerPort);
        Assert.Equal(5, call.Request.HopNo);
        Assert.Equal(EncryptionType.XChaCha20, call.Request.EncType);
        Assert.Equal(next.PublicKey.ToArray(), call.Ephemeral);
        Assert.Equal("next layer bytes"u8.ToArray(), call.Ciphertext);
    }

    [Fact]
    public async Task Relay_KnownNodeWithoutAddress_Is502Unreachable()
    {
        using var f = new EndpointFixture(membership: keys =>
        {
            var self = StandaloneMembership.SelfRecord(keys, new NodeOptions(), 22021, 0);
            return new Membership(StandaloneMembership.Snapshot(1, self, new RpcOptions()));
        });
        var json = $$"""{"destination":"{{f.NodeKeys.PublicKeyHex}}","ephemeral_key":"{{Convert.ToHexStringLower(_eph.PublicKey)}}"}""";
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "x"u8, json));
        Assert.Equal(502, reply.Status);
        Assert.Equal("Next node is currently unreachable: " + f.NodeKeys.PublicKeyHex, Text(reply));
    }

    [Theory]
    [InlineData("""{"host":"files.example.org","target":"/oxen/v4/lsrpc?x=1"}""")]
    [InlineData("""{"host":"files.example.org","target":"/oxen/v4/lsrpc","protocol":"ftp"}""")]
    [InlineData("""{"host":"127.0.0.1","target":"/oxen/v4/lsrpc","protocol":"http","port":8080}""")]
    [InlineData("""{"host":"target","target":"target"}""")]
    public async Task Exit_RejectedUrl_IsEncryptedInvalidUrl(string json)
    {
        var proxy = new FakeProxy(new OnionProxyResponse(200, [], "unused"u8.ToArray()));
        using var f = new EndpointFixture(proxy: proxy);
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.XChaCha20, "v4 blob"u8, json));
        var (status, body) = f.OpenReply(reply, _eph, EncryptionType.XChaCha20);
        Assert.Equal(400, status);
        Assert.Equal("Invalid url", body.GetString());
        Assert.Empty(proxy.Calls);
    }

    [Fact]
    public async Task Exit_NoProxyRegistered_Is502()
    {
        using var f = new EndpointFixture();
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "v4"u8, """{"host":"files.example.org","target":"/oxen/v4/lsrpc"}"""));
        Assert.Equal(502, reply.Status);
    }

    [Fact]
    public async Task Exit_WithProxy_PostsWholeLayerAndPassesReplyThrough()
    {
        var proxy = new FakeProxy(new OnionProxyResponse(
            404, [new("content-type", "application/octet-stream"), new("X-Other", "dropped")], "server bytes"u8.ToArray()));
        using var f = new EndpointFixture(proxy: proxy);
        const string Json = """{"host":"sogs.example.org","target":"/loki/v3/lsrpc","protocol":"http","port":8080,"ephemeral_key":"ab","enc_type":"xchacha20"}""";
        var reply = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "v4 blob"u8, Json));

        Assert.Equal(404, reply.Status);
        Assert.Equal("application/octet-stream", reply.ContentType);
        Assert.Equal("server bytes", Text(reply));
        var call = Assert.Single(proxy.Calls);
        Assert.Equal("http://sogs.example.org:8080/loki/v3/lsrpc", call.Url);
        Assert.Equal(OnionFraming.Build("v4 blob"u8, Encoding.UTF8.GetBytes(Json)), call.Body);
    }

    [Fact]
    public async Task NotReady_LayerIsSnodeNotReady_MatchesPathErrorVector()
    {
        var guard = OnionVectors.NodeIdentity("guard");
        using var f = new EndpointFixture(
            seed: guard.Hex("ed25519_seed"),
            membership: _ => new Membership(new MembershipSnapshot(1, [], null, (19, 3), 1)));
        var reply = await f.Endpoint.ProcessLayerAsync(new byte[64], new byte[32], EncryptionType.AesGcm, 1, CancellationToken.None);
        Assert.Equal(503, reply.Status);
        Assert.Equal(PathError(503, "Snode not ready"), Text(reply));
    }

    [Fact]
    public async Task PathErrorVectors_ProducedTextsMatch()
    {
        using var f = new EndpointFixture();
        var middle = OnionVectors.NodeIdentity("middle").Str("ed25519_pubkey");
        var json = $$"""{"destination":"{{middle}}","ephemeral_key":"{{Convert.ToHexStringLower(_eph.PublicKey)}}"}""";
        var notFound = await SendAsync(f, f.BuildBody(_eph, EncryptionType.AesGcm, "x"u8, json));
        Assert.Equal(PathError(502, "Next node not found"), Text(notFound));

        var tampered = f.BuildBody(_eph, EncryptionType.AesGcm, "x"u8, json);
        tampered[8] ^= 0xff;
        Assert.Equal(PathError(400, "Invalid ciphertext"), Text(await SendAsync(f, tampered)));

        var tooFar = await f.Endpoint.ProcessLayerAsync(new byte[64], new byte[32], EncryptionType.AesGcm, 16, CancellationToken.None);
        Assert.Equal(PathError(400, "onion request max path length exceeded"), Text(tooFar));

        var rot13 = OnionFraming.Build(new byte[40], Encoding.UTF8.GetBytes("{\"ephemeral_key\":\"" + new string('0', 64) + "\",\"enc_type\":\"rot13\"}"));
        Assert.Equal(PathError(400, "Error parsing onion request"), Text(await SendAsync(f, rot13)));
    }

    [Fact]
    public async Task Http_PostOneHop_WritesTextPlain200()
    {
        using var f = new EndpointFixture();
        var http = NewContext("POST", f.BuildBody(_eph, EncryptionType.AesGcm, Encoding.UTF8.GetBytes(Store0), """{"headers":""}"""));
        await f.Endpoint.HandleAsync(http);
        Assert.Equal(200, http.Response.StatusCode);
        Assert.Equal("text/plain", http.Response.ContentType);
        var reply = new OnionReply(200, ((MemoryStream)http.Response.Body).ToArray());
        Assert.Equal(200, f.OpenReply(reply, _eph, EncryptionType.AesGcm).Status);
    }

    [Fact]
    public async Task Http_ContentLengthOverLimit_Is413BeforeReading()
    {
        using var f = new EndpointFixture();
        var http = NewContext("POST", []);
        http.Request.ContentLength = 10 * 1024 * 1024 + 1;
        await f.Endpoint.HandleAsync(http);
        Assert.Equal(413, http.Response.StatusCode);
        Assert.Equal("Request body too large", Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public async Task Http_NotReady_Is503ServiceNodeNotReady()
    {
        using var f = new EndpointFixture(membership: _ => new Membership(new MembershipSnapshot(1, [], null, (19, 3), 1)));
        var http = NewContext("POST", [1, 2, 3]);
        await f.Endpoint.HandleAsync(http);
        Assert.Equal(503, http.Response.StatusCode);
        Assert.Equal("Service node is not ready: not in any swarm\n", Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public async Task Http_Get_Is404()
    {
        using var f = new EndpointFixture();
        var http = NewContext("GET", []);
        await f.Endpoint.HandleAsync(http);
        Assert.Equal(404, http.Response.StatusCode);
    }

    private static DefaultHttpContext NewContext(string method, byte[] body)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = "/onion_req/v2";
        http.Request.Body = new MemoryStream(body);
        http.Request.ContentLength = body.Length;
        http.Response.Body = new MemoryStream();
        return http;
    }

    private static string PathError(int status, string prefix)
    {
        foreach (var c in OnionVectors.Root.GetProperty("path_errors").GetProperty("cases").EnumerateArray())
        {
            var example = c.Str("example");
            if (c.GetProperty("http_status").GetInt32() == status && example.StartsWith(prefix, StringComparison.Ordinal))
            {
                return example;
            }
        }

        throw new InvalidOperationException("no path_errors example " + prefix);
    }
}
