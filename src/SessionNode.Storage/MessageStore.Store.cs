using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Stores a client message (storage.md §3.1) atomically: in a public-outbox namespace first deletes
    /// the account's other messages there (one with the same hash is kept); then, if the hash exists
    /// anywhere (any owner) and is unexpired, raises its expiry when the new one is later
    /// (<see cref="StoreOutcome.Extended"/>) or leaves it (<see cref="StoreOutcome.Exists"/>) — the
    /// message keeps its data, timestamp and position; otherwise inserts (<see cref="StoreOutcome.New"/>).
    /// An expired-but-unswept message with the same hash counts as absent and is replaced.
    /// Returns <see cref="StoreOutcome.Full"/> without writing anything when the insert would exceed the cap.
    /// </summary>
    /// <exception cref="ArgumentException">The data exceeds 76 800 bytes, or the hash is empty, longer than 128 characters or not ASCII.</exception>
    public StoreResult Store(in AccountId account, Namespace ns, string hash, long timestampMs, long expiryMs, ReadOnlySpan<byte> data)
    {
        if (data.Length > Limits.MaxMessageBytes)
        {
            ThrowDataTooLarge(data.Length, nameof(data));
        }

        Span<byte> hashBytes = stackalloc byte[StorageLayout.MaxHashLength];
        hashBytes = hashBytes[..EncodeHashOrThrow(hash, hashBytes, nameof(hash))];
        Span<byte> existing = stackalloc byte[StorageLayout.HashValueLength];
        var now = NowMs();

        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                if (ns.IsPublicOutbox)
                {
                    StageOutboxReplacement(account, ns, hashBytes, now);
                }

                if (TryGetHashValue(hashBytes, existing))
                {
                    var storedExpiry = StorageLayout.HashValueExpiry(existing);
                    if (storedExpiry > now)
                    {
                        if (storedExpiry < expiryMs)
                        {
                            var key = StorageLayout.HashValueKey(existing);
                            var record = _db.Get(key, _messages)
                                ?? throw new InvalidOperationException("The hash index points at a missing message.");
                            StageExpiryChange(key, record, expiryMs, now);
                            Commit();
                            return new StoreResult(StoreOutcome.Extended, expiryMs);
                        }

                        Commit(); // outbox replacement may have staged deletions
                        return new StoreResult(StoreOutcome.Exists, storedExpiry);
                    }

                    StageDelete(StorageLayout.HashValueKey(existing), hashBytes, storedExpiry, StorageLayout.HashValueSize(existing));
                }

                var size = StorageLayout.LogicalSize(hashBytes.Length, data.Length);
                if (_logicalBytes + _opBytes + size > _maxLogicalBytes)
                {
                    _fullCount++;
                    if (_fullCount % FullLogEvery == 1)
                    {
                        LogFull(_logicalBytes, _maxLogicalBytes, _fullCount);
                    }

                    return new StoreResult(StoreOutcome.Full, expiryMs);
                }

                // A client re-store of a deleted hash is accepted here (as the reference does) and drops
                // this node's tombstone; other members keep theirs, and repair deletes it again (README.md).
                StageTombstoneRemoval(account.Span, hashBytes);
                StageInsert(account, ns, hashBytes, timestampMs, expiryMs, data, size, now);
                Commit();
                return new StoreResult(StoreOutcome.New, expiryMs);
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>
    /// Stores messages pushed by swarm peers (storage.md §3.2) in one atomic batch: hashes that already
    /// exist (unexpired) are skipped without extending them, there is no public-outbox replacement, and
    /// messages already expired on arrival or deleted here (a tombstone) are skipped. Returns the number inserted.
    /// </summary>
    /// <exception cref="StorageFullException">The inserts would exceed the cap; nothing was written.</exception>
    /// <exception cref="ArgumentException">A message has bad data or hash (see <see cref="Store"/>); nothing was written.</exception>
    public int BulkStore(IEnumerable<StoredMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var now = NowMs();
        Span<byte> hashBytes = stackalloc byte[StorageLayout.MaxHashLength];
        Span<byte> existing = stackalloc byte[StorageLayout.HashValueLength];
        var seen = new HashSet<string>(StringComparer.Ordinal);

        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                var inserted = 0;
                foreach (var message in messages)
                {
                    ArgumentNullException.ThrowIfNull(message, nameof(messages));
                    if (message.Data.Length > Limits.MaxMessageBytes)
                    {
                        ThrowDataTooLarge(message.Data.Length, nameof(messages));
                    }

                    var hash = hashBytes[..EncodeHashOrThrow(message.Hash, hashBytes, nameof(messages))];
                    if (message.ExpiryMs <= now || !seen.Add(message.Hash) || HasTombstone(message.Account.Span, hash, now))
                    {
                        continue;
                    }

                    if (TryGetHashValue(hash, existing))
                    {
                        var storedExpiry = StorageLayout.HashValueExpiry(existing);
                        if (storedExpiry > now)
                        {
                            continue;
                        }

                        StageDelete(StorageLayout.HashValueKey(existing), hash, storedExpiry, StorageLayout.HashValueSize(existing));
                    }

                    var size = StorageLayout.LogicalSize(hash.Length, message.Data.Length);
                    StageInsert(message.Account, message.Namespace, hash, message.TimestampMs, message.ExpiryMs, message.Data, size, now);
                    inserted++;
                }

                if (_opBytes > 0 && _logicalBytes + _opBytes > _maxLogicalBytes)
                {
                    throw new StorageFullException(
                        $"Bulk store of {inserted} messages would bring the store to {_logicalBytes + _opBytes} logical bytes (cap {_maxLogicalBytes}).");
                }

                Commit();
                return inserted;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>
    /// Stages deletion of every message in a public-outbox mailbox except one with <paramref name="keepHash"/>;
    /// the replaced messages get tombstones (peers that received them by push do not replace).
    /// </summary>
    private void StageOutboxReplacement(in AccountId account, Namespace ns, ReadOnlySpan<byte> keepHash, long now)
    {
        Span<byte> prefix = stackalloc byte[StorageLayout.MailboxPrefixLength];
        StorageLayout.WriteMailboxPrefix(prefix, account, ns);
        using var it = _db.NewIterator(_messages, _accountRead);
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            var key = it.KeySpan();
            if (!key.StartsWith(prefix))
            {
                break;
            }

            var record = it.ValueSpan();
            var hash = StorageLayout.RecordHash(record);
            if (!hash.SequenceEqual(keepHash))
            {
                var expiry = StorageLayout.RecordExpiry(record);
                StageDelete(key, hash, expiry, StorageLayout.LogicalSize(record));
                StageTombstone(StorageLayout.KeyAccount(key), StorageLayout.KeyNamespace(key), hash, expiry, now);
            }
        }

        ThrowIfIteratorFailed(it);
    }
}
