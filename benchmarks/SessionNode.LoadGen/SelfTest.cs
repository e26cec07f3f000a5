using System.Text;
using SessionNode.Client;
using SessionNode.Core;
using SessionNode.LoadGen.Workloads;

namespace SessionNode.LoadGen;

/// <summary>
/// Offline checks of the generator's own parts (<c>sessionnode-loadgen self-test</c>): histogram buckets and
/// percentiles against exact ones, the store body template against the typed client, duration parsing.
/// Needs no node; stateless.
/// </summary>
internal static class SelfTest
{
    public static int Run(TextWriter output)
    {
        var failures = new List<string>();
        Check(failures, "histogram buckets tile the value range", HistogramBucketsAreContiguous);
        Check(failures, "histogram percentiles within 1/32 of exact", HistogramPercentilesAreClose);
        Check(failures, "histogram merge equals recording into one", HistogramMergeMatches);
        Check(failures, "store template equals the typed client's body", StoreTemplateMatchesClient);
        Check(failures, "durations parse", DurationsParse);

        foreach (var f in failures)
        {
            output.WriteLine("FAIL " + f);
        }

        output.WriteLine(failures.Count == 0 ? "self-test passed" : $"self-test: {failures.Count} failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static void Check(List<string> failures, string name, Func<string?> test)
    {
        try
        {
            if (test() is { } problem)
            {
                failures.Add($"{name}: {problem}");
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            failures.Add($"{name}: {e.Message}");
        }
    }

    private static string? HistogramBucketsAreContiguous()
    {
        for (var i = 0; i < LatencyHistogram.Buckets; i++)
        {
            var low = LatencyHistogram.LowerEdge(i);
            var high = LatencyHistogram.UpperEdge(i);
            if (LatencyHistogram.IndexOf(low) != i || LatencyHistogram.IndexOf(high) != i)
            {
                return $"bucket {i} [{low}, {high}] does not map back to itself";
            }

            if (i > 0 && LatencyHistogram.UpperEdge(i - 1) + 1 != low)
            {
                return $"gap or overlap before bucket {i}";
            }

            if (high - low > Math.Max(0, low / 32))
            {
                return $"bucket {i} [{low}, {high}] is wider than 1/32 of its start";
            }
        }

        return LatencyHistogram.UpperEdge(LatencyHistogram.Buckets - 1) == LatencyHistogram.MaxValue ? null : "last bucket does not end at the maximum";
    }

    private static string? HistogramPercentilesAreClose()
    {
        // Log-uniform values from 1 µs to ~1 s: every bucket size is exercised.
        var random = new Random(42);
        var values = new long[100_003];
        var h = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (long)Math.Exp(random.NextDouble() * Math.Log(1_000_000));
            h.Record(values[i]);
        }

        Array.Sort(values);
        foreach (var p in new[] { 0.0, 1, 50, 90, 99, 99.9, 99.99, 100 })
        {
            var rank = Math.Max(1, (long)Math.Ceiling(p / 100 * values.Length));
            var exact = values[rank - 1];
            var got = h.ValueAt(p);
            if (got < exact || got > exact + (exact / 32) + 1)
            {
                return $"p{p}: {got} µs, exact {exact} µs";
            }
        }

        return h.Min == values[0] && h.Max == values[^1] && h.Count == values.Length ? null : "min/max/count differ";
    }

    private static string? HistogramMergeMatches()
    {
        var random = new Random(7);
        var one = new LatencyHistogram();
        var parts = new[] { new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram() };
        for (var i = 0; i < 30_000; i++)
        {
            var v = random.NextInt64(0, 50_000_000);
            one.Record(v);
            parts[i % 3].Record(v);
        }

        var merged = new LatencyHistogram();
        merged.Add(new LatencyHistogram());
        foreach (var p in parts)
        {
            merged.Add(p);
        }

        foreach (var p in new[] { 50.0, 99, 100 })
        {
            if (merged.ValueAt(p) != one.ValueAt(p))
            {
                return $"p{p} differs";
            }
        }

        return merged.Count == one.Count && merged.Sum == one.Sum && merged.Min == one.Min && merged.Max == one.Max ? null : "totals differ";
    }

    private static string? StoreTemplateMatchesClient()
    {
        var builder = new RequestBuilder();
        var random = new Random(3);
        foreach (var size in new[] { 12, 100, 101, 102, 10 * 1024 })
        {
            var filler = new byte[size];
            random.NextBytes(filler);
            var template = new StoreBodyTemplate(filler, (long)StoreWorkload.Ttl.TotalMilliseconds, tag: 7);
            for (var n = 0; n < 3; n++)
            {
                var key = new byte[AccountId.KeyLength];
                random.NextBytes(key);
                var account = AccountId.FromPrefixAndKey(AccountId.SessionPrefix, key);
                var ts = 1_795_000_000_000 + random.NextInt64(1_000_000);
                var ours = template.Write(Encoding.ASCII.GetBytes(account.ToHex()), ts, counter: random.NextInt64()).ToArray();
                var theirs = builder.Store(account, template.Data.ToArray(), Namespace.Default, StoreWorkload.Ttl, timestamp: ts).ToJsonBytes();
                if (!ours.AsSpan().SequenceEqual(theirs))
                {
                    return $"{size} B: {Encoding.UTF8.GetString(ours)[..Math.Min(ours.Length, 160)]} vs {Encoding.UTF8.GetString(theirs)[..Math.Min(theirs.Length, 160)]}";
                }
            }
        }

        return null;
    }

    private static string? DurationsParse()
    {
        (string Text, double Seconds)[] cases = [("15s", 15), ("500ms", 0.5), ("2m", 120), ("1.5", 1.5), ("1h", 3600)];
        foreach (var (text, seconds) in cases)
        {
            if (!DurationParser.TryParse(text, out var d) || d != TimeSpan.FromSeconds(seconds))
            {
                return $"'{text}'";
            }
        }

        return DurationParser.TryParse("-1s", out _) || DurationParser.TryParse("abc", out _) ? "accepted bad input" : null;
    }
}
