using System.Buffers.Binary;
using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Removes everything held for the account — messages, tombstones, revocations and unrevocations — in
    /// one batch WITHOUT writing tombstones (the account moved to another swarm; nothing was deleted by
    /// its owner). Digest and counters stay exact. Returns the messages and logical bytes removed
    /// (expired-but-unswept messages included).
    /// </summary>
    public (long Messages, long Bytes) PurgeAccount(in AccountId account)
    {
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                long messages = 0;
                ScanAccount(account, null, (key, record) =>
                {
                    StageDelete(key, StorageLayout.RecordHash(record), StorageLayout.RecordExpiry(record), StorageLayout.LogicalSize(record));
                    messages++;
                });
                var bytes = -_opBytes;

                Span<byte> key = stackalloc byte[StorageLayout.MaxTombstoneKeyLength];
                foreach (var item in ScanTombstones(account.Span.ToArray()))
                {
                    var length = StorageLayout.WriteTombstoneAccountKey(key, account.Span, item.Key);
                    _batch.Delete(key[..length], _tombs);
                    length = StorageLayout.WriteTombstoneExpiryKey(key, item.ExpiryMs, account.Span, item.Key);
                    _batch.Delete(key[..length], _tombs);
                    StageFingerprint(account.Span, TombstoneFingerprint(account.Span, item.Key), -1);
                }

                foreach (var item in ScanRevocationItems(account.Span.ToArray()))
                {
                    WriteRevokedKey(key, account, SubaccountToken.FromBytes(item.Key));
                    _batch.Delete(key[..StorageLayout.RevokedKeyLength], item.Kind == SyncItemKind.Revocation ? _revoked : _unrevoked);
                    StageFingerprint(account.Span, RevocationFingerprint(item.Kind == SyncItemKind.Revocation, account.Span, item.Key), -1);
                }

                Commit();
                return (messages, bytes);
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>
    /// Everything held for the account (messages with their change times, tombstones, revocations,
    /// unrevocations), leaving out messages and tombstones whose expiry is ≤ <paramref name="asOfMs"/>.
    /// Messages carry no data (see <see cref="GetByHash"/>).
    /// </summary>
    public List<SyncItem> ListAccountItems(in AccountId account, long asOfMs)
    {
        ThrowIfDisposed();
        var items = new List<SyncItem>();
        AddAccountMessages(account, asOfMs, items);
        AddWhereUnexpired(ScanTombstones(account.Span.ToArray()), asOfMs, items);
        items.AddRange(ScanRevocationItems(account.Span.ToArray()));
        return items;
    }

    /// <summary>
    /// The items (as <see cref="ListAccountItems"/>) of every account whose digest leaf is in
    /// <paramref name="leaves"/> and which <paramref name="accept"/> allows (the accounts our swarm serves).
    /// </summary>
    public List<SyncItem> ListLeafItems(IReadOnlySet<int> leaves, long asOfMs, Func<AccountId, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        ArgumentNullException.ThrowIfNull(accept);
        ThrowIfDisposed();
        var items = new List<SyncItem>();
        if (leaves.Count == 0)
        {
            return items;
        }

        foreach (var account in EnumerateAccountsCore())
        {
            if (leaves.Contains(LeafOf(account)) && accept(account))
            {
                AddAccountMessages(account, asOfMs, items);
            }
        }

        bool Wanted(SyncItem item) => leaves.Contains(LeafOf(item.Account)) && accept(item.Account);
        foreach (var item in ScanTombstones(ReadOnlyMemory<byte>.Empty))
        {
            if (item.ExpiryMs > asOfMs && Wanted(item))
            {
                items.Add(item);
            }
        }

        foreach (var item in ScanRevocationItems(ReadOnlyMemory<byte>.Empty))
        {
            if (Wanted(item))
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>
    /// The item ready to send to a peer: a message gets its current expiry, timestamp and data (null if it
    /// is gone or expired by now); other kinds are returned as they are.
    /// </summary>
    public SyncItem? WithData(SyncItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Kind != SyncItemKind.Message)
        {
            return item;
        }

        var message = GetByHash(StorageLayout.DecodeHash(item.Key));
        return message is null || message.Account != item.Account
            ? null
            : item with { ExpiryMs = message.ExpiryMs, TimestampMs = message.TimestampMs, Data = message.Data };
    }

    /// <summary>
    /// Applies items received from a swarm peer by repair, each atomically on its own. Conflicts are
    /// resolved as README.md ("Repair state") describes: a message's expiry by last change (equal times:
    /// the smaller expiry); a tombstone always beats the message (a delete is final until the original
    /// expiry, whatever order replicated requests arrived in); a revocation against an unrevocation by
    /// their times (ties: the unrevocation). Items
    /// that lose, are expired, malformed, belong to another owner or do not fit are skipped.
    /// </summary>
    public RepairResult ApplyRepair(IEnumerable<SyncItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var applied = 0;
        var skipped = 0;
        foreach (var item in items)
        {
            var now = NowMs();
            bool done;
            lock (_writeLock)
            {
                BeginOperation();
                try
                {
                    done = item.Kind switch
                    {
                        SyncItemKind.Message => StageRepairMessage(item, now),
                        SyncItemKind.Tombstone => StageRepairTombstone(item, now),
                        SyncItemKind.Revocation => StageRepairRevocation(item),
                        SyncItemKind.Unrevocation => StageRepairUnrevocation(item),
                        _ => false,
                    };
                    if (done)
                    {
                        Commit();
                    }
                }
                finally
                {
                    EndOperation();
                }
            }

            if (done)
            {
                applied++;
            }
            else
            {
                skipped++;
            }
        }

        return new RepairResult(applied, skipped);
    }

    private bool StageRepairMessage(SyncItem item, long now)
    {
        Span<byte> hash = stackalloc byte[StorageLayout.MaxHashLength];
        if (item.ExpiryMs <= now || item.Data is not { } data || data.Length > Limits.MaxMessageBytes
            || item.Key.Length is 0 or > StorageLayout.MaxHashLength || !IsStorableHash(item.Key))
        {
            return false;
        }

        item.Key.CopyTo(hash);
        hash = hash[..item.Key.Length];
        var account = item.Account.Span;
        if (HasTombstone(account, hash, now))
        {
            return false; // deletes are final until the original expiry
        }

        Span<byte> existing = stackalloc byte[StorageLayout.HashValueLength];
        if (TryGetHashValue(hash, existing))
        {
            var key = StorageLayout.HashValueKey(existing);
            var storedExpiry = StorageLayout.HashValueExpiry(existing);
            if (!StorageLayout.KeyAccount(key).SequenceEqual(account))
            {
                if (storedExpiry > now)
                {
                    return false;
                }
            }
            else
            {
                // Last change wins even if ours has expired meanwhile (a shortened expiry stays short).
                var storedTime = StorageLayout.HashValueChangeTime(existing);
                var wins = item.TimeMs > storedTime || (item.TimeMs == storedTime && item.ExpiryMs < storedExpiry);
                if (!wins || item.ExpiryMs == storedExpiry)
                {
                    return false;
                }

                if (storedExpiry > now)
                {
                    var record = _db.Get(key, _messages)
                        ?? throw new InvalidOperationException("The hash index points at a missing message.");
                    StageExpiryChange(key, record, item.ExpiryMs, item.TimeMs);
                    return true;
                }
            }

            StageDelete(key, hash, storedExpiry, StorageLayout.HashValueSize(existing));
        }

        var size = StorageLayout.LogicalSize(hash.Length, data.Length);
        if (_logicalBytes + _opBytes + size > _maxLogicalBytes)
        {
            return false;
        }

        StageInsert(item.Account, item.Namespace, hash, item.TimestampMs, item.ExpiryMs, data, size, item.TimeMs);
        return true;
    }

    private bool StageRepairTombstone(SyncItem item, long now)
    {
        if (item.ExpiryMs <= now || item.Key.Length is 0 or > StorageLayout.MaxHashLength || !IsStorableHash(item.Key))
        {
            return false;
        }

        var account = item.Account.Span;
        ReadOnlySpan<byte> hash = item.Key;
        if (HasTombstone(account, hash, now))
        {
            return false;
        }

        Span<byte> existing = stackalloc byte[StorageLayout.HashValueLength];
        if (TryGetHashValue(hash, existing))
        {
            var key = StorageLayout.HashValueKey(existing);
            if (StorageLayout.KeyAccount(key).SequenceEqual(account))
            {
                StageDelete(key, hash, StorageLayout.HashValueExpiry(existing), StorageLayout.HashValueSize(existing));
            }
        }

        StageTombstone(account, item.Namespace, hash, item.ExpiryMs, item.TimeMs);
        return true;
    }

    private bool StageRepairRevocation(SyncItem item) => StageRepairRevocationState(item, revoke: true);

    private bool StageRepairUnrevocation(SyncItem item) => StageRepairRevocationState(item, revoke: false);

    /// <summary>
    /// Applies a received revocation (<paramref name="revoke"/>) or unrevocation unless this node already
    /// holds the same state, or the opposite one from a later time (ties go to the unrevocation).
    /// </summary>
    private bool StageRepairRevocationState(SyncItem item, bool revoke)
    {
        if (item.Key.Length != SubaccountToken.Length)
        {
            return false;
        }

        Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
        var token = SubaccountToken.FromBytes(item.Key);
        WriteRevokedKey(key, item.Account, token);
        var (same, opposite) = revoke ? (_revoked, _unrevoked) : (_unrevoked, _revoked);
        if (_db.HasKey(key, same))
        {
            return false;
        }

        var oppositeValue = _db.Get(key, opposite);
        if (oppositeValue is not null)
        {
            var oppositeTime = BinaryPrimitives.ReadInt64BigEndian(oppositeValue);
            if (revoke ? oppositeTime >= item.TimeMs : oppositeTime > item.TimeMs)
            {
                return false;
            }
        }

        if (revoke)
        {
            StageRevoke(item.Account, [token], item.TimeMs);
        }
        else
        {
            StageUnrevoke(item.Account, token, item.TimeMs);
            StageUnrevocationLimit(item.Account, [token]);
        }

        return true;
    }

    private static bool IsStorableHash(ReadOnlySpan<byte> hash)
    {
        foreach (var b in hash)
        {
            if (b is 0 or > 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    // ---- tombstones ----

    /// <summary>
    /// Stages a tombstone for a user-deleted message until its original expiry (none if already expired),
    /// replacing any earlier tombstone of the hash. Called explicitly by the user-delete paths only.
    /// </summary>
    private void StageTombstone(ReadOnlySpan<byte> account, Namespace ns, ReadOnlySpan<byte> hash, long expiryMs, long deletedAtMs)
    {
        if (expiryMs <= deletedAtMs)
        {
            return;
        }

        StageTombstoneRemoval(account, hash);
        Span<byte> key = stackalloc byte[StorageLayout.MaxTombstoneKeyLength];
        Span<byte> value = stackalloc byte[StorageLayout.TombstoneValueLength];
        StorageLayout.WriteTombstoneValue(value, ns, expiryMs, deletedAtMs);
        var length = StorageLayout.WriteTombstoneAccountKey(key, account, hash);
        _batch.Put(key[..length], value, _tombs);
        length = StorageLayout.WriteTombstoneExpiryKey(key, expiryMs, account, hash);
        _batch.Put(key[..length], ReadOnlySpan<byte>.Empty, _tombs);
        StageFingerprint(account, TombstoneFingerprint(account, hash), +1);
    }

    /// <summary>Stages removal of the account's tombstone for the hash, if any.</summary>
    private void StageTombstoneRemoval(ReadOnlySpan<byte> account, ReadOnlySpan<byte> hash)
    {
        Span<byte> value = stackalloc byte[StorageLayout.TombstoneValueLength];
        if (!TryGetTombstone(account, hash, value))
        {
            return;
        }

        Span<byte> key = stackalloc byte[StorageLayout.MaxTombstoneKeyLength];
        var length = StorageLayout.WriteTombstoneAccountKey(key, account, hash);
        _batch.Delete(key[..length], _tombs);
        length = StorageLayout.WriteTombstoneExpiryKey(key, StorageLayout.TombstoneExpiry(value), account, hash);
        _batch.Delete(key[..length], _tombs);
        StageFingerprint(account, TombstoneFingerprint(account, hash), -1);
    }

    /// <summary>True if the account's hash has an unexpired tombstone (expired ones await the sweeper).</summary>
    private bool HasTombstone(ReadOnlySpan<byte> account, ReadOnlySpan<byte> hash, long now)
    {
        Span<byte> value = stackalloc byte[StorageLayout.TombstoneValueLength];
        return TryGetTombstone(account, hash, value) && StorageLayout.TombstoneExpiry(value) > now;
    }

    /// <summary>Reads the account's tombstone for the hash into <paramref name="value"/> (18 bytes); false if none.</summary>
    private bool TryGetTombstone(ReadOnlySpan<byte> account, ReadOnlySpan<byte> hash, Span<byte> value)
    {
        Span<byte> key = stackalloc byte[StorageLayout.MaxTombstoneKeyLength];
        var length = StorageLayout.WriteTombstoneAccountKey(key, account, hash);
        return _db.GetFixedSizeValue(key[..length], value[..StorageLayout.TombstoneValueLength], _tombs);
    }

    /// <summary>Deletes up to one batch of tombstones whose original expiry is ≤ now; returns how many.</summary>
    private int SweepTombstoneBatch(long now)
    {
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                var count = 0;
                Span<byte> start = [StorageLayout.TombstoneByExpiry];
                Span<byte> accountKey = stackalloc byte[StorageLayout.MaxTombstoneKeyLength];
                using (var it = _db.NewIterator(_tombs, _totalOrderRead))
                {
                    for (it.Seek(start); it.Valid() && count < SweepBatchSize; it.Next())
                    {
                        var key = it.KeySpan();
                        if (key[0] != StorageLayout.TombstoneByExpiry
                            || StorageLayout.DecodeSigned(BinaryPrimitives.ReadUInt64BigEndian(key[1..])) > now)
                        {
                            break;
                        }

                        var account = key.Slice(9, AccountId.Length);
                        var hash = key[(9 + AccountId.Length)..];
                        _batch.Delete(key, _tombs);
                        var length = StorageLayout.WriteTombstoneAccountKey(accountKey, account, hash);
                        _batch.Delete(accountKey[..length], _tombs);
                        StageFingerprint(account, TombstoneFingerprint(account, hash), -1);
                        count++;
                    }

                    ThrowIfIteratorFailed(it);
                }

                Commit();
                return count;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    // ---- scans ----

    private void AddAccountMessages(in AccountId account, long asOfMs, List<SyncItem> items)
    {
        var batch = new List<SyncItem>();
        ScanAccount(account, null, (key, record) =>
        {
            if (StorageLayout.RecordExpiry(record) > asOfMs)
            {
                batch.Add(MessageItem(key, record, changeTimeMs: 0));
            }
        });

        // Change times live in the hash family.
        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];
        foreach (var item in batch)
        {
            var time = TryGetHashValue(item.Key, hashValue) ? StorageLayout.HashValueChangeTime(hashValue) : 0;
            items.Add(item with { TimeMs = time });
        }
    }

    private static void AddWhereUnexpired(IEnumerable<SyncItem> source, long asOfMs, List<SyncItem> items)
    {
        foreach (var item in source)
        {
            if (item.ExpiryMs > asOfMs)
            {
                items.Add(item);
            }
        }
    }

    private static SyncItem MessageItem(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, long changeTimeMs)
        => new(
            SyncItemKind.Message,
            AccountId.FromBytes(StorageLayout.KeyAccount(key)),
            StorageLayout.KeyNamespace(key),
            StorageLayout.RecordHash(record).ToArray(),
            StorageLayout.RecordExpiry(record),
            changeTimeMs);

    /// <summary>Tombstones of one account (<paramref name="account"/> non-empty) or of all.</summary>
    private IEnumerable<SyncItem> ScanTombstones(ReadOnlyMemory<byte> account)
    {
        var prefix = new byte[1 + account.Length];
        prefix[0] = StorageLayout.TombstoneByAccount;
        account.Span.CopyTo(prefix.AsSpan(1));
        using var it = _db.NewIterator(_tombs, _totalOrderRead);
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            var key = it.KeySpan();
            if (!key.StartsWith(prefix))
            {
                break;
            }

            var value = it.ValueSpan();
            yield return new SyncItem(
                SyncItemKind.Tombstone,
                AccountId.FromBytes(key.Slice(1, AccountId.Length)),
                StorageLayout.TombstoneNamespace(value),
                key[(1 + AccountId.Length)..].ToArray(),
                StorageLayout.TombstoneExpiry(value),
                StorageLayout.TombstoneDeletedAt(value));
        }

        ThrowIfIteratorFailed(it);
    }

    /// <summary>Revocations then unrevocations of one account (<paramref name="account"/> non-empty) or of all.</summary>
    private IEnumerable<SyncItem> ScanRevocationItems(ReadOnlyMemory<byte> account)
    {
        foreach (var revoked in new[] { true, false })
        {
            using var it = _db.NewIterator(revoked ? _revoked : _unrevoked, _totalOrderRead);
            if (account.IsEmpty)
            {
                it.SeekToFirst();
            }
            else
            {
                it.Seek(account.Span);
            }

            for (; it.Valid(); it.Next())
            {
                var key = it.KeySpan();
                if (!key.StartsWith(account.Span))
                {
                    break;
                }

                yield return new SyncItem(
                    revoked ? SyncItemKind.Revocation : SyncItemKind.Unrevocation,
                    AccountId.FromBytes(key[..AccountId.Length]),
                    default,
                    key[AccountId.Length..].ToArray(),
                    long.MaxValue,
                    BinaryPrimitives.ReadInt64BigEndian(it.ValueSpan()));
            }

            ThrowIfIteratorFailed(it);
        }
    }
}
