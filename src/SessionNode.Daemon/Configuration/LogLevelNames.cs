using Microsoft.Extensions.Logging;

namespace SessionNode.Daemon.Configuration;

/// <summary>The reference's log level names (storage.md §8.7) and their Microsoft.Extensions.Logging equivalents.</summary>
public static class LogLevelNames
{
    /// <summary>The documented names, most verbose first (help and error texts).</summary>
    public static IReadOnlyList<string> All { get; } = ["trace", "debug", "info", "warn", "error", "critical", "off"];

    /// <summary>
    /// Every accepted name: <see cref="All"/> plus the spellings the reference's level parser also takes
    /// (spdlog's <c>warning</c> and <c>err</c>, oxen-logging's <c>none</c>), so its service files keep working.
    /// </summary>
    public static IReadOnlyList<string> Accepted { get; } = [.. All, "warning", "err", "none"];

    /// <summary>Maps a reference level name (case-insensitive) to a <see cref="LogLevel"/>.</summary>
    public static bool TryParse(string? name, out LogLevel level)
    {
        level = name?.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" or "err" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "off" or "none" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Trace;
    }
}
