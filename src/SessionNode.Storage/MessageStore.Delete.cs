using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Deletes the account's messages (any namespace) with the listed hashes; returns the deleted
    /// hashes sorted ordinally. Expired-but-unswept matches are removed too but not reported.
    /// </summary>
    public IReadOnlyList<string> DeleteByHash(in AccountId account, IReadOnlyList<string> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var now = NowMs();
        var deleted = new List<string>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        Span<byte> hashBytes = stackalloc byte[StorageLayout.MaxHashLength];
        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];

        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                foreach (var hash in hashes)
                {
                    if (!distinct.Add(hash)
                        || !StorageLayout.TryEncodeHash(hash, hashBytes, out var length)
                        || !TryGetHashValue(hashBytes[..length], hashValue))
                    {
                        continue;
                    }

                    var key = StorageLayout.HashValueKey(hashValue);
                    if (!StorageLayout.KeyAccount(key).SequenceEqual(account.Span))
                    {
                        continue;
                    }

                    var expiry = StorageLayout.HashValueExpiry(hashValue);
                    StageDelete(key, hashBytes[..length], expiry, StorageLayout.HashValueSize(hashValue));
                    StageTombstone(account.Span, StorageLayout.KeyNamespace(key), hashBytes[..length], expiry, now);
                    if (expiry > now)
                    {
                        deleted.Add(hash);
                    }
                }

                Commit();
            }
            finally
            {
                EndOperation();
            }
        }

        deleted.Sort(StringComparer.Ordinal);
        return deleted;
    }

    /// <summary>Deletes every message of the account in one namespace; returns their hashes sorted ordinally.</summary>
    public IReadOnlyList<string> DeleteAll(in AccountId account, Namespace ns)
        => HashesOf(DeleteWhere(account, ns, static (_, _) => true));

    /// <summary>Deletes every message of the account; returns (namespace, hash) sorted by hash.</summary>
    public IReadOnlyList<(Namespace Namespace, string Hash)> DeleteAll(in AccountId account)
        => DeleteWhere(account, null, static (_, _) => true);

    /// <summary>Deletes the account's messages in one namespace whose timestamp is ≤ <paramref name="beforeMs"/>.</summary>
    public IReadOnlyList<string> DeleteBefore(in AccountId account, Namespace ns, long beforeMs)
        => HashesOf(DeleteWhere(account, ns, (record, _) => StorageLayout.RecordTimestamp(record) <= beforeMs));

    /// <summary>
    /// Deletes the account's messages in every namespace whose timestamp is ≤ <paramref name="beforeMs"/>;
    /// returns (namespace, hash) sorted by hash (the intended behaviour of storage.md §3.7).
    /// </summary>
    public IReadOnlyList<(Namespace Namespace, string Hash)> DeleteBefore(in AccountId account, long beforeMs)
        => DeleteWhere(account, null, (record, _) => StorageLayout.RecordTimestamp(record) <= beforeMs);

    private static List<string> HashesOf(List<(Namespace Namespace, string Hash)> pairs)
    {
        var hashes = new List<string>(pairs.Count);
        foreach (var (_, hash) in pairs)
        {
            hashes.Add(hash);
        }

        return hashes;
    }

    /// <summary>
    /// Scans one mailbox (or all of the account's when <paramref name="ns"/> is null) and deletes the
    /// messages matching <paramref name="match"/>, in one batch. Expired matches are deleted but not
    /// reported. Result sorted by hash (ordinal).
    /// </summary>
    private List<(Namespace Namespace, string Hash)> DeleteWhere(in AccountId account, Namespace? ns, RecordPredicate match)
    {
        var now = NowMs();
        var deleted = new List<(Namespace, string)>();
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                ScanAccount(account, ns, (key, record) =>
                {
                    if (!match(record, key))
                    {
                        return;
                    }

                    var expiry = StorageLayout.RecordExpiry(record);
                    var hash = StorageLayout.RecordHash(record);
                    StageDelete(key, hash, expiry, StorageLayout.LogicalSize(record));
                    StageTombstone(StorageLayout.KeyAccount(key), StorageLayout.KeyNamespace(key), hash, expiry, now);
                    if (expiry > now)
                    {
                        deleted.Add((StorageLayout.KeyNamespace(key), StorageLayout.DecodeHash(hash)));
                    }
                });
                Commit();
            }
            finally
            {
                EndOperation();
            }
        }

        deleted.Sort(static (a, b) => string.CompareOrdinal(a.Item2, b.Item2));
        return deleted;
    }

    /// <summary>Calls <paramref name="visit"/> with (key, record) for each message of a mailbox or of the whole account.</summary>
    private void ScanAccount(in AccountId account, Namespace? ns, RecordVisitor visit)
    {
        Span<byte> prefix = stackalloc byte[StorageLayout.MailboxPrefixLength];
        int prefixLength;
        if (ns is { } mailbox)
        {
            StorageLayout.WriteMailboxPrefix(prefix, account, mailbox);
            prefixLength = StorageLayout.MailboxPrefixLength;
        }
        else
        {
            account.Span.CopyTo(prefix);
            prefixLength = AccountId.Length;
        }

        var seek = prefix[..prefixLength];
        using var it = _db.NewIterator(_messages, _accountRead);
        for (it.Seek(seek); it.Valid(); it.Next())
        {
            var key = it.KeySpan();
            if (!key.StartsWith(seek))
            {
                break;
            }

            visit(key, it.ValueSpan());
        }

        ThrowIfIteratorFailed(it);
    }

    private delegate bool RecordPredicate(ReadOnlySpan<byte> record, ReadOnlySpan<byte> key);

    private delegate void RecordVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record);
}
