using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace SessionNode.Swarm.Tests;

/// <summary>Reachability test scheduling (swarm.md §12.1, §12.4), incoming-ping monitoring (§12.6) and the oxend report (§12.5).</summary>
public sealed class ReachabilityScheduleTests
{
    /// <summary>Deterministic draws: every Normal draw is exactly the mean (standard deviation 0).</summary>
    private static readonly ReachabilityOptions Options = OptionsWithMean(TimeSpan.FromSeconds(10));

    private static ReachabilityOptions OptionsWithMean(TimeSpan mean) => new()
    {
        RandomTestMean = mean,
        RandomTestStdDev = TimeSpan.Zero,
        RetestStep = TimeSpan.FromSeconds(10),
        RetestMax = TimeSpan.FromSeconds(120),
        MaxRetestsPerTick = 4,
    };

    [Theory]
    [InlineData(0, 10, 10)]
    [InlineData(1, 10, 20)]
    [InlineData(5, 10, 60)]
    [InlineData(11, 10, 120)]
    [InlineData(30, 10, 120)]
    [InlineData(0, -4, 0)]
    [InlineData(2, -4, 16)]
    public void RetestDelay_StepPerPreviousFailurePlusDraw_CappedAndNeverNegative(int previous, int drawSeconds, int expectedSeconds)
    {
        var delay = ReachabilitySchedule.RetestDelay(previous, TimeSpan.FromSeconds(drawSeconds), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(120));
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Fact]
    public void NextNormal_ManyDraws_HaveTheConfiguredMeanAndDeviation()
    {
        var random = new Random(42);
        var draws = Enumerable.Range(0, 20_000)
            .Select(_ => ReachabilitySchedule.NextNormal(random, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3)).TotalSeconds)
            .ToArray();
        var mean = draws.Average();
        var sd = Math.Sqrt(draws.Select(d => (d - mean) * (d - mean)).Average());
        Assert.InRange(mean, 9.9, 10.1);
        Assert.InRange(sd, 2.9, 3.1);
    }

    [Fact]
    public void TakeDue_RandomTests_EachTestableNodeOncePerCycle_SkippingSelfAndUnknownAddresses()
    {
        var clock = new FakeTimeProvider();
        var peers = Enumerable.Range(1, 5).Select(i => Node(i)).ToList();
        var self = Node(0);
        var view = View([self, .. peers, Node(9, ip: "0.0.0.0")], self);
        var schedule = new ReachabilitySchedule(Options, clock, new Random(7));

        var picked = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var due = schedule.TakeDue(view, self.Ed25519Hex);
            Assert.Single(due);
            Assert.Equal(0, due[0].PreviousFailures);
            picked.Add(due[0].Peer.Ed25519Hex);

            // Not due again before the interval has passed.
            Assert.Empty(schedule.TakeDue(view, self.Ed25519Hex));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(peers.Select(p => p.Ed25519Hex).Order(), picked.Order());
        Assert.Contains(schedule.TakeDue(view, self.Ed25519Hex).Single().Peer, peers); // refilled and reshuffled
    }

    [Fact]
    public void Report_FailedTests_RetestedWithGrowingBackoff_UntilAPassRemovesThePeer()
    {
        var clock = new FakeTimeProvider();
        var self = Node(0);
        var peer = Node(1);
        var view = View([self, peer], self);
        var schedule = new ReachabilitySchedule(Options, clock, new Random(1));

        var random = schedule.TakeDue(view, self.Ed25519Hex).Single();
        schedule.Report(random, passed: false);
        var failing = Assert.Single(schedule.Failing);
        Assert.Equal(1, failing.Failures);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(10), failing.NextTest);

        // A failing peer is not picked at random; its retest comes after 10 s.
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(schedule.TakeDue(view, self.Ed25519Hex));
        clock.Advance(TimeSpan.FromSeconds(1));
        var retest = Assert.Single(schedule.TakeDue(view, self.Ed25519Hex));
        Assert.Equal(1, retest.PreviousFailures);
        Assert.Empty(schedule.TakeDue(view, self.Ed25519Hex)); // handed out once until reported

        schedule.Report(retest, passed: false);
        Assert.Equal(2, schedule.Failing.Single().Failures);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(20), schedule.Failing.Single().NextTest);

        clock.Advance(TimeSpan.FromSeconds(20));
        var third = schedule.TakeDue(view, self.Ed25519Hex).Single(t => t.PreviousFailures == 2);
        schedule.Report(third, passed: true);

        Assert.Empty(schedule.Failing);
        Assert.False(schedule.IsFailing(peer.Ed25519Hex));
        Assert.Equal(3, schedule.Tested);
        Assert.Equal(1, schedule.Passed);
        Assert.Equal(2, schedule.Failed);
    }

    [Fact]
    public void TakeDue_ManyDueFailingPeers_AtMostFourPerTickEarliestFirst_AndDropsUnknownPeers()
    {
        var clock = new FakeTimeProvider();
        var self = Node(0);
        var peers = Enumerable.Range(1, 7).Select(i => Node(i)).ToList();
        var schedule = new ReachabilitySchedule(OptionsWithMean(TimeSpan.FromHours(1)), clock, new Random(3));
        var fullView = View([self, .. peers], self);
        schedule.TakeDue(fullView, self.Ed25519Hex); // consumes the first random test; the next is an hour away
        foreach (var p in peers)
        {
            schedule.Report(new ReachabilityTarget(p, 0), passed: false);
            clock.Advance(TimeSpan.FromMilliseconds(1)); // distinct retest times, in peer order
        }

        // The retest draw is the 1 h mean here, so every retest waits the 120 s cap.
        clock.Advance(TimeSpan.FromSeconds(121));
        var withoutPeer1 = View([self, .. peers.Skip(1)], self);
        var first = schedule.TakeDue(withoutPeer1, self.Ed25519Hex);

        Assert.Equal(peers.Skip(1).Take(4).Select(p => p.Ed25519Hex), first.Select(t => t.Peer.Ed25519Hex));
        Assert.False(schedule.IsFailing(peers[0].Ed25519Hex)); // no longer in the view: dropped
        var second = schedule.TakeDue(withoutPeer1, self.Ed25519Hex);
        Assert.Equal(peers.Skip(5).Select(p => p.Ed25519Hex), second.Select(t => t.Peer.Ed25519Hex));
    }

    [Fact]
    public void IncomingPingMonitor_WarnsAfterSilence_RewarnsEveryPeriod_AndReportsResumption()
    {
        var clock = new FakeTimeProvider();
        var monitor = new IncomingPingMonitor(clock);
        var limit = TimeSpan.FromMinutes(2);

        Assert.Empty(monitor.Check(limit));
        clock.Advance(TimeSpan.FromSeconds(121));
        var never = monitor.Check(limit);
        Assert.Equal([PingTransport.Https, PingTransport.Grpc], never.Select(e => e.Transport));
        Assert.All(never, e => Assert.True(e.Never && !e.Resumed));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(monitor.Check(limit)); // warned a minute ago
        monitor.Record(PingTransport.Https);
        Assert.NotNull(monitor.Last(PingTransport.Https));
        Assert.Null(monitor.Last(PingTransport.Grpc));
        var resumed = Assert.Single(monitor.Check(limit));
        Assert.Equal(PingTransport.Https, resumed.Transport);
        Assert.True(resumed.Resumed);

        clock.Advance(TimeSpan.FromMinutes(1));
        var again = Assert.Single(monitor.Check(limit)); // gRPC still silent: re-warned 2 min after the last warning
        Assert.Equal(PingTransport.Grpc, again.Transport);
        Assert.False(again.Resumed);
    }

    [Fact]
    public void OxendPeerStatus_RequestAndAnswers()
    {
        using var doc = JsonDocument.Parse(OxendPeerStatus.Request(new string('a', 64), passed: false));
        Assert.Equal("report_peer_status", doc.RootElement.GetProperty("method").GetString());
        var p = doc.RootElement.GetProperty("params");
        Assert.Equal("storage", p.GetProperty("type").GetString());
        Assert.Equal(new string('a', 64), p.GetProperty("pubkey").GetString());
        Assert.False(p.GetProperty("passed").GetBoolean());

        Assert.Null(OxendPeerStatus.Problem("""{"jsonrpc":"2.0","id":"0","result":{"status":"OK"}}"""u8));
        Assert.Null(OxendPeerStatus.Problem("""{"status":"OK"}"""u8));
        Assert.Contains("oxend error", OxendPeerStatus.Problem("""{"error":{"code":-32601,"message":"Method not found"}}"""u8), StringComparison.Ordinal);
        Assert.NotNull(OxendPeerStatus.Problem("""{"result":{"status":"Unknown pubkey"}}"""u8));
        Assert.NotNull(OxendPeerStatus.Problem(Encoding.UTF8.GetBytes("not json")));
    }

    private static ServiceNodeRecord Node(int i, string ip = "127.0.0.1")
    {
        var k = new byte[32];
        k[0] = (byte)(i + 1);
        return new ServiceNodeRecord(k, k, k, ip, 20000 + i, 30000 + i, 0);
    }

    private static MembershipSnapshot View(IReadOnlyList<ServiceNodeRecord> nodes, ServiceNodeRecord self) => new(1, nodes, self, (19, 4), 1);
}
