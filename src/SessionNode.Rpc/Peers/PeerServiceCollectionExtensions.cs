using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SessionNode.Crypto;
using SessionNode.Rpc.Admin;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>Composition of the peer side: listener, gRPC services and auth, peer client, forwarder, retry queue and pump, reachability tester, storage tests, anti-entropy, hand-off push and purge.</summary>
public static class PeerServiceCollectionExtensions
{
    /// <summary>Folder of the retry queue database inside the data folder.</summary>
    public const string RetryQueueFolder = "peer-queue.db";

    /// <summary>
    /// Registers the membership (by <c>Network:Mode</c>), the Swarm services, the peer listener
    /// (<c>Node:PeerPort</c>), the gRPC peer service with its token interceptor, the gRPC
    /// <see cref="IPeerForwarder"/>, storage tests (responder, tester, <c>storage_tests</c> stats) and anti-entropy (service, stats section). Called by <see cref="RpcServiceCollectionExtensions.AddSessionNodeRpc"/>.
    /// </summary>
    public static IServiceCollection AddSessionNodePeers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSessionNodeSwarm(configuration);
        services.AddSingleton(sp =>
        {
            var keys = sp.GetRequiredService<Ed25519KeyPair>();
            var node = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            using var x = keys.ToX25519();
            return new LocalNode(keys.PublicKey.ToArray(), x.PublicKey.ToArray(), node.PublicIp.Length > 0 ? node.PublicIp : node.BindIp);
        });
        services.AddSingleton(CreateMembership);

        services.AddSingleton<PeerListener>();
        services.AddSingleton<IPostConfigureOptions<KestrelServerOptions>>(sp => sp.GetRequiredService<PeerListener>());
        services.AddSingleton<PeerAuthInterceptor>();
        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = PeerListener.MaxMessageBytes;
            options.MaxSendMessageSize = PeerListener.MaxMessageBytes;
            options.Interceptors.Add<PeerAuthInterceptor>();
        });

        services.AddSingleton<PeerClient>();
        services.AddSingleton<ReplicationBatcher>();
        services.AddSingleton<IStatsContributor>(sp => sp.GetRequiredService<ReplicationBatcher>());
        services.AddSingleton(sp => PeerRetryQueue.Open(
            Path.Combine(sp.GetRequiredService<IOptions<NodeOptions>>().Value.DataDir, RetryQueueFolder),
            sp.GetRequiredService<IOptions<NetworkOptions>>().Value.RetryQueueCapacity));
        services.AddSingleton<IPeerForwarder, GrpcPeerForwarder>();
        services.AddHostedService<ReplicationPump>();
        services.AddSingleton<SwarmPusher>();
        services.AddHostedService<SwarmPushService>();

        // Reachability (swarm.md §12): periodic tests of peers, and TestMe for check-reachability.
        services.AddSingleton<ReachabilityProbe>();
        services.AddSingleton<TestMeLimiter>();
        services.AddHostedService<ReachabilityTester>();
        // storage_server_ping to oxend (swarm.md §14), oxend mode only.
        services.AddSingleton<OxendPingService>();
        services.AddHostedService(sp => sp.GetRequiredService<OxendPingService>());
        services.AddSingleton<IStatsContributor>(sp => sp.GetRequiredService<OxendPingService>());
        // Storage tests (Rpc Peers README "Storage tests"): testee (gRPC, a singleton for its rate-limit buckets), tester, results.
        services.AddOptions<StorageTestOptions>().Bind(configuration.GetSection(StorageTestOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageTestOptions>, StorageTestOptionsValidator>();
        services.AddSingleton<StorageTestResponder>();
        services.AddSingleton<StorageTestTracker>();
        services.AddSingleton<IStatsContributor>(sp => sp.GetRequiredService<StorageTestTracker>());
        services.AddHostedService<StorageTestService>();
        services.AddSingleton<HandOffPurgeService>();
        services.AddHostedService(sp => sp.GetRequiredService<HandOffPurgeService>());
        services.AddSingleton<IStatsContributor>(sp => sp.GetRequiredService<HandOffPurgeService>());
        services.AddSingleton<AntiEntropyStats>();
        services.AddSingleton<IStatsContributor>(sp => sp.GetRequiredService<AntiEntropyStats>());
        services.AddSingleton<AntiEntropyService>();
        services.AddHostedService(sp => sp.GetRequiredService<AntiEntropyService>());
        return services;
    }

    /// <summary>
    /// Maps the peer gRPC services (Peer, Reachability) and keeps the two listeners apart: gRPC only on the peer port, client
    /// routes only on the client port (404 otherwise).
    /// </summary>
    public static IEndpointRouteBuilder MapSessionNodePeers(this IEndpointRouteBuilder endpoints)
    {
        var listener = endpoints.ServiceProvider.GetRequiredService<PeerListener>();
        if (endpoints is IApplicationBuilder app)
        {
            app.Use((context, next) =>
            {
                var onPeerPort = context.Connection.LocalPort == listener.BoundPort;
                var isPeerRpc = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
                if (onPeerPort != isPeerRpc)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        endpoints.MapGrpcService<PeerService>();
        endpoints.MapGrpcService<ReachabilityService>();
        endpoints.MapGrpcService<StorageTestResponder>();
        endpoints.MapGrpcService<HandOffService>();
        endpoints.MapGrpcService<AntiEntropyPeerService>();
        return endpoints;
    }

    private static Membership CreateMembership(IServiceProvider sp)
    {
        var network = sp.GetRequiredService<IOptions<NetworkOptions>>().Value;
        var rpc = sp.GetRequiredService<IOptions<RpcOptions>>().Value;
        if (network.Mode == NetworkMode.Standalone)
        {
            return StandaloneMembership.Create(sp.GetRequiredService<Ed25519KeyPair>(), sp.GetRequiredService<IOptions<NodeOptions>>().Value, rpc);
        }

        // Not in any swarm (503 "not in any swarm") until the source publishes the first view.
        return new Membership(new MembershipSnapshot(0, [], null, (rpc.HardForkMajor, rpc.HardForkMinor), rpc.Height));
    }
}
