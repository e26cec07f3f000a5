using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Core;
using SessionNode.Testing;

namespace SessionNode.Integration.Tests;

/// <summary>
/// One node and a <see cref="SessionNodeClient"/> for it. In process (the default target) each test starts its own real
/// node on loopback with its own fake clock and data folder, and the client shares that clock (STYLE.md §9: one
/// FakeTimeProvider per test, advanced only by the test). Under <c>SESSIONNODE_TEST_TARGET=external|docker</c>
/// (<see cref="TestTarget"/>) the client talks to the running node at <c>SESSIONNODE_TEST_URL</c> on the real clock;
/// whatever only an in-process node offers (<see cref="Node"/>, <see cref="Clock"/>, settings) skips the test there.
/// </summary>
internal sealed class NodeFixture : IAsyncDisposable
{
    /// <summary>How far a remote node's reported time may be from the test's real clock: request latency on a loaded box.</summary>
    private static readonly TimeSpan RemoteClockTolerance = TimeSpan.FromSeconds(5);

    private static readonly SemaphoreSlim IdentityLock = new(1, 1);
    private static string? _remoteKey; // the remote node's key, asked once per run

    private readonly List<SessionAccount> _accounts = [];
    private readonly TestNode? _node;
    private readonly FakeTimeProvider? _clock;

    private NodeFixture(TestNode? node, FakeTimeProvider? clock, SessionNodeClient client, Uri baseAddress, string publicKeyHex)
    {
        _node = node;
        _clock = clock;
        Client = client;
        BaseAddress = baseAddress;
        PublicKeyHex = publicKeyHex;
    }

    /// <summary>The in-process node; skips the test on a remote target (its internals are out of reach there).</summary>
    public TestNode Node => _node ?? SkipRemote<TestNode>("uses the in-process node (admin listener, services or certificate)");

    /// <summary>The node's fake clock; skips the test on a remote target, whose node runs on its own real clock.</summary>
    public FakeTimeProvider Clock => _clock ?? SkipRemote<FakeTimeProvider>("advances the node's clock");

    public SessionNodeClient Client { get; }

    /// <summary>The node's client (HTTPS) address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The node's Ed25519 public key, 64 lowercase hex digits.</summary>
    public string PublicKeyHex { get; }

    /// <summary>
    /// The node's time in ms: in process the node and the client share <see cref="Clock"/>, so this is exactly the
    /// node's "now"; on a remote target it is the real clock, which the node's own clock only approximates.
    /// </summary>
    public long Now => (_clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();

    public RequestBuilder Requests => Client.Requests;

    public static async Task<NodeFixture> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        if (TestTarget.IsRemote)
        {
            Assert.SkipWhen(
                settings is { Count: > 0 },
                $"needs node settings ({string.Join(", ", settings?.Keys ?? [])}), which only an in-process node takes (SESSIONNODE_TEST_TARGET={TestTarget.Name})");
            var address = TestTarget.RemoteAddress!;
            var remote = new SessionNodeClient(new SessionNodeClientOptions { BaseAddress = address }); // accepts the self-signed certificate
            try
            {
                return new NodeFixture(null, null, remote, address, await RemoteIdentityAsync(remote));
            }
            catch
            {
                remote.Dispose();
                throw;
            }
        }

        var clock = TestClock.Create();
        var node = await TestNode.StartAsync(
            new TestNodeOptions { Clock = clock, Settings = settings ?? new Dictionary<string, string?>() },
            TestContext.Current.CancellationToken);
        var client = new SessionNodeClient(new SessionNodeClientOptions
        {
            BaseAddress = node.BaseAddress,
            TimeProvider = clock,
        });
        return new NodeFixture(node, clock, client, node.BaseAddress, node.PublicKeyHex);
    }

    /// <summary>
    /// Asserts a time the node reports (a timestamp, or an expiry it computed from its clock). In process it must equal
    /// <paramref name="expected"/> exactly, as both sides read the same frozen clock; a remote node's clock has moved on
    /// by the request's latency, so there it must lie within <see cref="RemoteClockTolerance"/> of it.
    /// </summary>
    public void AssertTime(long expected, long? actual)
    {
        if (_clock is not null)
        {
            Assert.Equal(expected, actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.InRange(actual.Value, expected - (long)RemoteClockTolerance.TotalMilliseconds, expected + (long)RemoteClockTolerance.TotalMilliseconds);
    }

    /// <summary>
    /// Skips the test on a remote node: it sends times at a window's edge to the millisecond (by default: it probes the
    /// edge itself), which holds only while the node's clock stands still.
    /// </summary>
    public static void RequireFrozenClock(string what = "probes a time-window edge to the millisecond") =>
        RequireInProcess($"{what}, which needs the node's frozen clock");

    /// <summary>Skips the current test when the suite drives a remote node: the test needs what only an in-process node gives.</summary>
    public static void RequireInProcess(string what) =>
        Assert.SkipWhen(TestTarget.IsRemote, $"{what}: in-process nodes only (SESSIONNODE_TEST_TARGET={TestTarget.Name})");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static T SkipRemote<T>(string what)
    {
        RequireInProcess(what);
        throw new InvalidOperationException("an in-process fixture always has its node and clock");
    }

    /// <summary>
    /// The remote node's Ed25519 key, from <c>get_swarm</c> (client-rpc.md §9.4): the swarm member listening on the
    /// address's port, or the only member of a one-node swarm. Asked once per test run.
    /// </summary>
    private static async Task<string> RemoteIdentityAsync(SessionNodeClient client)
    {
        await IdentityLock.WaitAsync(Ct);
        try
        {
            if (_remoteKey is null)
            {
                using var probe = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));
                var swarm = await client.GetSwarmAsync(probe.Id, Ct);
                var port = TestTarget.RemoteAddress!.Port;
                var node = swarm.Snodes.Count == 1 ? swarm.Snodes[0] : swarm.Snodes.SingleOrDefault(n => n.PortHttps == port);
                _remoteKey = node?.PubkeyEd25519
                    ?? throw new InvalidOperationException($"cannot tell which of the {swarm.Snodes.Count} swarm members listens on port {port}");
            }

            return _remoteKey;
        }
        finally
        {
            IdentityLock.Release();
        }
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

        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    /// <summary>Disposes <paramref name="account"/> with the fixture.</summary>
    public SessionAccount Track(SessionAccount account)
    {
        _accounts.Add(account);
        return account;
    }
}
