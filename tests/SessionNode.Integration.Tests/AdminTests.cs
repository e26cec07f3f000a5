using System.Net;
using System.Text.Json;

namespace SessionNode.Integration.Tests;

/// <summary>The loopback admin listener: GET /stats, and routes kept apart from the client listener.</summary>
public sealed class AdminTests
{
    [Fact]
    public async Task Stats_OnAdminPort_ReportsNodeSection()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        await f.StoreOkAsync(user, "hello"u8.ToArray());

        using var http = new HttpClient { BaseAddress = f.Node.AdminAddress };
        using var response = await http.GetAsync(new Uri("stats", UriKind.Relative), NodeFixture.Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(NodeFixture.Ct));
        var node = doc.RootElement.GetProperty("node");
        Assert.Equal("2.8.0", node.GetProperty("version").GetString());
        Assert.Equal(1, node.GetProperty("messages").GetInt64());
        Assert.Equal(1, node.GetProperty("accounts").GetInt64());
        Assert.Equal(f.Node.PublicKeyHex, node.GetProperty("pubkey_ed25519").GetString());
    }

    [Fact]
    public async Task Stats_OnClientPort_IsNotFound_AndClientRoutesAreNotOnAdminPort()
    {
        await using var f = await NodeFixture.StartAsync();
        using var client = f.Node.CreateHttpClient();
        using var onClient = await client.GetAsync(new Uri("stats", UriKind.Relative), NodeFixture.Ct);
        Assert.Equal(HttpStatusCode.NotFound, onClient.StatusCode);

        using var admin = new HttpClient { BaseAddress = f.Node.AdminAddress };
        using var rpc = await admin.PostAsync(new Uri("storage_rpc/v1", UriKind.Relative), new StringContent("{\"method\":\"info\",\"params\":{}}"), NodeFixture.Ct);
        Assert.Equal(HttpStatusCode.NotFound, rpc.StatusCode);
    }
}
