using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SessionNode.Daemon.Configuration;
using SessionNode.Rpc;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Daemon.Hosting;

/// <summary>Validates the bound options sections and renders their effective values (secrets redacted).</summary>
internal static class EffectiveConfiguration
{
    private const string Redacted = "(redacted)";

    /// <summary>Property-name fragments whose values never appear in logs or check-config output.</summary>
    private static readonly string[] SecretNameParts = ["Secret", "Password", "PrivateKey", "Token", "Seed"];

    /// <summary>Runs every ValidateOnStart validator; returns the failures (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException or InvalidOperationException)
        {
            return StartupErrors.Failures(e);
        }
    }

    /// <summary>One line per section: its name and <c>Key=value</c> pairs of the bound options.</summary>
    public static IEnumerable<(string Section, string Settings)> Describe(IServiceProvider services)
    {
        yield return (NodeOptions.SectionName, Format(services.GetRequiredService<IOptions<NodeOptions>>().Value));
        yield return (RpcOptions.SectionName, Format(services.GetRequiredService<IOptions<RpcOptions>>().Value));
        yield return (MessageStoreOptions.SectionName, Format(services.GetRequiredService<IOptions<MessageStoreOptions>>().Value));
        yield return (NetworkOptions.SectionName, Format(services.GetRequiredService<IOptions<NetworkOptions>>().Value));
        yield return (HttpsOptions.SectionName, Format(services.GetRequiredService<IOptions<HttpsOptions>>().Value));
        yield return (DaemonOptions.SectionName, Format(services.GetRequiredService<IOptions<DaemonOptions>>().Value));
    }

    // Generic over the options type so the trimmer keeps its public properties (Native AOT publish).
    private static string Format<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T options)
        where T : class => string.Join(
        ", ",
        typeof(T)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => $"{p.Name}={(IsSecret(p.Name) ? Redacted : FormatValue(p.GetValue(options)))}"));

    private static bool IsSecret(string name) => SecretNameParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    private static string FormatValue(object? value) => value switch
    {
        null => "(null)",
        string s => s.Length == 0 ? "\"\"" : s,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(FormatValue)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
