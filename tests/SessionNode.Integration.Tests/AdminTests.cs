using System.Net;
using System.Text.Json;
using SessionNode.Core;

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
    public async Task GetStats_OnAdminPort_ReferenceDocument()
    {
        // swarm.md §15.2: request counters (stores counted where applied), account and namespace counts, sizes.
        await using var f = await NodeFixture.StartAsync();
        var busy = f.NewUser();
        var quiet = f.NewUser();
        await f.StoreOkAsync(busy, "one"u8.ToArray());
        await f.StoreOkAsync(busy, "two"u8.ToArray(), new Namespace(42));
        await f.StoreOkAsync(quiet, "three"u8.ToArray());
        await f.Client.RetrieveAsync(busy, cancellationToken: NodeFixture.Ct);
        using var http = new HttpClient { BaseAddress = f.Node.AdminAddress };

        using (var doc = await GetStatsAsync(http))
        {
            var root = doc.RootElement;
            Assert.Equal("2.8.0", root.GetProperty("version").GetString());
            Assert.Equal(3, root.GetProperty("total_store_requests").GetInt64());
            Assert.Equal(1, root.GetProperty("total_retrieve_requests").GetInt64());
            Assert.Equal(0, root.GetProperty("total_onion_requests").GetInt64());
            Assert.Equal(3, root.GetProperty("recent_store_requests").GetInt64());
            Assert.Equal(3, root.GetProperty("total_stored").GetInt64());
            Assert.Equal(1, root.GetProperty("accounts").GetInt64()); // only accounts with ≥ 2 messages
            Assert.Equal(3.0, root.GetProperty("account_msg_mean").GetDouble());
            Assert.Equal("{\"0\":2,\"42\":1}", root.GetProperty("namespace_messages").GetRawText());
            Assert.True(root.GetProperty("db_used").GetInt64() > 0);
            Assert.True(root.GetProperty("db_total").GetInt64() > 0);
            Assert.Equal(3_758_096_384, root.GetProperty("db_max").GetInt64());
            Assert.Equal("{}", root.GetProperty("peers").GetRawText());
        }

        // The recent window holds an hour of 10-minute periods: 71 minutes later the stores have left it.
        f.Clock.Advance(TimeSpan.FromMinutes(71));
        using (var doc = await GetStatsAsync(http))
        {
            Assert.Equal(3, doc.RootElement.GetProperty("total_store_requests").GetInt64());
            Assert.Equal(0, doc.RootElement.GetProperty("recent_store_requests").GetInt64());
            Assert.Equal(61 * 60.0, doc.RootElement.GetProperty("recent_timespan").GetDouble(), precision: 0);
        }

        using var client = f.Node.CreateHttpClient();
        using var onClient = await client.GetAsync(new Uri("get_stats", UriKind.Relative), NodeFixture.Ct);
        Assert.Equal(HttpStatusCode.NotFound, onClient.StatusCode);
    }

    private static async Task<JsonDocument> GetStatsAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("get_stats", UriKind.Relative), NodeFixture.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(NodeFixture.Ct));
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
