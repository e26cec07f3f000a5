using Microsoft.Extensions.Options;

namespace SessionNode.Daemon.Hosting;

/// <summary>Turns startup exceptions into the short messages an operator reads.</summary>
internal static class StartupErrors
{
    /// <summary>The individual failures inside <paramref name="exception"/> (validation failures are listed one by one).</summary>
    public static IReadOnlyList<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException v => [.. v.Failures],
        AggregateException a => [.. a.InnerExceptions.SelectMany(Failures)],
        _ => [exception.Message],
    };

    /// <summary>All failures on one line.</summary>
    public static string Describe(Exception exception) => string.Join(" ", Failures(exception));
}
