using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SessionNode.Crypto;
using SessionNode.Onion;
using SessionNode.Rpc.Admin;
using SessionNode.Rpc.Peers;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>Composition entry points of the client API (the Daemon and the test harness call these).</summary>
public static class RpcServiceCollectionExtensions
{
    /// <summary>
    /// Registers the RPC request handler, rate limiter, node state, the membership and peer side
    /// (<see cref="PeerServiceCollectionExtensions.AddSessionNodePeers"/>) and their options
    /// (sections "Rpc", "Node", "Network"). Expects <see cref="TimeProvider"/>, the node's
    /// <see cref="Ed25519KeyPair"/> and the message store in DI.
    /// </summary>
    public static IServiceCollection AddSessionNodeRpc(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RpcOptions>().Bind(configuration.GetSection(RpcOptions.SectionName)).ValidateOnStart();
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RpcOptions>, RpcOptionsValidator>();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddOptions<OnionOptions>().Bind(configuration.GetSection(OnionOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OnionOptions>, OnionOptionsValidator>();

        // The node summary is the first stats section (sections appear in registration order).
        services.AddSingleton<IStatsContributor, NodeStatsContributor>();

        // Membership (by Network:Mode), peer listener, gRPC peer service and forwarder.
        services.AddSessionNodePeers(configuration);
        services.AddSingleton(sp => new NodeState(
            sp.GetRequiredService<Ed25519KeyPair>(),
            sp.GetRequiredService<Membership>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<NodeOptions>>().Value.ForceStart,
            sp.GetService<NodeLegacyKey>()?.PublicKey));
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<OxendRequestProxy>(); // oxend_request in Network:Mode oxend (client-rpc.md §9.13)
        services.AddSingleton(sp => new RequestStats(sp.GetRequiredService<TimeProvider>())); // get_stats counters (swarm.md §15.1)
        services.AddSingleton<RequestHandler>();
        services.AddHostedService<StatusLineService>(); // status line at start and hourly (swarm.md §15.3)
        services.AddSingleton<ClientEndpoints>();
        services.AddSingleton<IOnionServerProxy, HttpOnionServerProxy>(); // exit proxy (onion.md §9), "Onion" options
        services.AddSingleton(OnionEndpoint.Create);
        services.AddSingleton<IOnionForwarder, GrpcOnionForwarder>(); // relay to the next node over the peer channel (onion.md §7)
        services.AddSingleton<IOnionRelayHandler, OnionRelayHandler>(); // receiving side of the peer Relay RPC
        services.AddHostedService<NodeLifecycleService>();
        services.AddSingleton<AdminListener>(); // loopback admin listener: GET /stats and other operator routes
        services.AddSingleton<IPostConfigureOptions<KestrelServerOptions>>(sp => sp.GetRequiredService<AdminListener>());
        services.AddSingleton<IStatsContributor, ReachabilityStatsContributor>();
        services.AddSingleton<ReachabilityCheck>(); // POST /check_reachability
        return services;
    }

    /// <summary>
    /// Maps the client HTTPS routes (/storage_rpc/v1, /ping_test/v1, /get_stats/v1, 404 fallback) and
    /// the <c>Server</c> header on every response.
    /// </summary>
    public static IEndpointRouteBuilder MapSessionNodeRpc(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints is IApplicationBuilder app)
        {
            app.Use(static (context, next) =>
            {
                context.Response.Headers.Server = NodeState.ServerHeader;
                return next(context);
            });
            app.Use(static (context, next) =>
            {
                // Admin routes only on the admin listener, and nothing else there.
                var endpoint = context.GetEndpoint();
                var isAdminRoute = endpoint?.Metadata.GetMetadata<AdminEndpointMetadata>() is not null;
                if (isAdminRoute != AdminEndpoints.IsAdminPort(context))
                {
                    return ClientEndpoints.NotFoundAsync(context);
                }

                // ASP.NET routing ignores case and a trailing slash; upstream's router matches the exact path
                // (client-rpc.md §2.2), so "/Storage_RPC/v1" or "/storage_rpc/v1/" is a 404 there, and here.
                if (endpoint is RouteEndpoint { RoutePattern.RawText: var pattern } && ClientEndpoints.IsClientRoute(pattern)
                    && !string.Equals(ClientEndpoints.RawPath(context), pattern, StringComparison.Ordinal))
                {
                    return ClientEndpoints.NotFoundAsync(context);
                }

                return next(context);
            });
        }

        // Handlers are resolved per request (singletons, so a lookup), not at map time: mapping must not
        // open the store or create keys before the host has validated its options and started.
        endpoints.Map(ClientEndpoints.StorageRpcPath, static ctx => ctx.RequestServices.GetRequiredService<ClientEndpoints>().StorageRpcAsync(ctx));
        endpoints.Map(ClientEndpoints.PingTestPath, static ctx => ctx.RequestServices.GetRequiredService<ClientEndpoints>().PingTestAsync(ctx));
        endpoints.Map(ClientEndpoints.GetStatsPath, ClientEndpoints.GetStatsAsync);
        endpoints.Map(ClientEndpoints.OnionPath, static ctx => ctx.RequestServices.GetRequiredService<OnionEndpoint>().HandleAsync(ctx));
        endpoints.MapSessionNodePeers();
        endpoints.MapSessionNodeAdmin();
        endpoints.MapFallback(ClientEndpoints.NotFoundAsync);
        return endpoints;
    }
}
