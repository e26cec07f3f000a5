using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>
/// The <c>/storage_rpc/v1</c> pipeline of client-rpc.md §2.3 without sockets: each gate's exact status and
/// text/plain body, and that the gates apply in the specified order (the first failing one answers).
/// </summary>
public sealed class ClientEndpointsTests : IDisposable
{
    private const string Info = """{"method":"info","params":{}}""";

    private readonly HandlerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task NotReady_503_BeforeEveryOtherCheck()
    {
        var notReady = new NodeState(_f.NodeKeys, new Membership(new MembershipSnapshot(1, [], null, (19, 2), 1)), _f.Clock, forceStart: false);
        var endpoints = Endpoints(notReady);
        var http = Post(Info, IPAddress.IPv6Loopback);
        http.Request.Headers["X-Loki-Long-Poll"] = "1";
        http.Request.ContentLength = 10 * 1024 * 1024 + 1;

        await endpoints.StorageRpcAsync(http);

        AssertText(http, 503, "Service node is not ready: not yet on hardfork 19.3; not in any swarm\n");
    }

    [Fact]
    public async Task IPv6Client_400BadRequest_BeforeLongPollAndSize()
    {
        var http = Post(Info, IPAddress.Parse("2001:db8::1"));
        http.Request.Headers["X-Loki-Long-Poll"] = "1";
        http.Request.ContentLength = 10 * 1024 * 1024 + 1;

        await Endpoints().StorageRpcAsync(http);

        AssertText(http, 400, "Bad Request\n");
    }

    [Fact]
    public async Task IPv4MappedIPv6Client_Served()
    {
        var http = Post(Info, IPAddress.Parse("::ffff:192.0.2.7"));

        await Endpoints().StorageRpcAsync(http);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.Equal("application/json", http.Response.ContentType);
    }

    [Fact]
    public async Task RateLimited_429_BeforeLongPoll()
    {
        var limiter = new ClientRateLimiter(_f.Clock);
        var client = IPAddress.Parse("192.0.2.9");
        while (limiter.TryAcquire(client))
        {
        }

        var http = Post(Info, client);
        http.Request.Headers["X-Loki-Long-Poll"] = "1";

        await Endpoints(limiter: limiter).StorageRpcAsync(http);

        AssertText(http, 429, "Too Many Requests\n");
    }

    [Fact]
    public async Task LongPollHeader_410_BeforeBodySize_ButEmptyValueIgnored()
    {
        var http = Post(Info, IPAddress.Loopback);
        http.Request.Headers["X-Loki-Long-Poll"] = "true";
        http.Request.ContentLength = 10 * 1024 * 1024 + 1;
        await Endpoints().StorageRpcAsync(http);
        AssertText(http, 410, "long polling is no longer supported, client upgrade required");

        var empty = Post(Info, IPAddress.Loopback);
        empty.Request.Headers["X-Loki-Long-Poll"] = "";
        await Endpoints().StorageRpcAsync(empty);
        Assert.Equal(200, empty.Response.StatusCode);
    }

    [Fact]
    public async Task ContentLengthOverTenMiB_413AndClose()
    {
        var http = Post(Info, IPAddress.Loopback);
        http.Request.ContentLength = 10 * 1024 * 1024 + 1;

        await Endpoints().StorageRpcAsync(http);

        AssertText(http, 413, "Request body too large");
        Assert.Equal("close", http.Response.Headers.Connection.ToString());
    }

    [Fact]
    public async Task ContentTypeOfRequest_Ignored()
    {
        foreach (var type in new[] { null, "application/json", "application/octet-stream", "text/plain" })
        {
            var http = Post(Info, IPAddress.Loopback);
            http.Request.ContentType = type;
            await Endpoints().StorageRpcAsync(http);
            Assert.Equal(200, http.Response.StatusCode);
        }
    }

    private ClientEndpoints Endpoints(NodeState? node = null, ClientRateLimiter? limiter = null) =>
        new(_f.Handler, node ?? _f.Node, limiter ?? new ClientRateLimiter(_f.Clock), new FixedOptions(new RpcOptions()), new IncomingPingMonitor(_f.Clock));

    private static DefaultHttpContext Post(string body, IPAddress remote)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Path = "/storage_rpc/v1";
        http.Request.Body = new MemoryStream(bytes);
        http.Request.ContentLength = bytes.Length;
        http.Connection.RemoteIpAddress = remote;
        http.Response.Body = new MemoryStream();
        return http;
    }

    private static void AssertText(DefaultHttpContext http, int status, string body)
    {
        Assert.Equal(status, http.Response.StatusCode);
        Assert.Equal("text/plain", http.Response.ContentType);
        Assert.Equal(body, Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    private sealed class FixedOptions(RpcOptions value) : IOptionsMonitor<RpcOptions>
    {
        public RpcOptions CurrentValue => value;

        public RpcOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<RpcOptions, string?> listener) => null;
    }
}
