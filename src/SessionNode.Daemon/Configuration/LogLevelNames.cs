using Microsoft.Extensions.Logging;

namespace SessionNode.Daemon.Configuration;

/// <summary>The reference's log level names (storage.md §8.7) and their Microsoft.Extensions.Logging equivalents.</summary>
public static class LogLevelNames
{
    /// <summary>Accepted names, most verbose first.</summary>
    public static IReadOnlyList<string> All { get; } = ["trace", "debug", "info", "warn", "error", "critical", "off"];

    /// <summary>Maps a reference level name (case-insensitive) to a <see cref="LogLevel"/>.</summary>
    public static bool TryParse(string? name, out LogLevel level)
    {
        level = name?.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "off" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Trace;
    }
}
