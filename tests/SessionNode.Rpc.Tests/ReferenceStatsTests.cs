using System.Text;
using System.Text.Json;
using SessionNode.Rpc.Admin;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>The reference get_stats document, its request counters and the status line (swarm.md §15, storage.md §7.3).</summary>
public sealed class ReferenceStatsTests
{
    private const long Start = 1_700_000_000_000;
    private const long Minute = 60_000;

    [Fact]
    public void RequestStats_RecentWindow_KeepsSixFinishedPeriodsPlusTheCurrentOne()
    {
        var stats = new RequestStats(Start);
        stats.Record(RequestKind.Store, Start);
        stats.Record(RequestKind.Store, Start + Minute);
        stats.Record(RequestKind.Retrieve, Start + (11 * Minute));
        stats.Record(RequestKind.Onion, Start + (11 * Minute));
        stats.Record(RequestKind.Proxy, Start + (12 * Minute));

        var soon = stats.Snapshot(Start + (15 * Minute));
        Assert.Equal([2L, 1, 1, 1], soon.Totals);
        Assert.Equal([2L, 1, 1, 1], soon.Recent);
        Assert.Equal(15 * Minute, soon.RecentWindowMs);

        // At 70 min the first period (the two stores) has left the six-period history.
        var later = stats.Snapshot(Start + (70 * Minute));
        Assert.Equal([2L, 1, 1, 1], later.Totals);
        Assert.Equal([0L, 1, 1, 1], later.Recent);
        Assert.Equal(60 * Minute, later.RecentWindowMs);

        // After a long quiet spell the window is one hour of empty periods plus the current one.
        var quiet = stats.Snapshot(Start + (1000 * Minute) + 5);
        Assert.Equal([0L, 0, 0, 0], quiet.Recent);
        Assert.Equal((60 * Minute) + 5, quiet.RecentWindowMs);
        stats.Record(RequestKind.Store, Start + (1000 * Minute) + 6);
        Assert.Equal([3L, 1, 1, 1], stats.Snapshot(Start + (1000 * Minute) + 7).Totals);
    }

    [Fact]
    public void Write_FewAccounts_NoPercentiles_KeysInByteOrder()
    {
        var counts = new MessageCounts(5, [1, 2, 2], new Dictionary<short, long> { [0] = 3, [-10] = 1, [42] = 1 });
        var stats = new RequestStats(Start);
        stats.Record(RequestKind.Store, Start);

        using var doc = JsonDocument.Parse(Write(stats.Snapshot(Start + 1500), 123, counts));
        var root = doc.RootElement;

        var names = root.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(
            ["account_msg_mean", "accounts", "db_max", "db_total", "db_used", "height", "namespace_messages", "peers",
             "recent_onion_requests", "recent_proxy_requests", "recent_retrieve_requests", "recent_store_requests", "recent_timespan",
             "target_height", "total_onion_requests", "total_proxy_requests", "total_retrieve_requests", "total_store_requests", "total_stored", "version"],
            names);
        Assert.Equal(2, root.GetProperty("accounts").GetInt64()); // the single-message account is left out
        Assert.Equal(2.5, root.GetProperty("account_msg_mean").GetDouble()); // all 5 messages over 2 accounts
        Assert.Equal(5, root.GetProperty("total_stored").GetInt64());
        Assert.Equal("""{"-10":1,"0":3,"42":1}""", root.GetProperty("namespace_messages").GetRawText());
        Assert.Equal("{}", root.GetProperty("peers").GetRawText());
        Assert.Equal(1.5, root.GetProperty("recent_timespan").GetDouble());
        Assert.Equal(1, root.GetProperty("total_store_requests").GetInt64());
        Assert.Equal(1, root.GetProperty("recent_store_requests").GetInt64());
        Assert.Equal(123, root.GetProperty("height").GetInt64());
        Assert.Equal((10, 20, 30), (root.GetProperty("db_used").GetInt64(), root.GetProperty("db_total").GetInt64(), root.GetProperty("db_max").GetInt64()));
        Assert.Equal("2.8.0", root.GetProperty("version").GetString());
    }

