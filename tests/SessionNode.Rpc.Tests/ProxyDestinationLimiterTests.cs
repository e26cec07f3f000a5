using Microsoft.Extensions.Time.Testing;

namespace SessionNode.Rpc.Tests;

/// <summary>Per-destination protection of the exit proxy (onion.md §9.2 decision): token bucket and in-flight cap.</summary>
public sealed class ProxyDestinationLimiterTests
{
    private static readonly OnionOptions Small = new()
    {
        ProxyBurstPerHost = 2,
        ProxyRequestsPerSecondPerHost = 1,
        ProxyMaxConcurrentPerHost = 1_000,
    };

    [Fact]
    public void TryEnter_BurstUsed_RateLimitedUntilRefill()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ProxyDestinationLimiter(Small, clock);

        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("a.example"));
        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("a.example"));
        Assert.Equal(ProxyDestinationLimiter.Refusal.RateLimited, limiter.TryEnter("a.example"));
        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("b.example")); // hosts are independent

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("A.EXAMPLE")); // case-insensitive host
        Assert.Equal(ProxyDestinationLimiter.Refusal.RateLimited, limiter.TryEnter("a.example"));
    }

    [Fact]
    public void TryEnter_MaxInFlight_ConcurrencyLimitedUntilRelease()
    {
        var limiter = new ProxyDestinationLimiter(new OnionOptions { ProxyMaxConcurrentPerHost = 2 }, new FakeTimeProvider());

        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("h"));
        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("h"));
        Assert.Equal(ProxyDestinationLimiter.Refusal.ConcurrencyLimited, limiter.TryEnter("h"));

        limiter.Release("h");
        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("h"));
    }

    [Fact]
    public void TryEnter_TableFull_IdleRefilledHostsEvicted()
    {
        var clock = new FakeTimeProvider();
        var limiter = new ProxyDestinationLimiter(new OnionOptions(), clock);
        for (var i = 0; i < ProxyDestinationLimiter.MaxTrackedHosts; i++)
        {
            limiter.TryEnter("h" + i);
        }

        Assert.Equal(ProxyDestinationLimiter.Refusal.ConcurrencyLimited, limiter.TryEnter("new")); // all still in flight

        for (var i = 0; i < ProxyDestinationLimiter.MaxTrackedHosts; i++)
        {
            limiter.Release("h" + i);
        }

        clock.Advance(TimeSpan.FromSeconds(1)); // buckets refill to capacity
        Assert.Equal(ProxyDestinationLimiter.Refusal.None, limiter.TryEnter("new"));
    }
}
