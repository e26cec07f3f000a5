using Microsoft.Extensions.Options;

namespace SessionNode.Storage;

/// <summary>Validates <see cref="MessageStoreOptions"/> at startup (ValidateOnStart) and in <see cref="MessageStore.Open"/>.</summary>
public sealed class MessageStoreOptionsValidator : IValidateOptions<MessageStoreOptions>
{
    /// <summary>Smallest accepted cache or memtable budget: below this RocksDB thrashes.</summary>
    public const long MinMemoryBytes = 1024 * 1024;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MessageStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("Storage:Path must not be empty.");
        }

        if (options.MaxLogicalBytes <= 0)
        {
            failures.Add($"Storage:MaxLogicalBytes must be positive (got {options.MaxLogicalBytes}).");
        }

        if (options.SweepInterval <= TimeSpan.Zero)
        {
            failures.Add($"Storage:SweepInterval must be positive (got {options.SweepInterval}).");
        }

        if (options.BlockCacheBytes < MinMemoryBytes)
        {
            failures.Add($"Storage:BlockCacheBytes must be at least {MinMemoryBytes} (got {options.BlockCacheBytes}).");
        }

        if (options.WriteBufferBytes < MinMemoryBytes)
        {
            failures.Add($"Storage:WriteBufferBytes must be at least {MinMemoryBytes} (got {options.WriteBufferBytes}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