    [Fact]
    public void Write_NoAccountWithTwoMessages_NoMean()
    {
        using var doc = JsonDocument.Parse(Write(new RequestStats(Start).Snapshot(Start), 0, new MessageCounts(1, [1], new Dictionary<short, long> { [0] = 1 })));
        Assert.False(doc.RootElement.TryGetProperty("account_msg_mean", out _));
        Assert.Equal(0, doc.RootElement.GetProperty("accounts").GetInt64());
    }

    [Theory]
    [InlineData(5, 2, 2, 2, 3, 5, 6, 6)] // the 95th position is n for n ≤ 18: clamped to the last
    [InlineData(20, 2, 2, 6, 10, 16, 21, 21)]
    public void Write_Percentiles_ReferencePositions(int n, int min, int p5, int p25, int median, int p75, int p95, int max)
    {
        // Accounts holding 2, 3, … n + 1 messages (in shuffled order), plus single-message accounts that do not count.
        var perAccount = Enumerable.Range(2, n).Reverse().Concat([1, 1, 1]).ToArray();
        var counts = new MessageCounts(perAccount.Sum(), perAccount, new Dictionary<short, long>());

        using var doc = JsonDocument.Parse(Write(new RequestStats(Start).Snapshot(Start), 0, counts));
        var root = doc.RootElement;

        Assert.Equal(
            (min, p5, p25, median, p75, p95, max),
            (Get("min"), Get("5th"), Get("25th"), Get("median"), Get("75th"), Get("95th"), Get("max")));
        Assert.Equal(n, root.GetProperty("accounts").GetInt32());
        int Get(string name) => root.GetProperty("account_msg_count_" + name).GetInt32();
    }

    [Fact]
    public void StatusLine_InSwarm_ReferenceShape()
    {
        var self = Node(0x1234_5678_9abc_def0, 1);
        var view = new MembershipSnapshot(1, [self, Node(0x1234_5678_9abc_def0, 2), Node(7, 3)], self, (19, 4), 10);
        var stats = new RequestStats(Start);
        stats.Record(RequestKind.Store, Start);
        stats.Record(RequestKind.Retrieve, Start);
        stats.Record(RequestKind.Retrieve, Start);
        stats.Record(RequestKind.Onion, Start);

        var line = StatusLine.Format(view, 1234, 47_300_000, 567, stats.Snapshot(Start + (62 * Minute) + 18_000));

        Assert.Equal("v2.8.0; sw=1234…ef0(n=2); 1234 msgs (47.3MB) for 567 users; reqs(S/R/O/P): 1/2/1/0 (last 1h2m18s)", line);
    }

    [Fact]
    public void StatusLine_NotInSwarmAndEmpty_NoneAndNoSize()
    {
        var view = new MembershipSnapshot(0, [], null, (19, 4), 0);
        Assert.Equal(
            "v2.8.0; sw=NONE; 0 msgs for 0 users; reqs(S/R/O/P): 0/0/0/0 (last 12.500s)",
            StatusLine.Format(view, 0, 0, 0, new RequestStats(Start).Snapshot(Start + 12_500)));
    }

    [Theory]
    [InlineData(999, "999B")]
    [InlineData(1000, "1.00kB")]
    [InlineData(12_345, "12.3kB")]
    [InlineData(999_499, "999kB")]
    [InlineData(999_500, "1.00MB")]
    [InlineData(999_500_000, "1.00GB")]
    [InlineData(3_758_096_384, "3.76GB")]
    public void StatusLine_Bytes_ThreeSignificantDigits(long bytes, string expected) => Assert.Equal(expected, StatusLine.Bytes(bytes));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59_000, "59s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(90_061_000, "1d1h1m1s")]
    public void StatusLine_Duration(long ms, string expected) => Assert.Equal(expected, StatusLine.Duration(ms));

    private static string Write(RequestStatsSnapshot requests, long height, MessageCounts counts)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            ReferenceStats.Write(w, requests, height, counts, 10, 20, 30);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static ServiceNodeRecord Node(ulong swarm, byte key)
    {
        var k = Enumerable.Repeat(key, 32).ToArray();
        return new ServiceNodeRecord(k, k, k, "127.0.0.1", 1, 2, swarm);
    }
}
