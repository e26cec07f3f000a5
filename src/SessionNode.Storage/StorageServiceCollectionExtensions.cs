using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SessionNode.Storage;

/// <summary>Composition entry point of the storage library (only the Daemon and test harnesses call it).</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="MessageStoreOptions"/> from section "Storage" (validated on start), registers
    /// the <see cref="MessageStore"/> singleton (opened on first use with the container's
    /// <see cref="TimeProvider"/>, <see cref="TimeProvider.System"/> if none is registered) and the
    /// <see cref="ExpirySweeper"/> hosted service.
    /// </summary>
    public static IServiceCollection AddSessionNodeStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MessageStoreOptions>()
            .Bind(configuration.GetSection(MessageStoreOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MessageStoreOptions>, MessageStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => MessageStore.Open(
            sp.GetRequiredService<IOptions<MessageStoreOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<MessageStore>>()));
        services.AddHostedService<ExpirySweeper>();
        return services;
    }
}
