using SessionNode.Core;
using SessionNode.Storage.Rocks;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Streams every account this node holds anything for — messages (expired-not-swept included),
    /// tombstones, revocations or unrevocations — each once, in byte order. Merges the <c>accounts</c>
    /// family with the account keys of <c>tombs</c>, <c>revoked</c> and <c>unrevoked</c>, moving past
    /// each listed account with a few steps and at most one seek per family, so nothing is materialised. Each family is read
    /// through its own iterator (an implicit view taken when the enumeration starts); dispose the
    /// enumeration to release them.
    /// </summary>
    public IEnumerable<AccountId> EnumerateHeldAccounts()
    {
        ThrowIfDisposed();
        return EnumerateHeldAccountsCore();
    }

    private IEnumerable<AccountId> EnumerateHeldAccountsCore()
    {
        using var accounts = _db.NewIterator(_accounts, _totalOrderRead);
        using var tombs = _db.NewIterator(_tombs, _totalOrderRead);
        using var revoked = _db.NewIterator(_revoked, _totalOrderRead);
        using var unrevoked = _db.NewIterator(_unrevoked, _totalOrderRead);
        var scan = new HeldScan(accounts, tombs, revoked, unrevoked);
        scan.Start();
        while (scan.TryNext(out var account))
        {
            yield return account;
        }

        ThrowIfIteratorFailed(accounts);
        ThrowIfIteratorFailed(tombs);
        ThrowIfIteratorFailed(revoked);
        ThrowIfIteratorFailed(unrevoked);
    }

    /// <summary>
    /// The merge behind <see cref="EnumerateHeldAccounts"/>: four iterators whose keys start with an
    /// account (tombstones after their 1-byte 'a' kind), each positioned at the first key of an account
    /// not yet listed.
    /// </summary>
    private sealed class HeldScan(Iterator accounts, Iterator tombs, Iterator revoked, Iterator unrevoked)
    {
        /// <summary>
        /// Steps tried before seeking past an account (RocksDB's own iterator makes the same trade with
        /// max_sequential_skip_in_iterations = 8): most accounts have one key per family, and seeking past
        /// every account made the listing 4× slower (105 vs 27 ms for 140 k accounts, benchmarks/README.md).
        /// </summary>
        private const int StepsBeforeSeek = 4;

        private static readonly byte[] TombstonesByAccount = [StorageLayout.TombstoneByAccount];

        public void Start()
        {
            accounts.SeekToFirst();
            tombs.Seek(TombstonesByAccount);
            revoked.SeekToFirst();
            unrevoked.SeekToFirst();
        }

        /// <summary>The smallest account any family is positioned at; every family is then moved past it.</summary>
        public bool TryNext(out AccountId account)
        {
            account = default;
            Span<byte> smallest = stackalloc byte[AccountId.Length];
            var found = false;
            found |= Consider(Current(accounts, tombstones: false), smallest, found);
            found |= Consider(Current(tombs, tombstones: true), smallest, found);
            found |= Consider(Current(revoked, tombstones: false), smallest, found);
            found |= Consider(Current(unrevoked, tombstones: false), smallest, found);
            if (!found)
            {
                return false;
            }

            account = AccountId.FromBytes(smallest);
            Span<byte> next = stackalloc byte[1 + AccountId.Length];
            var hasNext = StorageLayout.TryNextAccount(smallest, next[1..]);
            next[0] = StorageLayout.TombstoneByAccount;
            SkipPast(accounts, tombstones: false, smallest, hasNext, next[1..]);
            SkipPast(tombs, tombstones: true, smallest, hasNext, next);
            SkipPast(revoked, tombstones: false, smallest, hasNext, next[1..]);
            SkipPast(unrevoked, tombstones: false, smallest, hasNext, next[1..]);
            return true;
        }

        /// <summary>Copies <paramref name="candidate"/> into <paramref name="smallest"/> if it is smaller (or the first); true if non-empty.</summary>
        private static bool Consider(ReadOnlySpan<byte> candidate, Span<byte> smallest, bool found)
        {
            if (candidate.IsEmpty)
            {
                return false;
            }

            if (!found || candidate.SequenceCompareTo(smallest) < 0)
            {
                candidate.CopyTo(smallest);
            }

            return true;
        }

        /// <summary>
        /// Moves an iterator positioned at <paramref name="listed"/> to the first key of a later account:
        /// a few steps first (most accounts have one key per family; a step is far cheaper than a seek),
        /// then one seek to <paramref name="seekKey"/> for an account with many keys.
        /// </summary>
        private static void SkipPast(Iterator it, bool tombstones, ReadOnlySpan<byte> listed, bool hasNext, ReadOnlySpan<byte> seekKey)
        {
            if (!Current(it, tombstones).SequenceEqual(listed))
            {
                return;
            }

            for (var step = 0; step < StepsBeforeSeek; step++)
            {
                it.Next();
                if (!Current(it, tombstones).SequenceEqual(listed))
                {
                    return;
                }
            }

            if (hasNext)
            {
                it.Seek(seekKey);
            }
            else
            {
                // The largest possible account: nothing can follow it.
                it.SeekToLast();
                it.Next();
            }
        }

        private static ReadOnlySpan<byte> Current(Iterator it, bool tombstones) =>
            tombstones ? TombstoneAccountOf(it) : AccountOf(it, 0);

        /// <summary>The account at the start of the current key, or empty when the iterator is done.</summary>
        private static ReadOnlySpan<byte> AccountOf(Iterator it, int offset)
        {
            if (!it.Valid())
            {
                return default;
            }

            var key = it.KeySpan();
            return key.Length >= offset + AccountId.Length ? key.Slice(offset, AccountId.Length) : default;
        }

        /// <summary>As <see cref="AccountOf"/> for an 'a' tombstone key; empty once past them (the 'e' keys).</summary>
        private static ReadOnlySpan<byte> TombstoneAccountOf(Iterator it)
        {
            if (!it.Valid() || it.KeySpan()[0] != StorageLayout.TombstoneByAccount)
            {
                return default;
            }

            return AccountOf(it, 1);
        }
    }
}
