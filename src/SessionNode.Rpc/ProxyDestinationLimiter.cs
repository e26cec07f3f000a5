namespace SessionNode.Rpc;

/// <summary>
/// Protects exit-proxy destinations: per destination host, a token bucket (rate) and an in-flight count
/// (concurrency), both from <see cref="OnionOptions"/>. One lock guards the table; the critical section is a
/// dictionary lookup and arithmetic. At most <see cref="MaxTrackedHosts"/> hosts are tracked; idle hosts with full
/// buckets are dropped first.
/// </summary>
public sealed class ProxyDestinationLimiter
{
    /// <summary>Tracked hosts before new ones are refused: bounds memory against clients naming random hosts.</summary>
    public const int MaxTrackedHosts = 10_000;

    private readonly Dictionary<string, Entry> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly double _refillPerSecond;
    private readonly int _maxConcurrent;

    /// <summary>Creates the limiter.</summary>
    public ProxyDestinationLimiter(OnionOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _capacity = options.ProxyBurstPerHost;
        _refillPerSecond = options.ProxyRequestsPerSecondPerHost;
        _maxConcurrent = options.ProxyMaxConcurrentPerHost;
    }

    /// <summary>Why a request was refused.</summary>
    public enum Refusal
    {
        /// <summary>Not refused.</summary>
        None,

        /// <summary>The host's token bucket is empty.</summary>
        RateLimited,

        /// <summary>The host already has the maximum number of requests in flight (or too many hosts are tracked).</summary>
        ConcurrencyLimited,
    }

    /// <summary>
    /// Admits one request to <paramref name="host"/>, taking a token and an in-flight slot; call
    /// <see cref="Release"/> with the same host when it completes. Returns why it was refused otherwise (nothing is
    /// taken then).
    /// </summary>
    public Refusal TryEnter(string host)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_hosts.TryGetValue(host, out var entry))
            {
                if (_hosts.Count >= MaxTrackedHosts && !Sweep(now))
                {
                    return Refusal.ConcurrencyLimited;
                }

                entry = new Entry(_capacity, now, 0);
            }

            var tokens = Math.Min(_capacity, entry.Tokens + (_time.GetElapsedTime(entry.Stamp, now).TotalSeconds * _refillPerSecond));
            if (entry.InFlight >= _maxConcurrent)
            {
                _hosts[host] = entry with { Tokens = tokens, Stamp = now };
                return Refusal.ConcurrencyLimited;
            }

            if (tokens < 1)
            {
                _hosts[host] = entry with { Tokens = tokens, Stamp = now };
                return Refusal.RateLimited;
            }

            _hosts[host] = new Entry(tokens - 1, now, entry.InFlight + 1);
            return Refusal.None;
        }
    }

    /// <summary>Returns the in-flight slot taken by a successful <see cref="TryEnter"/>.</summary>
    public void Release(string host)
    {
        lock (_lock)
        {
            if (_hosts.TryGetValue(host, out var entry))
            {
                _hosts[host] = entry with { InFlight = Math.Max(0, entry.InFlight - 1) };
            }
        }
    }

    /// <summary>Drops idle hosts whose bucket has refilled; true when something was dropped.</summary>
    private bool Sweep(long now)
    {
        List<string>? idle = null;
        foreach (var (host, e) in _hosts)
        {
            if (e.InFlight == 0 && e.Tokens + (_time.GetElapsedTime(e.Stamp, now).TotalSeconds * _refillPerSecond) >= _capacity)
            {
                (idle ??= []).Add(host);
            }
        }

        foreach (var host in idle ?? [])
        {
            _hosts.Remove(host);
        }

        return idle is not null;
    }

    private readonly record struct Entry(double Tokens, long Stamp, int InFlight);
}
