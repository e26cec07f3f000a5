using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Protocol;
using SessionNode.Rpc.Admin;
using SessionNode.Rpc.Peers;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>The HTTPS ping test's request and answer check (swarm.md §12.3), sample selection and the TestMe rate limit. No sockets.</summary>
public sealed class ReachabilityTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void CreatePingRequest_PostsToPingTest_WithSnodeHostHeader_AndClosesTheConnection()
    {
        var peer = Node(Key, "10.1.2.3", swarm: 0);
        using var request = ReachabilityProbe.CreatePingRequest(peer);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://10.1.2.3:22021/ping_test/v1"), request.RequestUri);
        Assert.Equal(ZBase32.Encode(Key) + ".snode", request.Headers.Host);
        Assert.EndsWith(".snode", request.Headers.Host, StringComparison.Ordinal);
        Assert.Equal(58, request.Headers.Host!.Length); // 52 z-base-32 characters + ".snode"
        Assert.True(request.Headers.ConnectionClose);
    }

    [Fact]
    public void IsExpectedPubkey_AcceptsEveryEncodingOfTheKey_RejectsOthers()
    {
        var peer = Node(Key, "10.1.2.3", swarm: 0);
        var other = Key.Select(b => (byte)(b ^ 0xff)).ToArray();

        Assert.True(ReachabilityProbe.IsExpectedPubkey(Convert.ToBase64String(Key), peer));
        Assert.True(ReachabilityProbe.IsExpectedPubkey(Convert.ToBase64String(Key).TrimEnd('='), peer));
        Assert.True(ReachabilityProbe.IsExpectedPubkey(Convert.ToHexStringLower(Key), peer));
        Assert.True(ReachabilityProbe.IsExpectedPubkey(ZBase32.Encode(Key), peer));

        Assert.False(ReachabilityProbe.IsExpectedPubkey(Convert.ToBase64String(other), peer));
        Assert.False(ReachabilityProbe.IsExpectedPubkey(Convert.ToHexStringLower(other), peer));
        Assert.False(ReachabilityProbe.IsExpectedPubkey(null, peer));
        Assert.False(ReachabilityProbe.IsExpectedPubkey("", peer));
        Assert.False(ReachabilityProbe.IsExpectedPubkey(new string('!', 44), peer));
        Assert.False(ReachabilityProbe.IsExpectedPubkey(new string('z', 64), peer));
    }

    [Fact]
    public void CheckPingResponse_NeedsOkAndTheExpectedKeyHeader()
    {
        var peer = Node(Key, "10.1.2.3", swarm: 0);
        using var ok = new HttpResponseMessage(HttpStatusCode.OK);
        ok.Headers.Add(ReachabilityProbe.PubkeyHeader, Convert.ToBase64String(Key));
        Assert.Null(ReachabilityProbe.CheckPingResponse(ok, peer));

        using var missing = new HttpResponseMessage(HttpStatusCode.OK);
        Assert.Contains("no X-Oxen-Snode-Pubkey", ReachabilityProbe.CheckPingResponse(missing, peer), StringComparison.Ordinal);

        using var wrong = new HttpResponseMessage(HttpStatusCode.OK);
        wrong.Headers.Add(ReachabilityProbe.PubkeyHeader, Convert.ToBase64String(new byte[32]));
        Assert.Contains("another node", ReachabilityProbe.CheckPingResponse(wrong, peer), StringComparison.Ordinal);

        using var notFound = new HttpResponseMessage(HttpStatusCode.NotFound);
        Assert.Equal("HTTP 404 from /ping_test/v1", ReachabilityProbe.CheckPingResponse(notFound, peer));
    }

    [Fact]
    public void ZBase32_DecodeInvertsEncode()
    {
        Assert.True(ZBase32.TryDecode(ZBase32.Encode(Key), out var decoded));
        Assert.Equal(Key, decoded);
        Assert.False(ZBase32.TryDecode("not-zbase32!", out _));
    }

    [Fact]
    public void SelectSample_PrefersOtherSwarms_OnePerSwarmFirst_NeverSelfOrUnknownAddresses()
    {
        var self = Node(KeyOf(0), "10.0.0.1", swarm: 1);
        var own = new[] { Node(KeyOf(1), "10.0.0.2", swarm: 1), Node(KeyOf(2), "10.0.0.3", swarm: 1) };
        var b = new[] { Node(KeyOf(3), "10.0.0.4", swarm: 2), Node(KeyOf(4), "10.0.0.5", swarm: 2) };
        var c = Node(KeyOf(5), "10.0.0.6", swarm: 3);
        var hidden = Node(KeyOf(6), "0.0.0.0", swarm: 3);
        var view = new MembershipSnapshot(1, [self, .. own, .. b, c, hidden], self, (19, 4), 1);

        for (var seed = 0; seed < 20; seed++)
        {
            var two = ReachabilityCheck.SelectSample(view, self.Ed25519Hex, 2, new Random(seed));
            Assert.Equal(2, two.Count);
            Assert.Contains(c, two);
            Assert.Single(two, n => n.SwarmId == 2);

            var three = ReachabilityCheck.SelectSample(view, self.Ed25519Hex, 3, new Random(seed));
            Assert.Equal([1UL, 2UL, 3UL], three.Select(n => n.SwarmId).Order()); // one per swarm
            Assert.Equal(1UL, three[2].SwarmId); // our own swarm last

            var all = ReachabilityCheck.SelectSample(view, self.Ed25519Hex, 16, new Random(seed));
            Assert.Equal(5, all.Count);
            Assert.DoesNotContain(self, all);
            Assert.DoesNotContain(hidden, all);
        }
    }

    [Fact]
    public void TestMeLimiter_OneAtATime_AndOncePerInterval_PerCaller()
    {
        var clock = new FakeTimeProvider();
        var limiter = new TestMeLimiter(Options.Create(new ReachabilityOptions { TestMeMinInterval = TimeSpan.FromSeconds(5) }), clock);

        Assert.True(limiter.TryEnter("a"));
        Assert.False(limiter.TryEnter("a")); // in flight
        Assert.True(limiter.TryEnter("b")); // per caller
        limiter.Exit("a");
        Assert.False(limiter.TryEnter("a")); // too soon
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(limiter.TryEnter("a"));
    }

    private static byte[] KeyOf(int i)
    {
        var k = new byte[32];
        k[0] = (byte)(i + 1);
        return k;
    }

    private static ServiceNodeRecord Node(byte[] key, string ip, ulong swarm) => new(key, key, key, ip, 22021, 22020, swarm);
}
