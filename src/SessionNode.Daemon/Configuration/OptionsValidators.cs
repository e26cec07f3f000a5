using Microsoft.Extensions.Options;
using SessionNode.Core;

namespace SessionNode.Daemon.Configuration;

/// <summary>Validates <see cref="DaemonOptions"/>: a known log level, well-formed stats access keys, a non-negative trim interval.</summary>
internal sealed class DaemonOptionsValidator : IValidateOptions<DaemonOptions>
{
    public ValidateOptionsResult Validate(string? name, DaemonOptions options)
    {
        var errors = new List<string>();
        if (!LogLevelNames.TryParse(options.LogLevel, out _))
        {
            errors.Add($"Daemon:LogLevel (--log-level) '{options.LogLevel}' is not one of {string.Join(", ", LogLevelNames.All)}.");
        }

        foreach (var key in options.StatsAccessKeys)
        {
            // The reference aborts startup on a key that is not 32 bytes of hex (storage.md §8.1).
            if (key.Length != 64 || !Hex.IsHex(key))
            {
                errors.Add($"Daemon:StatsAccessKeys (--stats-access-key) '{key}' is not 64 hex characters.");
            }
        }

        if (options.NativeHeapTrimInterval < TimeSpan.Zero)
        {
            errors.Add($"Daemon:NativeHeapTrimInterval {options.NativeHeapTrimInterval} must not be negative (zero turns trimming off).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates the Kestrel limits in <see cref="HttpsOptions"/>.</summary>
internal sealed class HttpsOptionsValidator : IValidateOptions<HttpsOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpsOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConnections <= 0)
        {
            errors.Add($"Https:MaxConnections {options.MaxConnections} must be positive.");
        }

        CheckPositive(errors, "Https:KeepAliveTimeout", options.KeepAliveTimeout);
        CheckPositive(errors, "Https:RequestHeadersTimeout", options.RequestHeadersTimeout);
        CheckPositive(errors, "Https:ShutdownTimeout", options.ShutdownTimeout);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPositive(List<string> errors, string what, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{what} {value} must be positive.");
        }
    }
}
