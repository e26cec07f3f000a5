using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Core;
using SessionNode.Testing;

namespace SessionNode.Integration.Tests;

/// <summary>
/// One real node on loopback with its own fake clock and data folder, and a <see cref="SessionNodeClient"/> on the
/// same clock. Each test starts its own (STYLE.md §9: one FakeTimeProvider per test, advanced only by the test).
/// </summary>
internal sealed class NodeFixture : IAsyncDisposable
{
    private readonly List<SessionAccount> _accounts = [];

    private NodeFixture(TestNode node, FakeTimeProvider clock, SessionNodeClient client)
    {
        Node = node;
        Clock = clock;
        Client = client;
    }

    public TestNode Node { get; }

    public FakeTimeProvider Clock { get; }

    public SessionNodeClient Client { get; }

    /// <summary>The node's time in ms (the node and the client share <see cref="Clock"/>).</summary>
    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public RequestBuilder Requests => Client.Requests;

    public static async Task<NodeFixture> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = TestClock.Create();
        var node = await TestNode.StartAsync(
            new TestNodeOptions { Clock = clock, Settings = settings ?? new Dictionary<string, string?>() },
            TestContext.Current.CancellationToken);
        var client = new SessionNodeClient(new SessionNodeClientOptions
        {
            BaseAddress = node.BaseAddress,
            TimeProvider = clock,
        });
        return new NodeFixture(node, clock, client);
    }

    /// <summary>A fresh Session ID (05) account.</summary>
    public SessionAccount NewUser() => Track(SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32)));

    /// <summary>A fresh closed-group (03) account.</summary>
    public SessionAccount NewGroup() => Track(SessionAccount.FromGroupSeed(RandomNumberGenerator.GetBytes(32)));

    /// <summary>A member of <paramref name="owner"/> with the given permissions.</summary>
    public SessionAccount NewMember(SessionAccount owner, SubaccountFlags flags, byte? tokenPrefix = null) =>
        Track(owner.CreateSubaccount(flags, RandomNumberGenerator.GetBytes(32), tokenPrefix));

    /// <summary>Stores <paramref name="data"/> and asserts the node accepted and signed it.</summary>
    public async Task<string> StoreOkAsync(
        SessionAccount account,
        byte[] data,
        Namespace ns = default,
        TimeSpan? ttl = null,
        long? timestamp = null)
    {
        var result = await Client.StoreAsync(account, data, ns, ttl: ttl, timestamp: timestamp, cancellationToken: Ct);
        Assert.True(result.HashMatches);
        Assert.True(result.SignaturesValid);
        return result.ExpectedHash;
    }

    /// <summary>Sends <paramref name="request"/> and asserts the exact status and plain-text body.</summary>
    public async Task AssertFailsAsync(RpcRequest request, int status, string body)
    {
        var response = await Client.SendRawAsync(request, Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(body, response.BodyText);
    }

    /// <summary>Sends raw params and asserts the exact status and body.</summary>
    public async Task AssertFailsAsync(string method, System.Text.Json.Nodes.JsonObject parameters, int status, string body)
    {
        var response = await Client.SendRawAsync(method, parameters, Ct);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(body, response.BodyText);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var a in _accounts)
        {
            a.Dispose();
        }

        await Node.DisposeAsync();
    }

    /// <summary>Disposes <paramref name="account"/> with the fixture.</summary>
    public SessionAccount Track(SessionAccount account)
    {
        _accounts.Add(account);
        return account;
    }
}
