using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Storage;

namespace SessionNode.Rpc.Admin;

/// <summary>
/// The reference's admin <c>get_stats</c> document (swarm.md §15.2, storage.md §7.3), served on the
/// admin listener as <c>GET /get_stats</c>: request totals and the recent window, block heights,
/// account-size statistics, per-namespace counts and database sizes. Keys are written in byte order,
/// as the reference's JSON library emits them. Stateless.
/// </summary>
public static class ReferenceStats
{
    /// <summary>Admin path of the document.</summary>
    public const string Path = "/get_stats";

    /// <summary>Accounts with fewer messages are left out of the account statistics.</summary>
    private const int MinAccountMessages = 2;

    /// <summary>Percentiles are only reported from this many accounts on.</summary>
    private const int MinAccountsForPercentiles = 5;

    /// <summary>Writes the document for <c>GET /get_stats</c>.</summary>
    public static async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var services = context.RequestServices;
        var node = services.GetRequiredService<NodeState>();
        var store = services.GetRequiredService<MessageStore>();
        var stats = services.GetRequiredService<RequestHandler>().Stats;
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            // The counts are a full scan of the message keys: off the request threads.
            var counts = await Task.Run(store.CountMessages, context.RequestAborted);
            Write(writer, stats.Snapshot(node.NowMs), node.Membership.Current.Height, counts, store.LogicalBytes, store.DiskBytes(), store.MaxLogicalBytes);
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    /// <summary>
    /// Writes the document. <c>target_height</c> is 0: it is the height learned from the seed nodes,
    /// and this node never bootstraps from them (it trusts its oxend, as a reference node does whose
    /// oxend is in sync). <c>peers</c> is empty, as in every v2.8.0 node (nothing fills it there).
    /// </summary>
    public static void Write(Utf8JsonWriter w, RequestStatsSnapshot requests, long height, MessageCounts counts, long usedBytes, long totalBytes, long maxBytes)
    {
        var sizes = counts.PerAccount.Where(c => c >= MinAccountMessages).ToArray();
        Array.Sort(sizes);
        var n = sizes.Length;
        w.WriteStartObject();
        if (n >= MinAccountsForPercentiles)
        {
            // storage.md §7.3: the reference's positions (upper values, no interpolation), clamped to
            // the list as recommended (for n ≤ 18 its 95th position is one past the end).
            int At(int position) => sizes[Math.Clamp(position, 0, n - 1)];
            w.WriteNumber("account_msg_count_25th", At(((n - 1 + 3) / 4) - 1));
            w.WriteNumber("account_msg_count_5th", At(((n - 1 + 19) / 20) - 1));
            w.WriteNumber("account_msg_count_75th", At(((3 * n) - 1 + 3) / 4 - 1));
            w.WriteNumber("account_msg_count_95th", At(((19 * n) - 1 + 19) / 20));
            w.WriteNumber("account_msg_count_max", sizes[n - 1]);
            w.WriteNumber("account_msg_count_median", At(((n - 1) / 2) - 1));
            w.WriteNumber("account_msg_count_min", sizes[0]);
        }

        if (n > 0)
        {
            w.WriteNumber("account_msg_mean", counts.Total / (double)n);
        }

        w.WriteNumber("accounts", n);
        w.WriteNumber("db_max", maxBytes);
        w.WriteNumber("db_total", totalBytes);
        w.WriteNumber("db_used", usedBytes);
        w.WriteNumber("height", height);
        w.WriteStartObject("namespace_messages");
        foreach (var (ns, count) in counts.PerNamespace
                     .Select(p => (Name: p.Key.ToString(CultureInfo.InvariantCulture), Count: p.Value))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            w.WriteNumber(ns, count);
        }

        w.WriteEndObject();
        w.WriteStartObject("peers");
        w.WriteEndObject();
        w.WriteNumber("recent_onion_requests", requests.RecentCount(RequestKind.Onion));
        w.WriteNumber("recent_proxy_requests", requests.RecentCount(RequestKind.Proxy));
        w.WriteNumber("recent_retrieve_requests", requests.RecentCount(RequestKind.Retrieve));
        w.WriteNumber("recent_store_requests", requests.RecentCount(RequestKind.Store));
        w.WriteNumber("recent_timespan", requests.RecentWindowMs / 1000.0);
        w.WriteNumber("target_height", 0);
        w.WriteNumber("total_onion_requests", requests.Total(RequestKind.Onion));
        w.WriteNumber("total_proxy_requests", requests.Total(RequestKind.Proxy));
        w.WriteNumber("total_retrieve_requests", requests.Total(RequestKind.Retrieve));
        w.WriteNumber("total_store_requests", requests.Total(RequestKind.Store));
        w.WriteNumber("total_stored", counts.Total);
        w.WriteString("version", NodeState.ReportedVersionString);
        w.WriteEndObject();
    }
}
