using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Expired messages deleted per batch (and per hold of the writer lock) by the sweeper, so a large
    /// backlog never blocks stores for long: ~1000 × 4 deletes is a few milliseconds.
    /// </summary>
    private const int SweepBatchSize = 1000;

    /// <summary>
    /// Sets the expiry of the account's listed, unexpired messages (storage.md §3.8).
    /// <paramref name="expiries"/> has one value for all hashes or one per hash. Extend-only updates
    /// when the current expiry is earlier than the target, shorten-only when later, neither always
    /// (a message already at the target counts as updated). Returns (hash, new expiry) for updated
    /// messages, sorted by hash (ordinal); a hash listed twice is reported once with its final expiry.
    /// </summary>
    /// <exception cref="ArgumentException">The expiry count is neither 1 nor the hash count, or both modes were requested.</exception>
    public IReadOnlyList<(string Hash, long ExpiryMs)> UpdateExpiry(in AccountId account, IReadOnlyList<string> hashes, IReadOnlyList<long> expiries, bool extendOnly, bool shortenOnly)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        ArgumentNullException.ThrowIfNull(expiries);
        if (expiries.Count != 1 && expiries.Count != hashes.Count)
        {
            throw new ArgumentException(
                $"Expected one expiry or one per hash ({hashes.Count}), got {expiries.Count}.", nameof(expiries));
        }

        if (extendOnly && shortenOnly)
        {
            throw new ArgumentException("extendOnly and shortenOnly are mutually exclusive.", nameof(shortenOnly));
        }

        var now = NowMs();
        var pending = new Dictionary<string, PendingExpiry>(StringComparer.Ordinal);
        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];

        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                for (var i = 0; i < hashes.Count; i++)
                {
                    var hash = hashes[i];
                    var target = expiries[expiries.Count == 1 ? 0 : i];
                    if (!pending.TryGetValue(hash, out var entry))
                    {
                        if (!TryGetHashValue(hash, hashValue)
                            || !StorageLayout.KeyAccount(StorageLayout.HashValueKey(hashValue)).SequenceEqual(account.Span)
                            || StorageLayout.HashValueExpiry(hashValue) <= now)
                        {
                            continue;
                        }

                        var current = StorageLayout.HashValueExpiry(hashValue);
                        entry = new PendingExpiry(StorageLayout.HashValueKey(hashValue).ToArray(), current, current);
                        pending[hash] = entry;
                    }

                    var apply = extendOnly ? entry.Expiry < target : !shortenOnly || entry.Expiry > target;
                    if (apply)
                    {
                        entry.Expiry = target;
                        entry.Updated = true;
                    }
                }

                var updated = new List<(string Hash, long ExpiryMs)>();
                foreach (var (hash, entry) in pending)
                {
                    if (!entry.Updated)
                    {
                        continue;
                    }

                    updated.Add((hash, entry.Expiry));
                    if (entry.Expiry != entry.Original)
                    {
                        var record = _db.Get(entry.MessageKey, _messages)
                            ?? throw new InvalidOperationException("The hash index points at a missing message.");
                        StageExpiryChange(entry.MessageKey, record, entry.Expiry, now);
                    }
                }

                Commit();
                updated.Sort(static (a, b) => string.CompareOrdinal(a.Hash, b.Hash));
                return updated;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>
    /// Shortens (never extends) the expiry of the account's unexpired messages in one namespace to
    /// <paramref name="expiryMs"/> where it is currently later; returns the updated hashes sorted ordinally.
    /// </summary>
    public IReadOnlyList<string> UpdateAllExpiries(in AccountId account, Namespace ns, long expiryMs)
    {
        var pairs = ShortenWhere(account, ns, expiryMs);
        var hashes = new List<string>(pairs.Count);
        foreach (var (_, hash) in pairs)
        {
            hashes.Add(hash);
        }

        return hashes;
    }

    /// <summary>As <see cref="UpdateAllExpiries(in AccountId, Namespace, long)"/> over every namespace; (namespace, hash) sorted by hash.</summary>
    public IReadOnlyList<(Namespace Namespace, string Hash)> UpdateAllExpiries(in AccountId account, long expiryMs)
        => ShortenWhere(account, null, expiryMs);

    /// <summary>
    /// Deletes every message whose expiry is ≤ now, in batches of <see cref="SweepBatchSize"/>; returns
    /// how many. Only reclaims space: reads already hide expired messages.
    /// </summary>
    public int SweepExpired()
    {
        ThrowIfDisposed();
        var now = NowMs();
        var total = 0;
        Span<byte> seek = stackalloc byte[8];
        while (true)
        {
            int swept;
            lock (_writeLock)
            {
                BeginOperation();
                try
                {
                    swept = StageSweepBatch(now, seek, out var lastExpiry);
                    Commit();

                    // Invariant: no expiry entry sorts below _sweepFrom (writes of earlier expiries lower
                    // it), so later scans start there and skip the tombstones of what was swept.
                    _sweepFrom = Math.Max(_sweepFrom, swept < SweepBatchSize ? now : lastExpiry);
                }
                finally
                {
                    EndOperation();
                }
            }

            total += swept;
            if (swept < SweepBatchSize)
            {
                break;
            }
        }

        while (SweepTombstoneBatch(now) == SweepBatchSize)
        {
        }

        if (total > 0)
        {
            LogSwept(total);
        }

        return total;
    }

    private int StageSweepBatch(long now, Span<byte> seek, out long lastExpiry)
    {
        lastExpiry = long.MinValue;
        // Seeking past the already-swept range skips its tombstones until compaction drops them.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(seek, StorageLayout.EncodeSigned(_sweepFrom));
        using var it = _db.NewIterator(_expiries, _totalOrderRead);
        Span<byte> pad = stackalloc byte[StorageLayout.HashKeyPrefixLength];
        var count = 0;
        for (it.Seek(seek); it.Valid() && count < SweepBatchSize; it.Next())
        {
            var key = it.KeySpan();
            var expiry = StorageLayout.ExpiryKeyExpiry(key);
            if (expiry > now)
            {
                break;
            }

            var value = it.ValueSpan();
            var messageKey = StorageLayout.ExpiryValueKey(value);
            var account = StorageLayout.KeyAccount(messageKey);
            StageFingerprint(account, MessageFingerprint(account, StorageLayout.KeyNamespace(messageKey), StorageLayout.ExpiryValueHash(value), expiry), -1);
            lastExpiry = expiry;
            _batch.Delete(messageKey, _messages);
            _batch.Delete(StorageLayout.HashKey(StorageLayout.ExpiryValueHash(value), pad), _hashes);
            _batch.Delete(key, _expiries);
            if (StorageLayout.ExpiryValueShortened(value))
            {
                // A peer may still hold the longer original; remember that it ended here (README.md).
                StageTombstone(account, StorageLayout.KeyNamespace(messageKey), StorageLayout.ExpiryValueHash(value), now + Limits.MaxTtlPrivateMs, expiry);
            }

            _opMessages--;
            _opBytes -= StorageLayout.ExpiryValueSize(value);
            NoteDelete(StorageLayout.KeyAccount(messageKey));
            count++;
        }

        ThrowIfIteratorFailed(it);
        return count;
    }

    private List<(Namespace Namespace, string Hash)> ShortenWhere(in AccountId account, Namespace? ns, long expiryMs)
    {
        var now = NowMs();
        var updated = new List<(Namespace, string)>();
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                ScanAccount(account, ns, (key, record) =>
                {
                    var current = StorageLayout.RecordExpiry(record);
                    if (current <= now || current <= expiryMs)
                    {
                        return;
                    }

                    StageExpiryChange(key, record, expiryMs, now);
                    updated.Add((StorageLayout.KeyNamespace(key), StorageLayout.DecodeHash(StorageLayout.RecordHash(record))));
                });
                Commit();
            }
            finally
            {
                EndOperation();
            }
        }

        updated.Sort(static (a, b) => string.CompareOrdinal(a.Item2, b.Item2));
        return updated;
    }

    /// <summary>Working state of one hash during <see cref="UpdateExpiry"/>.</summary>
    private sealed class PendingExpiry(byte[] messageKey, long original, long expiry)
    {
        public byte[] MessageKey { get; } = messageKey;

        public long Original { get; } = original;

        public long Expiry { get; set; } = expiry;

        public bool Updated { get; set; }
    }
}
