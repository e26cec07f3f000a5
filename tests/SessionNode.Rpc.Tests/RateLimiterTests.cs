using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace SessionNode.Rpc.Tests;

public sealed class RateLimiterTests
{
    [Fact]
    public void TryAcquire_BurstOf600_ThenRefusedUntilRefill()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(clock);
        var ip = IPAddress.Parse("192.0.2.1");
        for (var i = 0; i < 600; i++)
        {
            Assert.True(limiter.TryAcquire(ip));
        }

        Assert.False(limiter.TryAcquire(ip));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("192.0.2.2")));

        clock.Advance(TimeSpan.FromMilliseconds(3.34));
        Assert.True(limiter.TryAcquire(ip));
        Assert.False(limiter.TryAcquire(ip));

        // Fractional credit is kept: two 2 ms steps add up to one token.
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.False(limiter.TryAcquire(ip));
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(limiter.TryAcquire(ip));
    }

    [Fact]
    public void Sweep_DropsFullBucketsAfter10Seconds()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(clock);
        limiter.TryAcquire(IPAddress.Parse("192.0.2.1"));
        Assert.Equal(1, limiter.TrackedClients);
        clock.Advance(TimeSpan.FromSeconds(11));
        limiter.TryAcquire(IPAddress.Parse("192.0.2.9"));
        Assert.Equal(1, limiter.TrackedClients);
    }

    [Fact]
    public void TryAcquire_TenThousandTrackedAddresses_NewAddressRefusedUntilABucketRefills()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(clock);
        for (var i = 0; i < ClientRateLimiter.MaxClients; i++)
        {
            Assert.True(limiter.TryAcquire(new IPAddress(0x0A000000u + (uint)i)));
        }

        // Every bucket holds 599 of 600 tokens: none can be evicted, so a new address is refused
        // while the tracked ones keep their buckets.
        var newcomer = IPAddress.Parse("192.0.2.77");
        Assert.False(limiter.TryAcquire(newcomer));
        Assert.Equal(ClientRateLimiter.MaxClients, limiter.TrackedClients);
        Assert.True(limiter.TryAcquire(new IPAddress(0x0A000000u)));

        // 4 ms refill one token (300/s): the idle buckets are full again and make room.
        clock.Advance(TimeSpan.FromMilliseconds(4));
        Assert.True(limiter.TryAcquire(newcomer));
        Assert.True(limiter.TrackedClients < ClientRateLimiter.MaxClients);
    }

    [Fact]
    public void TryAcquire_RefusedRequests_TakeNoToken()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ClientRateLimiter(clock);
        var ip = IPAddress.Parse("192.0.2.1");
        for (var i = 0; i < 600; i++)
        {
            Assert.True(limiter.TryAcquire(ip));
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.False(limiter.TryAcquire(ip));
        }

        // One token's worth of time (3 333 µs) after the burst buys exactly one request.
        clock.Advance(TimeSpan.FromMicroseconds(3_334));
        Assert.True(limiter.TryAcquire(ip));
        Assert.False(limiter.TryAcquire(ip));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::1", false)]
    public void TryGetIPv4_MappedAddressesCount(string address, bool expected) =>
        Assert.Equal(expected, ClientEndpoints.TryGetIPv4(IPAddress.Parse(address), out _));
}
