using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Sum of the logical sizes (as in <see cref="LogicalBytes"/>, expired-not-swept included) of the
    /// messages of the accounts accepted by <paramref name="ownerFilter"/> (called once per account), over
    /// one consistent view. Skips rejected accounts with one seek each and copies nothing.
    /// </summary>
    public long LogicalBytesOf(Func<AccountId, bool> ownerFilter)
    {
        ArgumentNullException.ThrowIfNull(ownerFilter);
        ThrowIfDisposed();
        var cursor = new AccountCursor(ownerFilter);
        Span<byte> nextAccount = stackalloc byte[AccountId.Length];
        long total = 0;
        using var it = _db.NewIterator(_messages, _totalOrderRead);
        it.SeekToFirst();
        while (it.Valid())
        {
            var account = StorageLayout.KeyAccount(it.KeySpan());
            if (!cursor.Accepts(account))
            {
                if (!StorageLayout.TryNextAccount(account, nextAccount))
                {
                    break;
                }

                it.Seek(nextAccount);
                continue;
            }

            total += StorageLayout.LogicalSize(it.ValueSpan());
            it.Next();
        }

        ThrowIfIteratorFailed(it);
        return total;
    }
}
