using System.Net;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

/// <summary>
/// The small fixed routes a peer or an old client sees (client-rpc.md §2.2, swarm.md §12.3, §15.4): the HTTPS
/// ping test, the deprecated version probe and the 404 of a wrong method on a known route.
/// </summary>
public sealed class ReferenceRoutesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PingTest_Post_200EmptyWithLegacyKeyHeader()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: Ct);
        using var client = node.CreateHttpClient();

        using var response = await client.PostAsync(new Uri("/ping_test/v1", UriKind.Relative), new ByteArrayContent([]), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Convert.ToBase64String(node.Keys.PublicKey), Assert.Single(response.Headers.GetValues("X-Oxen-Snode-Pubkey")));
        Assert.Equal("Oxen Storage Server/2.8.0", response.Headers.Server.ToString());
    }

    [Fact]
    public async Task GetStats_Get_VersionJson()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: Ct);
        using var client = node.CreateHttpClient();

        using var response = await client.GetAsync(new Uri("/get_stats/v1", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"version":"2.8.0"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("GET", "/ping_test/v1")]
    [InlineData("POST", "/get_stats/v1")]
    [InlineData("GET", "/onion_req/v2")]
    [InlineData("POST", "/onion_req/v1")]
    public async Task WrongMethodOrPath_404MethodPathNotFound(string method, string path)
    {
        await using var node = await TestNode.StartAsync(cancellationToken: Ct);
        using var client = node.CreateHttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = new ByteArrayContent([]);
        }

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        // Upstream's HTTP library reports the method token in lower case (client-rpc.md §2.2).
        Assert.Equal($"{method.ToLowerInvariant()} {path} Not Found", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }
}
