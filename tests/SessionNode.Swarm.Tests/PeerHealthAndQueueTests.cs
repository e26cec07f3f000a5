using Microsoft.Extensions.Time.Testing;

namespace SessionNode.Swarm.Tests;

/// <summary>Peer health tracking and the persistent retry queue.</summary>
public sealed class PeerHealthAndQueueTests : IDisposable
{
    private const string Peer = "aa";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sn-queue-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Health_RefusedMarksAtOnce_TimeoutsNeedTwo_SuccessResets()
    {
        var health = new PeerHealth(new FakeTimeProvider());

        health.ReportFailure(Peer, refused: false);
        Assert.False(health.IsUnreachable(Peer));
        health.ReportFailure(Peer, refused: false);
        Assert.True(health.IsUnreachable(Peer));
        health.ReportSuccess(Peer);
        Assert.False(health.IsUnreachable(Peer));
        health.ReportFailure(Peer, refused: true);
        Assert.True(health.IsUnreachable(Peer));
        Assert.Equal([Peer], health.UnreachablePeers);
    }

    [Fact]
    public void Health_Probes_BackOffDoubling()
    {
        var clock = new FakeTimeProvider();
        var health = new PeerHealth(clock);
        health.ReportFailure(Peer, refused: true);

        Assert.False(health.TryTakeProbe(Peer));
        clock.Advance(PeerHealth.InitialProbeDelay);
        Assert.True(health.TryTakeProbe(Peer));
        Assert.False(health.TryTakeProbe(Peer));
        clock.Advance(PeerHealth.InitialProbeDelay);
        Assert.True(health.TryTakeProbe(Peer));
        clock.Advance(PeerHealth.InitialProbeDelay);
        Assert.False(health.TryTakeProbe(Peer)); // now waits 2× the initial delay
        clock.Advance(PeerHealth.InitialProbeDelay);
        Assert.True(health.TryTakeProbe(Peer));
        Assert.False(health.TryTakeProbe("unknown"));
    }

    [Fact]
    public void Queue_FifoPerPeer_BoundedAndPersistent()
    {
        var a = Enumerable.Repeat((byte)1, 32).ToArray();
        var b = Enumerable.Repeat((byte)2, 32).ToArray();
        using (var queue = PeerRetryQueue.Open(_dir, capacity: 3))
        {
            Assert.True(queue.TryEnqueue(a, "store", "{\"n\":1}"u8, 10));
            Assert.True(queue.TryEnqueue(b, "delete", "{}"u8, 11));
            Assert.True(queue.TryEnqueue(a, "expire", "{\"n\":2}"u8, 12));
            Assert.True(queue.TryEnqueue(a, "store", "{\"n\":3}"u8, 13));
            Assert.False(queue.TryEnqueue(a, "store", "{\"n\":4}"u8, 14));
            Assert.Equal(3, queue.Depth(Convert.ToHexStringLower(a)));
            Assert.Equal(1, queue.Depth(Convert.ToHexStringLower(b)));
            var first = queue.Peek(a, 1).Single();
            Assert.Equal(("store", "{\"n\":1}", 10L), (first.Method, System.Text.Encoding.UTF8.GetString(first.Params), first.AcceptedAtMs));
            queue.Remove(a, first.Sequence);
            queue.Remove(a, first.Sequence);
            Assert.Equal(2, queue.Depth(Convert.ToHexStringLower(a)));
        }

        using var reopened = PeerRetryQueue.Open(_dir, capacity: 3);
        Assert.Equal(2, reopened.Depth(Convert.ToHexStringLower(a)));
        Assert.Equal(["expire", "store"], reopened.Peek(a, 10).Select(q => q.Method));
        Assert.True(reopened.TryEnqueue(a, "store", "{}"u8, 15));
        var all = reopened.Peek(a, 10);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal("delete", Assert.Single(reopened.Peek(b, 10)).Method);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
