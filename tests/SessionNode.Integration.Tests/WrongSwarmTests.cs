using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SessionNode.Testing;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>
/// Swarm membership as clients see it (client-rpc.md §7): a node in a static two-swarm network answers 421 with the
/// correct swarm for accounts it does not serve, after parsing and before time or signature checks.
/// </summary>
public sealed class WrongSwarmTests
{
    private const ulong OtherSwarmId = 0x8000_0000_0000_0000;

    [Fact]
    public async Task WrongSwarm_Store_421WithCorrectSwarm()
    {
        await using var net = await TwoSwarmNetwork.StartAsync();
        var foreign = net.Fixture.Track(NewAccountInSwarm(OtherSwarmId));

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => net.Fixture.Client.StoreAsync(foreign, Bytes(), cancellationToken: NodeFixture.Ct));

        Assert.Equal(421, e.StatusCode);
        var swarm = Assert.IsType<SwarmInfo>(e.Swarm);
        Assert.Equal("8000000000000000", swarm.SwarmId);
        var node = Assert.Single(swarm.Snodes);
        Assert.Equal(net.OtherNodeEd25519Hex, node.PubkeyEd25519);
        Assert.Equal("127.0.0.2", node.Ip);
        Assert.Equal(22021, node.PortHttps);
        Assert.Equal(net.Fixture.Now, swarm.Timestamp);
        Assert.Equal(new HardFork(19, 4), swarm.HardFork);
    }

    [Fact]
    public async Task WrongSwarm_EveryAccountBoundMethod_421()
    {
        await using var net = await TwoSwarmNetwork.StartAsync();
        var f = net.Fixture;
        var foreign = f.Track(NewAccountInSwarm(OtherSwarmId));
        var hash = UnknownHash();
        RpcRequest[] requests =
        [
            f.Requests.Store(foreign, Bytes(), new Namespace(2)),
            f.Requests.Retrieve(foreign),
            f.Requests.Delete(foreign, [hash]),
            f.Requests.DeleteAll(foreign, NamespaceScope.All),
            f.Requests.DeleteBefore(foreign, f.Now),
            f.Requests.Expire(foreign, [hash], f.Now + Hour),
            f.Requests.ExpireAll(foreign, f.Now + Hour),
            f.Requests.GetExpiries(foreign, [hash]),
            f.Requests.RevokeSubaccount(foreign, [SubaccountToken.Create(0x05, SubaccountFlags.Read, Bytes(32))]),
            f.Requests.UnrevokeSubaccount(foreign, [SubaccountToken.Create(0x05, SubaccountFlags.Read, Bytes(32))]),
        ];

        foreach (var request in requests)
        {
            var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);
            Assert.True(response.StatusCode == 421, $"{request.Method}: {response}");
            Assert.Equal("application/json", response.ContentType);
        }
    }

    [Fact]
    public async Task WrongSwarm_CheckedBeforeTimeAndSignature_AfterParsing()
    {
        await using var net = await TwoSwarmNetwork.StartAsync();
        var f = net.Fixture;
        var foreign = f.Track(NewAccountInSwarm(OtherSwarmId));

        var badSignature = await f.Client.SendRawAsync(f.Requests.Retrieve(foreign).WithBadSignature(), NodeFixture.Ct);
        var staleTimestamp = await f.Client.SendRawAsync(f.Requests.Retrieve(foreign, timestamp: f.Now - Hour), NodeFixture.Ct);

        Assert.Equal(421, badSignature.StatusCode);
        Assert.Equal(421, staleTimestamp.StatusCode);
        await f.AssertFailsAsync(f.Requests.Delete(foreign, []), 400, "invalid request: messages does not contain any message hashes");
    }

    [Fact]
    public async Task WrongSwarm_InfoAndGetSwarm_AnsweredForAnyAccount()
    {
        await using var net = await TwoSwarmNetwork.StartAsync();
        var f = net.Fixture;
        var foreign = f.Track(NewAccountInSwarm(OtherSwarmId));
        var local = f.Track(NewAccountInSwarm(0));

        var foreignSwarm = await f.Client.GetSwarmAsync(foreign.Id, NodeFixture.Ct);
        var localSwarm = await f.Client.GetSwarmAsync(local.Id, NodeFixture.Ct);

        Assert.Equal("8000000000000000", foreignSwarm.SwarmId);
        Assert.Equal(net.OtherNodeEd25519Hex, Assert.Single(foreignSwarm.Snodes).PubkeyEd25519);
        Assert.Equal("0", localSwarm.SwarmId);
        Assert.Equal(f.PublicKeyHex, Assert.Single(localSwarm.Snodes).PubkeyEd25519);
        Assert.True((await f.Client.StoreAsync(local, Bytes(), cancellationToken: NodeFixture.Ct)).SignaturesValid);
    }

    [Fact]
    public async Task WrongSwarm_InBatch_ReportedPerSubrequest()
    {
        await using var net = await TwoSwarmNetwork.StartAsync();
        var f = net.Fixture;
        var foreign = f.Track(NewAccountInSwarm(OtherSwarmId));
        var local = f.Track(NewAccountInSwarm(0));

        var result = await f.Client.BatchAsync([f.Requests.Store(foreign, Bytes()), f.Requests.Store(local, Bytes())], NodeFixture.Ct);

        Assert.Equal([421, 200], result.Results.Select(r => r.Code));
        Assert.Equal("8000000000000000", SwarmInfo.Parse(result.Results[0].Body).SwarmId);
    }

    /// <summary>A Session ID whose swarm-space position is nearest <paramref name="swarmId"/> of the swarms {0, 2^63}.</summary>
    private static SessionAccount NewAccountInSwarm(ulong swarmId)
    {
        while (true)
        {
            var account = SessionAccount.FromSessionSeed(RandomNumberGenerator.GetBytes(32));
            var s = account.Id.SwarmSpace;
            var nearOther = s is >= 0x4000_0000_0000_0000 and < 0xC000_0000_0000_0000;
            if (nearOther == (swarmId == OtherSwarmId))
            {
                return account;
            }

            account.Dispose();
        }
    }

    /// <summary>
    /// One real node in swarm 0 of a static network file that also lists a node (never started) in swarm 2^63.
    /// </summary>
    private sealed class TwoSwarmNetwork : IAsyncDisposable
    {
        private readonly TempDirectory _dir;

        private TwoSwarmNetwork(TempDirectory dir, NodeFixture fixture, string otherNodeEd25519Hex)
        {
            _dir = dir;
            Fixture = fixture;
            OtherNodeEd25519Hex = otherNodeEd25519Hex;
        }

        public NodeFixture Fixture { get; }

        public string OtherNodeEd25519Hex { get; }

        public static async Task<TwoSwarmNetwork> StartAsync()
        {
            var dir = new TempDirectory("sessionnode-net-");
            var file = dir.Combine("network.json");
            NodeFixture? fixture = null;
            try
            {
                fixture = await NodeFixture.StartAsync(new Dictionary<string, string?>
                {
                    ["Network:Mode"] = "static",
                    ["Network:StaticFile"] = file,
                });
                using var other = SessionAccount.FromSeed(0, RandomNumberGenerator.GetBytes(32));
                var otherHex = Convert.ToHexStringLower(other.SigningPublicKey);
                var json = string.Create(CultureInfo.InvariantCulture, $$"""
                    {"hf":[19,4],"height":0,"nodes":[
                      {"pubkey_ed25519":"{{fixture.Node.PublicKeyHex}}","ip":"127.0.0.1","port_https":{{fixture.Node.BaseAddress.Port}},"port_peer":1,"swarm_id":0},
                      {"pubkey_ed25519":"{{otherHex}}","ip":"127.0.0.2","port_https":22021,"port_peer":22020,"swarm_id":{{OtherSwarmId}}}]}
                    """);
                var staging = dir.Combine("network.json.tmp");
                await File.WriteAllTextAsync(staging, json, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), NodeFixture.Ct);
                File.Move(staging, file, overwrite: true);

                var f = fixture;
                // Swarm-space position exactly 2^63: served by the listed-only node once the file is loaded.
                var probeKey = new byte[32];
                probeKey[0] = 0x80;
                var probe = AccountId.FromPrefixAndKey(0x05, probeKey);
                RawResponse? last = null;
                await Eventually.UntilAsync(
                    async () =>
                    {
                        // The node re-reads the file on change notifications and, as a fallback, every poll
                        // interval of its (fake) clock.
                        f.Clock.Advance(TimeSpan.FromSeconds(1));
                        var response = last = await f.Client.SendRawAsync(f.Requests.GetSwarm(probe), NodeFixture.Ct);
                        return response.StatusCode == 200
                            && f.Requests.GetSwarm(probe).ParseResponse(response.Body).Snodes.Any(n => n.PubkeyEd25519 == otherHex);
                    },
                    "the node has loaded the two-swarm network file",
                    () => last?.ToString() ?? "no answer");
                return new TwoSwarmNetwork(dir, fixture, otherHex);
            }
            catch
            {
                if (fixture is not null)
                {
                    await fixture.DisposeAsync();
                }

                dir.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Fixture.DisposeAsync();
            _dir.Dispose();
        }
    }
}
