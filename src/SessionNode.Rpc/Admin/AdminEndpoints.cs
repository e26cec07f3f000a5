using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SessionNode.Rpc.Admin;

/// <summary>Marks an endpoint as an admin route: served only on the admin listener.</summary>
public sealed class AdminEndpointMetadata
{
    /// <summary>The shared instance.</summary>
    public static readonly AdminEndpointMetadata Instance = new();
}

/// <summary>
/// Admin routes on the loopback admin listener (<see cref="AdminListener"/>): <c>GET /stats</c>, one
/// JSON object with a section per <see cref="IStatsContributor"/>, <c>GET /get_stats</c>, the
/// reference's document (<see cref="ReferenceStats"/>), and <c>POST /check_reachability</c>
/// (<see cref="ReachabilityCheck"/>). Further admin routes are mapped with
/// <see cref="MapAdmin"/> so they carry <see cref="AdminEndpointMetadata"/>.
/// </summary>
public static class AdminEndpoints
{
    /// <summary>Maps an admin route (any method) that is served only on the admin port.</summary>
    public static IEndpointConventionBuilder MapAdmin(this IEndpointRouteBuilder endpoints, string pattern, RequestDelegate handler)
        => endpoints.Map(pattern, handler).WithMetadata(AdminEndpointMetadata.Instance);

    /// <summary>Maps the built-in admin routes.</summary>
    public static IEndpointRouteBuilder MapSessionNodeAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdmin("/stats", StatsAsync);
        endpoints.MapAdmin(ReferenceStats.Path, ReferenceStats.HandleAsync);
        endpoints.MapAdmin("/check_reachability", static ctx => ctx.RequestServices.GetRequiredService<ReachabilityCheck>().HandleAsync(ctx));
        return endpoints;
    }

    /// <summary>True if the request arrived on the admin listener.</summary>
    public static bool IsAdminPort(HttpContext context)
    {
        var port = context.RequestServices.GetRequiredService<AdminListener>().BoundPort;
        return port != 0 && context.Connection.LocalPort == port;
    }

    /// <summary>Writes the whole stats document.</summary>
    public static async Task StatsAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var contributors = context.RequestServices.GetServices<IStatsContributor>();
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteStats(writer, contributors);
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    /// <summary>Writes <c>{ "section": {...}, ... }</c> for the given contributors.</summary>
    public static void WriteStats(Utf8JsonWriter writer, IEnumerable<IStatsContributor> contributors)
    {
        writer.WriteStartObject();
        foreach (var contributor in contributors)
        {
            writer.WriteStartObject(contributor.Section);
            contributor.WriteStats(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
