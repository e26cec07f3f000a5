using System.Net;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_OverHttps_Returns200Ok()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var client = node.CreateHttpClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("https", node.BaseAddress.Scheme);
        Assert.Equal("127.0.0.1", node.BaseAddress.Host);
        Assert.NotEqual(0, node.BaseAddress.Port);
    }

    [Fact]
    public async Task Health_Response_HasNoKestrelServerHeader()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var client = node.CreateHttpClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.DoesNotContain(response.Headers.Server, product => product.Product?.Name == "Kestrel");
    }

    [Fact]
    public async Task Health_OverHttp2_Returns200()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var client = node.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/health", UriKind.Relative))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }
}
