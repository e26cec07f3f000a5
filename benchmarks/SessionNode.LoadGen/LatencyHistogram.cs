using System.Numerics;

namespace SessionNode.LoadGen;

/// <summary>
/// A fixed-bucket log-linear latency histogram in microseconds (the HdrHistogram idea, written small):
/// values below 64 µs are counted exactly; above that every power of two is split into 32 equal
/// sub-buckets, so a reported percentile is at most 1/32 (3.1 %) above the true value. Covers up to
/// 2^37 µs (~38 h); larger values land in the last bucket. Not thread-safe: each connection task
/// owns one and the runner merges them after the run.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>32 sub-buckets per power of two: ≤ 3.1 % error, 8.4 KB of counters per connection.</summary>
    private const int SubBucketBits = 5;

    private const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>Values below this are their own bucket (the first two "octaves" are exact).</summary>
    private const int ExactLimit = SubBucketCount * 2;

    /// <summary>2^37 µs is about 38 hours; nothing we time gets near it.</summary>
    private const int MaxValueBits = 37;

    private const long MaxTrackable = (1L << MaxValueBits) - 1;

    /// <summary>Index of the last bucket: the top octave's last sub-bucket.</summary>
    private const int BucketCount = ((MaxValueBits - 1 - SubBucketBits) * SubBucketCount) + ExactLimit;

    private readonly long[] _counts = new long[BucketCount];
    private long _min = long.MaxValue;

    /// <summary>Number of recorded values.</summary>
    public long Count { get; private set; }

    /// <summary>Smallest recorded value in µs (exact), or 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : _min;

    /// <summary>Largest recorded value in µs (exact), or 0 when empty.</summary>
    public long Max { get; private set; }

    /// <summary>Sum of recorded values in µs (exact).</summary>
    public long Sum { get; private set; }

    /// <summary>Mean in µs, or 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>Records one value in µs (negative values count as 0).</summary>
    public void Record(long micros)
    {
        var v = Math.Clamp(micros, 0, MaxTrackable);
        _counts[IndexOf(v)]++;
        Count++;
        Sum += v;
        if (v < _min)
        {
            _min = v;
        }

        if (v > Max)
        {
            Max = v;
        }
    }

    /// <summary>Adds all of <paramref name="other"/>'s values to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        if (other.Count == 0)
        {
            return;
        }

        Count += other.Count;
        Sum += other.Sum;
        _min = Math.Min(_min, other._min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0–100) in µs: the upper edge of the bucket holding
    /// that rank, capped by the exact maximum (so it never understates). 0 when empty.
    /// </summary>
    public long ValueAt(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(UpperEdge(i), Min, Max);
            }
        }

        return Max;
    }

    /// <summary>Bucket of a value in [0, MaxTrackable].</summary>
    internal static int IndexOf(long v)
    {
        if (v < ExactLimit)
        {
            return (int)v;
        }

        // v has its top bit at position b ≥ 6; drop `shift` low bits so 32 ≤ sub < 64 remain.
        var shift = BitOperations.Log2((ulong)v) - SubBucketBits;
        var sub = (int)(v >> shift);
        return (shift * SubBucketCount) + sub;
    }

    /// <summary>Largest value that maps to bucket <paramref name="index"/>.</summary>
    internal static long UpperEdge(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        var shift = (index >> SubBucketBits) - 1;
        long sub = index - (shift * SubBucketCount);
        return ((sub + 1) << shift) - 1;
    }

    /// <summary>Smallest value that maps to bucket <paramref name="index"/>.</summary>
    internal static long LowerEdge(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        var shift = (index >> SubBucketBits) - 1;
        long sub = index - (shift * SubBucketCount);
        return sub << shift;
    }

    /// <summary>The number of buckets (for the self-test).</summary>
    internal static int Buckets => BucketCount;

    /// <summary>The largest value kept apart from the overflow bucket (for the self-test).</summary>
    internal static long MaxValue => MaxTrackable;
}
