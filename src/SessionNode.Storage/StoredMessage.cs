using SessionNode.Core;

namespace SessionNode.Storage;

/// <summary>One stored message as returned by reads (the account is always set).</summary>
public sealed record StoredMessage(AccountId Account, Namespace Namespace, string Hash, long TimestampMs, long ExpiryMs, byte[] Data);

/// <summary>Result of <see cref="MessageStore.Store"/> (storage.md §3.1).</summary>
public enum StoreOutcome
{
    /// <summary>Inserted.</summary>
    New,

    /// <summary>The hash existed and its expiry was raised to the new value.</summary>
    Extended,

    /// <summary>The hash existed with an expiry at least as late; nothing changed.</summary>
    Exists,

    /// <summary>The logical-size cap would be exceeded; nothing was written.</summary>
    Full,
}

/// <summary>One store of <see cref="MessageStore.StoreMany"/>: the arguments of <see cref="MessageStore.Store"/>.</summary>
public readonly record struct StoreOperation(AccountId Account, Namespace Namespace, string Hash, long TimestampMs, long ExpiryMs, ReadOnlyMemory<byte> Data);

/// <summary>Outcome of a store plus the effective expiry (ms) the client is told.</summary>
public readonly record struct StoreResult(StoreOutcome Outcome, long ExpiryMs);

/// <summary>Messages of one mailbox in insertion order; <c>More</c> is true when the limits cut the list short.</summary>
public sealed record RetrieveResult(IReadOnlyList<StoredMessage> Messages, bool More);

/// <summary>Receives a retrieve's messages in order, straight from the store's iterator.</summary>
public interface IRetrieveSink
{
    /// <summary>
    /// One unexpired message: its hash (ASCII bytes), timestamp and expiry (ms) and data. The spans point
    /// into the iterator and are valid only during the call.
    /// </summary>
    void Add(ReadOnlySpan<byte> hash, long timestampMs, long expiryMs, ReadOnlySpan<byte> data);
}
