using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SessionNode.Client.Tests;

/// <summary>Request framing, status handling and timeouts, against an in-memory handler (no sockets).</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task SendAsync_PostsEnvelopeToStorageRpc()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"version":[2,8,0],"timestamp":5,"t":5,"hf":[19,4]}""");
        using var client = NewClient(handler);

        var info = await client.InfoAsync(TestContext.Current.CancellationToken);

        Assert.Equal([2, 8, 0], info.Version);
        Assert.Equal(HttpMethod.Post, handler.Method);
        Assert.Equal(new Uri("https://node.test:22021/storage_rpc/v1"), handler.Uri);
        Assert.Equal("""{"method":"info","params":{}}""", handler.Body);
        Assert.Equal("application/json", handler.ContentType);
    }

    [Fact]
    public async Task SendAsync_ErrorStatus_ThrowsWithStatusAndBody()
    {
        var handler = new RecordingHandler((HttpStatusCode)406, "retrieve timestamp too far from current time", "text/plain");
        using var client = NewClient(handler);
        using var user = Vectors.User();

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => client.RetrieveAsync(user, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(406, e.StatusCode);
        Assert.Equal("retrieve timestamp too far from current time", e.Body);
        Assert.Equal("retrieve", e.Method);
        Assert.Null(e.Swarm);
    }

    [Fact]
    public async Task SendAsync_421_ExposesSwarm()
    {
        const string Body = """{"snodes":[{"address":"x.snode","ip":"10.0.0.1","port":"22021","port_https":22021,"port_omq":22020,"port_quic":22020,"pubkey_ed25519":"aa","pubkey_legacy":"aa","pubkey_x25519":"bb"}],"swarm":"1f","t":7,"hf":[19,4]}""";
        using var client = NewClient(new RecordingHandler(HttpStatusCode.MisdirectedRequest, Body));
        using var user = Vectors.User();

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => client.StoreAsync(user, Vectors.HelloSession, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(421, e.StatusCode);
        Assert.NotNull(e.Swarm);
        Assert.Equal("1f", e.Swarm!.SwarmId);
        Assert.Equal("10.0.0.1", Assert.Single(e.Swarm.Snodes).Ip);
        Assert.Equal(22021, e.Swarm.Snodes[0].PortHttps);
    }

    [Fact]
    public async Task SendRawAsync_RawParams_InsertedVerbatim()
    {
        var handler = new RecordingHandler(HttpStatusCode.BadRequest, "invalid json", "text/plain");
        using var client = NewClient(handler);

        var response = await client.SendRawAsync("store", "[1,2"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("""{"method":"store","params":[1,2}""", handler.Body);
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("invalid json", response.BodyText);
        Assert.False(response.IsJson);
    }

    [Fact]
    public async Task SendRawAsync_JsonObject_DoesNotThrowOnErrors()
    {
        var handler = new RecordingHandler(HttpStatusCode.BadRequest, "no method nope", "text/plain");
        using var client = NewClient(handler);

        var response = await client.SendRawAsync("nope", new JsonObject { ["a"] = "+/" }, TestContext.Current.CancellationToken);

        Assert.Equal("""{"method":"nope","params":{"a":"+/"}}""", handler.Body);
        Assert.Equal(400, response.StatusCode);
    }

    [Fact]
    public async Task PostRawAsync_SendsBytesAndHeaders()
    {
        var handler = new RecordingHandler(HttpStatusCode.Gone, "long polling is no longer supported, client upgrade required", "text/plain");
        using var client = NewClient(handler);

        var response = await client.PostRawAsync("{}"u8.ToArray(), headers: [new("X-Loki-Long-Poll", "1")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("{}", handler.Body);
        Assert.Equal("1", handler.Headers["X-Loki-Long-Poll"]);
        Assert.Equal(410, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_NoAnswerInTime_ThrowsTimeout()
    {
        using var client = new SessionNodeClient(new SessionNodeClientOptions
        {
            BaseAddress = new Uri("https://node.test:22021"),
            Handler = new HangingHandler(),
            RequestTimeout = TimeSpan.FromMilliseconds(50),
        });

        await Assert.ThrowsAsync<TimeoutException>(() => client.InfoAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Batch_SubResultsParseWithTheirRequests()
    {
        using var user = Vectors.User();
        var builder = new RequestBuilder();
        var store = builder.Store(user, Vectors.HelloSession, ttl: TimeSpan.FromDays(1), timestamp: 1_700_000_000_000);
        var retrieve = builder.Retrieve(user, timestamp: 1_700_000_005_000);
        var batch = builder.Batch(store, retrieve);
        var handler = new RecordingHandler(
            HttpStatusCode.OK,
            $$$"""{"results":[{"code":200,"body":{"hash":"{{{Vectors.Hash0}}}","hf":[19,4],"swarm":{"{{{Vectors.NodeEd25519Hex}}}":{"expiry":1700086400000,"hash":"{{{Vectors.Hash0}}}","signature":"XBqS8jVJV4P0e3pusfYLF/pBJWywj/FS9i9qUXCByZVE1vkQI6QaZEbWIrhqcWOYBzUE4poTfPXCLae17xC3DA=="}},"t":1}},{"code":401,"body":"retrieve signature verification failed"}]}""");
        using var client = NewClient(handler);

        var result = await client.SendAsync(batch, TestContext.Current.CancellationToken);

        var requests = JsonNode.Parse(handler.Body)!["params"]!["requests"]!.AsArray();
        Assert.Equal(["store", "retrieve"], requests.Select(r => (string)r!["method"]!));
        Assert.True(result.Results[0].As(store).SignaturesValid);
        var e = Assert.Throws<SessionNodeRpcException>(() => result.Results[1].As(retrieve));
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("retrieve signature verification failed", e.Body);
    }

    [Fact]
    public void IfElse_NestsBranchesAsEnvelopes()
    {
        using var user = Vectors.User();
        var builder = new RequestBuilder();
        var inner = builder.Batch(builder.Info());
        var request = builder.IfElse(new IfElseCondition { HardForkAtLeast = [19, 3], HeightAtLeast = 0 }, inner, builder.Info());

        var p = request.Params;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"hf_at_least":[19,3],"height_at_least":0}"""), p["if"]));
        Assert.Equal("batch", (string)p["then"]!["method"]!);
        Assert.Equal("info", (string)p["else"]!["method"]!);
    }

    private static SessionNodeClient NewClient(HttpMessageHandler handler) => new(new SessionNodeClientOptions
    {
        BaseAddress = new Uri("https://node.test:22021"),
        Handler = handler,
    });

    private sealed class RecordingHandler(HttpStatusCode status, string body, string contentType = "application/json") : HttpMessageHandler
    {
        public HttpMethod? Method { get; private set; }

        public Uri? Uri { get; private set; }

        public string Body { get; private set; } = string.Empty;

        public string? ContentType { get; private set; }

        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method;
            Uri = request.RequestUri;
            Body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            ContentType = request.Content?.Headers.ContentType?.MediaType;
            foreach (var h in request.Headers)
            {
                Headers[h.Key] = string.Join(",", h.Value);
            }

            return new HttpResponseMessage(status)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new(contentType) } },
            };
        }
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
