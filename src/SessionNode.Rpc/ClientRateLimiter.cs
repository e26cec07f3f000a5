using System.Net;

namespace SessionNode.Rpc;

/// <summary>
/// Per-client-IP token bucket for <c>/storage_rpc/v1</c> (client-rpc.md §10): 600 tokens, 300/s
/// refill with fractional credit kept, at most 10 000 tracked addresses. Guarded by one lock; the
/// critical section is a dictionary lookup and a few arithmetic operations.
/// </summary>
public sealed class ClientRateLimiter
{
    /// <summary>Bucket capacity (burst), as upstream.</summary>
    public const double Capacity = 600;

    /// <summary>Refill rate in tokens per second, as upstream.</summary>
    public const double RefillPerSecond = 300;

    /// <summary>Tracked addresses before eviction, as upstream.</summary>
    public const int MaxClients = 10_000;

    private readonly Dictionary<IPAddress, Bucket> _buckets = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private long _lastSweep;

    /// <summary>Creates the limiter.</summary>
    public ClientRateLimiter(TimeProvider time)
    {
        _time = time;
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>Number of tracked addresses.</summary>
    public int TrackedClients
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>Takes one token for <paramref name="address"/>; false means answer 429 (no token is taken).</summary>
    public bool TryAcquire(IPAddress address)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            // Every 10 s drop buckets that have refilled to capacity (as upstream).
            if (_time.GetElapsedTime(_lastSweep, now) >= TimeSpan.FromSeconds(10))
            {
                Sweep(now);
                _lastSweep = now;
            }

            if (_buckets.TryGetValue(address, out var bucket))
            {
                var tokens = Math.Min(Capacity, bucket.Tokens + _time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * RefillPerSecond);
                if (tokens < 1)
                {
                    _buckets[address] = new Bucket(tokens, now);
                    return false;
                }

                _buckets[address] = new Bucket(tokens - 1, now);
                return true;
            }

            if (_buckets.Count >= MaxClients)
            {
                Sweep(now);
                if (_buckets.Count >= MaxClients)
                {
                    return false;
                }
            }

            _buckets[address] = new Bucket(Capacity - 1, now);
            return true;
        }
    }

    private void Sweep(long now)
    {
        List<IPAddress>? full = null;
        foreach (var (ip, b) in _buckets)
        {
            if (b.Tokens + _time.GetElapsedTime(b.Stamp, now).TotalSeconds * RefillPerSecond >= Capacity)
            {
                (full ??= []).Add(ip);
            }
        }

        if (full is not null)
        {
            foreach (var ip in full)
            {
                _buckets.Remove(ip);
            }
        }
    }

    private readonly record struct Bucket(double Tokens, long Stamp);
}
