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
        var now = NowMs();

        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                var result = StageStore(account, ns, hashBytes, timestampMs, expiryMs, data, now);
                if (result.Outcome != StoreOutcome.Full)
                {
                    Commit(); // also after Exists: an outbox replacement may have staged deletions
                }

                return result;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>
    /// Applies a sequence of client stores (storage.md §3.1) in order, with exactly the outcome and expiry each
    /// would get from <see cref="Store"/> called once per operation in the same order, but with one RocksDB write
    /// (one WAL append) for the whole sequence instead of one per message. The writer lock is held throughout.
    /// An operation that reads what an earlier one of the sequence staged — its hash was stored, extended, replaced
    /// or deleted there, or it replaces a public outbox an earlier one wrote to — first commits what is staged and
    /// then starts a new write, so every read sees the earlier operations (these are rare: a batch of replicated
    /// stores holds distinct messages). Likewise before an operation that could meet the cap: it is decided alone,
    /// so a <see cref="StoreOutcome.Full"/> writes nothing for that operation and still lets the others through.
    /// Each committed write is atomic; if RocksDB fails, the writes committed before it stay and the exception
    /// propagates.
    /// </summary>
    /// <param name="operations">The stores, in order.</param>
    /// <param name="results">Receives one result per operation, at the same index.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="results"/> is shorter than <paramref name="operations"/>, or an operation has bad data or hash
    /// (see <see cref="Store"/>); checked before anything is written.
    /// </exception>
    public void StoreMany(ReadOnlySpan<StoreOperation> operations, Span<StoreResult> results)
    {
        if (results.Length < operations.Length)
        {
            throw new ArgumentException("Fewer result slots than operations.", nameof(results));
        }

        Span<byte> hashBytes = stackalloc byte[StorageLayout.MaxHashLength];
        foreach (ref readonly var op in operations)
        {
            if (op.Data.Length > Limits.MaxMessageBytes)
            {
                ThrowDataTooLarge(op.Data.Length, nameof(operations));
            }

            _ = EncodeHashOrThrow(op.Hash, hashBytes, nameof(operations));
        }

        lock (_writeLock)
        {
            BeginOperation();
            _grouping = true;
            var staged = 0;
            try
            {
                for (var i = 0; i < operations.Length; i++)
                {
                    ref readonly var op = ref operations[i];
                    var hash = hashBytes[..EncodeHashOrThrow(op.Hash, hashBytes, nameof(operations))];
                    var size = StorageLayout.LogicalSize(hash.Length, op.Data.Length);

                    // Deletions the operation stages only lower _opBytes, so passing this check means it cannot be Full.
                    var mayBeFull = _logicalBytes + _opBytes + size > _maxLogicalBytes;
                    if (staged > 0 && (mayBeFull || _groupHashes.Contains(GroupHashKey(hash))
                        || (op.Namespace.IsPublicOutbox && _groupOutboxes.Contains((op.Account, op.Namespace)))))
                    {
                        Commit();
                        RestartGroupOperation();
                        staged = 0;
                    }

                    var result = StageStore(op.Account, op.Namespace, hash, op.TimestampMs, op.ExpiryMs, op.Data.Span, NowMs());
                    if (result.Outcome == StoreOutcome.Full)
                    {
                        // Only this operation is staged (see mayBeFull): drop it, as Store does.
                        RestartGroupOperation();
                    }
                    else
                    {
                        staged++;
                    }

                    results[i] = result;
                }

                Commit();
            }
            finally
            {
                _grouping = false;
                _groupHashes.Clear();
                _groupOutboxes.Clear();
                EndOperation();
            }
        }
    }

    /// <summary>Discards the staged (or committed) state of a <see cref="StoreMany"/> and begins the next write.</summary>
    private void RestartGroupOperation()
    {
        EndOperation();
        _groupHashes.Clear();
        _groupOutboxes.Clear();
        BeginOperation();
    }

    /// <summary>
    /// Stages <see cref="Store"/>'s changes without committing. Returns <see cref="StoreOutcome.Full"/> with its
    /// changes still staged; the caller discards them. Inside <see cref="StoreMany"/> it notes what it touched.
    /// </summary>
    private StoreResult StageStore(in AccountId account, Namespace ns, ReadOnlySpan<byte> hashBytes, long timestampMs, long expiryMs, ReadOnlySpan<byte> data, long now)
    {
        if (_grouping)
        {
            NoteGroupHash(hashBytes);
        }

        if (ns.IsPublicOutbox)
        {
            StageOutboxReplacement(account, ns, hashBytes, now);
        }

        Span<byte> existing = stackalloc byte[StorageLayout.HashValueLength];
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
                    if (_grouping)
                    {
                        NoteGroupMailbox(key); // an outbox replacement there must see the new expiry
                    }

                    StageExpiryChange(key, record, expiryMs, now);
                    return new StoreResult(StoreOutcome.Extended, expiryMs);
                }

                return new StoreResult(StoreOutcome.Exists, storedExpiry);
            }

            var predecessor = StorageLayout.HashValueKey(existing);
            if (_grouping)
            {
                NoteGroupMailbox(predecessor);
            }

            StageDelete(predecessor, hashBytes, storedExpiry, StorageLayout.HashValueSize(existing));
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
        if (_grouping && ns.IsPublicOutbox)
        {
            _groupOutboxes.Add((account, ns));
        }

        return new StoreResult(StoreOutcome.New, expiryMs);
    }

    /// <summary>Notes that the current <see cref="StoreMany"/> write stages a change of this hash (its message or tombstone).</summary>
    private void NoteGroupHash(ReadOnlySpan<byte> hash) => _groupHashes.Add(GroupHashKey(hash));

    /// <summary>Notes the public outbox of a message key the current <see cref="StoreMany"/> write changes.</summary>
    private void NoteGroupMailbox(ReadOnlySpan<byte> messageKey)
    {
        var ns = StorageLayout.KeyNamespace(messageKey);
        if (ns.IsPublicOutbox)
        {
            _groupOutboxes.Add((AccountId.FromBytes(StorageLayout.KeyAccount(messageKey)), ns));
        }
    }

    /// <summary>
    /// A hash's key in <see cref="_groupHashes"/>. Equal hashes get equal keys; a collision of different hashes
    /// only costs an unneeded commit, never a wrong read.
    /// </summary>
    private static int GroupHashKey(ReadOnlySpan<byte> hash)
    {
        var h = default(HashCode);
        h.AddBytes(hash);
        return h.ToHashCode();
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
                if (_grouping)
                {
                    NoteGroupHash(hash);
                    _groupOutboxes.Add((account, ns));
                }

                StageDelete(key, hash, expiry, StorageLayout.LogicalSize(record));
                StageTombstone(StorageLayout.KeyAccount(key), StorageLayout.KeyNamespace(key), hash, expiry, now);
            }
        }

        ThrowIfIteratorFailed(it);
    }
}
