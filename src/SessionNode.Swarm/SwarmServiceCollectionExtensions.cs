using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SessionNode.Swarm;

/// <summary>Composition entry point of the Swarm library (called by the Rpc composition).</summary>
public static class SwarmServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="NetworkOptions"/> (section "Network") and <see cref="ReachabilityOptions"/>
    /// (section "Reachability"), validated on start; registers <see cref="PeerHealth"/>,
    /// <see cref="PeerTokenIssuer"/>, the reachability bookkeeping (<see cref="ReachabilitySchedule"/>,
    /// <see cref="IncomingPingMonitor"/>) and the membership sources (each source
    /// runs only in its mode). Expects <see cref="Membership"/>, <see cref="LocalNode"/> and
    /// <see cref="TimeProvider"/> in DI.
    /// </summary>
    public static IServiceCollection AddSessionNodeSwarm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NetworkOptions>, NetworkOptionsValidator>());
        services.AddOptions<ReachabilityOptions>().Bind(configuration.GetSection(ReachabilityOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReachabilityOptions>, ReachabilityOptionsValidator>());
        services.TryAddSingleton<PeerHealth>();
        services.TryAddSingleton<IncomingPingMonitor>();
        services.TryAddSingleton(sp => new ReachabilitySchedule(sp.GetRequiredService<IOptions<ReachabilityOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PeerTokenIssuer>();
        services.AddHostedService<StaticMembershipRefresher>();
        services.AddHostedService<OxendMembershipRefresher>();
        services.AddHostedService<OxendPinger>();
        return services;
    }
}
