using SessionNode.Core;

namespace SessionNode.Storage;

/// <summary>
/// Message counts for the operator statistics (storage.md §3.9): every stored message (expired but not
/// yet swept included, as <see cref="MessageStore.MessageCount"/> and the reference count them).
/// </summary>
/// <param name="Total">Messages stored.</param>
/// <param name="PerAccount">Message count of each account that has messages, in account byte order.</param>
/// <param name="PerNamespace">Message count of each namespace that has messages, by namespace id.</param>
public sealed record MessageCounts(long Total, IReadOnlyList<int> PerAccount, IReadOnlyDictionary<short, long> PerNamespace);

public sealed partial class MessageStore
{
    /// <summary>
    /// Counts the stored messages per account and per namespace over one consistent view (one pass over
    /// the <c>msgs</c> keys, whose account ‖ namespace prefix groups them). Costs a full scan: for the
    /// on-demand admin statistics only, never on a request path.
    /// </summary>
    public MessageCounts CountMessages()
    {
        ThrowIfDisposed();
        var perAccount = new List<int>();
        var perNamespace = new SortedDictionary<short, long>();
        Span<byte> current = stackalloc byte[AccountId.Length];
        var inAccount = 0;
        long total = 0;
        using var it = _db.NewIterator(_messages, _totalOrderRead);
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            var key = it.KeySpan();
            var account = StorageLayout.KeyAccount(key);
            if (inAccount > 0 && !account.SequenceEqual(current))
            {
                perAccount.Add(inAccount);
                inAccount = 0;
            }

            account.CopyTo(current);
            inAccount++;
            total++;
            var ns = StorageLayout.KeyNamespace(key).Id;
            perNamespace[ns] = perNamespace.GetValueOrDefault(ns) + 1;
        }

        ThrowIfIteratorFailed(it);
        if (inAccount > 0)
        {
            perAccount.Add(inAccount);
        }

        return new MessageCounts(total, perAccount, perNamespace);
    }

    /// <summary>
    /// Bytes the database occupies on disk (tables, blob files, WAL and metadata in its directory): the
    /// counterpart of the reference's SQLite file size (<c>db_total</c>, storage.md §3.9). 0 if the
    /// directory cannot be read.
    /// </summary>
    public long DiskBytes()
    {
        ThrowIfDisposed();
        try
        {
            long total = 0;
            foreach (var file in new DirectoryInfo(_path).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                try
                {
                    total += file.Length;
                }
                catch (FileNotFoundException)
                {
                    // A table or log file removed by a compaction or flush since it was listed.
                }
            }

            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
