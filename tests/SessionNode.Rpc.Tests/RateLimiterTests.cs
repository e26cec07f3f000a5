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

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::1", false)]
    public void TryGetIPv4_MappedAddressesCount(string address, bool expected) =>
        Assert.Equal(expected, ClientEndpoints.TryGetIPv4(IPAddress.Parse(address), out _));
}
