using System.Text;
using System.Text.Json.Nodes;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>The envelope (client-rpc.md §2.4), parameter typing (§3) and transport limits (§2.3).</summary>
public sealed class MalformedInputTests
{
    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"method\":\"info\",\"params\":{}} trailing")]
    [InlineData("{\"method\":\"info\",\"params\":{},}")]
    [InlineData("{\"method\":\"info\",/*c*/\"params\":{}}")]
    public async Task Envelope_InvalidJson_400(string body)
    {
        await using var f = await NodeFixture.StartAsync();

        await AssertPostAsync(f, Encoding.UTF8.GetBytes(body), 400, "invalid json");
    }

    [Fact]
    public async Task Envelope_InvalidUtf8_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await AssertPostAsync(f, [.. "{\"method\":\"info\",\"params\":{\"x\":\""u8, 0xff, .. "\"}}"u8], 400, "invalid json");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"info\"")]
    [InlineData("42")]
    [InlineData("{\"params\":{}}")]
    [InlineData("{\"method\":5,\"params\":{}}")]
    [InlineData("{\"method\":null,\"params\":{}}")]
    public async Task Envelope_NoMethod_400(string body)
    {
        await using var f = await NodeFixture.StartAsync();

        await AssertPostAsync(f, Encoding.UTF8.GetBytes(body), 400, "invalid json: no `method` field");
    }

    [Theory]
    [InlineData("{\"method\":\"info\"}")]
    [InlineData("{\"method\":\"info\",\"params\":[]}")]
    [InlineData("{\"method\":\"info\",\"params\":\"x\"}")]
    [InlineData("{\"method\":\"nope\"}")]
    public async Task Envelope_NoParams_400(string body)
    {
        await using var f = await NodeFixture.StartAsync();

        await AssertPostAsync(f, Encoding.UTF8.GetBytes(body), 400, "invalid json: no `params` field");
    }

    [Fact]
    public async Task Envelope_UnknownMethod_400()
    {
        await using var f = await NodeFixture.StartAsync();

        await f.AssertFailsAsync("nope", [], 400, "no method nope");
        await f.AssertFailsAsync("Store", [], 400, "no method Store");
        await f.AssertFailsAsync("expire_msgs", [], 400, "no method expire_msgs");
    }

    [Fact]
    public async Task Envelope_ExtraTopLevelKeys_Ignored()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.PostRawAsync("""{"id":1,"method":"info","params":{},"x":[1]}"""u8.ToArray(), cancellationToken: NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
    }

    [Fact]
    public async Task Params_RawNonObject_400()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.SendRawAsync("info", "null"u8.ToArray(), NodeFixture.Ct);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("invalid json: no `params` field", response.BodyText);
    }

    [Fact]
    public async Task Params_WrongTypes_400WithTypeDetail()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("max_count", "5"), 400, "invalid request: Invalid value given for 'max_count': expected integer");
        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("max_size", 1.5), 400, "invalid request: Invalid value given for 'max_size': expected integer");
        await f.AssertFailsAsync(f.Requests.Delete(user, [UnknownHash()]).With("required", 1), 400, "invalid request: Invalid value given for 'required': expected boolean");
        await f.AssertFailsAsync(f.Requests.Delete(user, [UnknownHash()]).With("messages", 5), 400, "invalid request: Invalid value given for 'messages': expected string array");
        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("data", 5), 400, "invalid request: Invalid value given for 'data': expected string");
        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("timestamp", -5), 400, "invalid request: Invalid value given for 'timestamp': expected integer timestamp (in milliseconds)");
        await f.AssertFailsAsync(f.Requests.DeleteAll(user).With("namespace", "everything"), 400, "invalid request: Invalid value given for 'namespace': expected integer or \"all\"");
        await f.AssertFailsAsync(f.Requests.Expire(user, [UnknownHash()], f.Now).With("expiry", "soon"), 400, "invalid request: Invalid value given for 'expiry': expected timestamp array");
    }

    [Fact]
    public async Task Params_NamespaceOutOfRange_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user.Id, Bytes()).With("namespace", 40_000), 400, "invalid request: Invalid value given for 'namespace': value out of range");
    }

    [Fact]
    public async Task Params_NamespaceString_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var response = await f.Client.SendRawAsync(f.Requests.Store(user.Id, Bytes()).With("namespace", "2"), NodeFixture.Ct);

        Assert.Equal(400, response.StatusCode);
        Assert.StartsWith("invalid request: Invalid value given for 'namespace'", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Params_TimestampInSeconds_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user, timestamp: 999_999_999), 400, "invalid request: Invalid timestamp for 'timestamp': timestamp must be in milliseconds");
    }

    [Fact]
    public async Task Params_NullValue_TreatedAsAbsent()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Store(user, Bytes());
        request.Params["namespace"] = null;
        request.Params["expiry"] = null;

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.True(request.ParseResponse(response.Body).SignaturesValid);
    }

    [Fact]
    public async Task Params_MissingPubkey_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("pubkey", null), 400, "invalid request: Required field 'pubkey' missing");
        await f.AssertFailsAsync(f.Requests.Delete(user, [UnknownHash()]).With("pubkey", null), 400, "invalid request: Required field 'pubkey' missing");
    }

    [Fact]
    public async Task Params_BothPubkeySpellings_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("pubKey", user.PubkeyHex), 400, "invalid request: Cannot specify both 'pubkey' and 'pubKey'");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(34)]
    public async Task Params_PubkeyWrongLength_400(int bytes)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hex = Convert.ToHexStringLower(Bytes(bytes));

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("pubkey", hex), 400, "invalid request: Pubkey must be 66 hex digits (33 bytes) long");
        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("pubkey", hex), 400, "invalid request: Pubkey must be 66 hex digits (33 bytes) long");
    }

    [Fact]
    public async Task Params_PubkeyNotHex_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("pubkey", new string('z', 66)), 400, "invalid request: Pubkey must be 66 hex digits (33 bytes) long");
    }

    [Fact]
    public async Task Params_Pubkey33RawBytes_AcceptedAsRawAccount()
    {
        // [QUIRK] §3.2: a string whose UTF-8 encoding is exactly 33 bytes is the raw account id.
        await using var f = await NodeFixture.StartAsync();
        const string Raw = "0123456789abcdefghijklmnopqrstuvw";
        var account = AccountId.FromBytes(Encoding.UTF8.GetBytes(Raw));
        var data = Bytes();
        var request = f.Requests.Store(account, data).With("pubkey", Raw);

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        var result = request.ParseResponse(response.Body);
        Assert.True(result.HashMatches);
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Params_PubkeyUppercaseHex_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Store(user, Bytes(), new Namespace(2))
            .With("pubkey", user.PubkeyHex.ToUpperInvariant())
            .With("pubkey_ed25519", user.PubkeyEd25519Hex!.ToUpperInvariant());

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.True(request.ParseResponse(response.Body).SignaturesValid);
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("not base64 at all, definitely not a signature of the right length.....................")]
    public async Task Params_MalformedSignature_400(string signature)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("signature", signature), 400, "invalid request: invalid signature: expected base64 encoded Ed25519 signature");
    }

    [Fact]
    public async Task Params_HexSignature_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Retrieve(user).With("signature", Convert.ToHexStringLower(Bytes(64))),
            400,
            "invalid request: invalid signature: expected base64 encoded Ed25519 signature");
    }

    [Fact]
    public async Task Params_UnpaddedSignature_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Retrieve(user);
        request.Params["signature"] = ((string)request.Params["signature"]!).TrimEnd('=');

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task Params_PubkeyEd25519Errors_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var group = f.NewGroup();

        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("pubkey_ed25519", new string('x', 64)), 400, "invalid request: invalid pubkey_ed25519: value is not hex");
        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("pubkey_ed25519", "abcd"), 400, "invalid request: Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey");
        await f.AssertFailsAsync(f.Requests.Retrieve(group).With("pubkey_ed25519", user.PubkeyEd25519Hex!), 400, "invalid request: pubkey_ed25519 is only permitted for 05[...] pubkeys");
    }

    [Fact]
    public async Task Params_PubkeyEd25519NotMatchingSessionId_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var other = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("pubkey_ed25519", other.PubkeyEd25519Hex!), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Params_MissingSignature_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.DeleteAll(user).With("signature", null), 400, "invalid request: Required field 'signature' missing");
        await f.AssertFailsAsync(f.Requests.DeleteAll(user).With("timestamp", null), 400, "invalid request: Required field 'timestamp' missing");
        await f.AssertFailsAsync(f.Requests.DeleteBefore(user, f.Now).With("before", null), 400, "invalid request: Required field 'before' missing");
    }

    [Fact]
    public async Task Params_InfoIgnoresUnknownKeys()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.SendRawAsync("info", new JsonObject { ["anything"] = new JsonArray(1, 2) }, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task Body_OverTenMiB_413()
    {
        await using var f = await NodeFixture.StartAsync();
        var body = new byte[Limits.MaxRequestBody + 1];
        body.AsSpan().Fill((byte)' ');

        var response = await f.Client.PostRawAsync(body, cancellationToken: NodeFixture.Ct);

        Assert.Equal(413, response.StatusCode);
        Assert.Equal("Request body too large", response.BodyText);
    }

    [Fact]
    public async Task Body_TenMiBOfValidJson_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var head = """{"method":"info","params":{},"pad":" """u8.ToArray();
        var tail = "\"}"u8.ToArray();
        var body = new byte[Limits.MaxRequestBody];
        head.CopyTo(body, 0);
        body.AsSpan(head.Length, body.Length - head.Length - tail.Length).Fill((byte)'x');
        tail.CopyTo(body, body.Length - tail.Length);

        var response = await f.Client.PostRawAsync(body, cancellationToken: NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task Transport_LongPollHeader_410()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.PostRawAsync(f.Requests.Info().ToJsonBytes(), headers: [new("X-Loki-Long-Poll", "true")], cancellationToken: NodeFixture.Ct);

        Assert.Equal(410, response.StatusCode);
        Assert.Equal("long polling is no longer supported, client upgrade required", response.BodyText);
    }

    [Fact]
    public async Task Transport_UnknownRoute_404()
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.PostRawAsync(f.Requests.Info().ToJsonBytes(), "storage_rpc/v2", cancellationToken: NodeFixture.Ct);

        Assert.Equal(404, response.StatusCode);
        Assert.Equal("post /storage_rpc/v2 Not Found", response.BodyText);
    }

    [Theory]
    [InlineData("POST", "storage_rpc/v2", "post /storage_rpc/v2 Not Found")]
    [InlineData("GET", "storage_rpc/v1", "get /storage_rpc/v1 Not Found")]
    [InlineData("PUT", "onion_req/v2", "put /onion_req/v2 Not Found")]
    [InlineData("GET", "ping_test/v1", "get /ping_test/v1 Not Found")]
    [InlineData("POST", "get_stats/v1", "post /get_stats/v1 Not Found")]
    [InlineData("POST", "STORAGE_RPC/v1", "post /STORAGE_RPC/v1 Not Found")]
    [InlineData("POST", "storage_rpc/v1/", "post /storage_rpc/v1/ Not Found")]
    [InlineData("GET", "Get_Stats/v1", "get /Get_Stats/v1 Not Found")]
    [InlineData("POST", "nope?x=1", "post /nope Not Found")]
    [InlineData("GET", "", "get / Not Found")]
    public async Task Transport_Fallback_404_LowercaseMethodAndPathWithoutQuery(string method, string path, string body)
    {
        await using var f = await NodeFixture.StartAsync();
        using var http = f.Node.CreateHttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
        {
            Content = method == "GET" ? null : new ByteArrayContent(f.Requests.Info().ToJsonBytes()),
        };

        using var response = await http.SendAsync(request, NodeFixture.Ct);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Oxen Storage Server/2.8.0", response.Headers.Server.ToString());
        Assert.Equal(body, await response.Content.ReadAsStringAsync(NodeFixture.Ct));
    }

    [Theory]
    [InlineData("storage_rpc/v1?x=1")]
    [InlineData("storage_rpc/v1?")]
    public async Task Transport_QueryString_Ignored(string path)
    {
        await using var f = await NodeFixture.StartAsync();

        var response = await f.Client.PostRawAsync(f.Requests.Info().ToJsonBytes(), path, cancellationToken: NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
    }

    [Fact]
    public async Task Transport_PingTestAndGetStats()
    {
        await using var f = await NodeFixture.StartAsync();
        using var http = f.Node.CreateHttpClient();

        using var ping = await http.PostAsync(new Uri("ping_test/v1", UriKind.Relative), new StringContent("ignored"), NodeFixture.Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("text/plain", ping.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await ping.Content.ReadAsByteArrayAsync(NodeFixture.Ct));
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(f.Node.PublicKeyHex)), ping.Headers.GetValues("X-Oxen-Snode-Pubkey").Single());

        using var stats = await http.GetAsync(new Uri("get_stats/v1", UriKind.Relative), NodeFixture.Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("application/json", stats.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"version\":\"2.8.0\"}", await stats.Content.ReadAsStringAsync(NodeFixture.Ct));
    }

    [Fact]
    public async Task Transport_ServerHeaderAndContentTypes()
    {
        await using var f = await NodeFixture.StartAsync();

        var ok = await f.Client.SendRawAsync(f.Requests.Info(), NodeFixture.Ct);
        var error = await f.Client.SendRawAsync("nope", [], NodeFixture.Ct);

        Assert.Equal("Oxen Storage Server/2.8.0", ok.Server);
        Assert.Equal("application/json", ok.ContentType);
        Assert.Equal("Oxen Storage Server/2.8.0", error.Server);
        Assert.Equal("text/plain", error.ContentType);
    }

    [Fact]
    public async Task Transport_KeepAlive_ManySequentialRequests()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        for (var i = 0; i < 50; i++)
        {
            await f.StoreOkAsync(user, Bytes());
        }

        var page = await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct);
        Assert.Equal(50, page.Messages.Count);
    }

    private static async Task AssertPostAsync(NodeFixture f, byte[] body, int status, string text)
    {
        var response = await f.Client.PostRawAsync(body, cancellationToken: NodeFixture.Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(text, response.BodyText);
    }
}
