using System.Buffers.Binary;
using SessionNode.Core;
using SessionNode.Storage.Rocks;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>Per-message size estimate of retrieve's max_size budget: 100 + len(hash) + floor(len(data)·4/3).</summary>
    private const int RetrieveSizeOverhead = 100;

    /// <summary>
    /// Lists one mailbox in insertion order (storage.md §3.3, client-rpc.md §9.2): messages after
    /// <paramref name="lastHash"/> when it names an unexpired message of this (account, namespace),
    /// else from the start. Stops before a message when <paramref name="maxCount"/> were taken
    /// (values below 1 count as 1), or when the running size estimate exceeds
    /// <paramref name="maxSize"/> and at least one message was taken; <c>More</c> is false when the
    /// end of the mailbox was reached. Null limits are unlimited; expired messages are skipped.
    /// </summary>
    public RetrieveResult Retrieve(in AccountId account, Namespace ns, string? lastHash, int? maxCount, int? maxSize)
    {
        var sink = new ListSink(account, ns, maxCount);
        var more = Retrieve(account, ns, lastHash, maxCount, maxSize, sink);
        return new RetrieveResult(sink.Messages, more);
    }

    /// <summary>
    /// <see cref="Retrieve(in AccountId, Namespace, string?, int?, int?)"/> without materializing the
    /// messages: each one is handed to <paramref name="sink"/> straight from the iterator (its spans are
    /// valid only during the call; a struct sink is called without boxing). Returns <c>More</c>.
    /// </summary>
    public bool Retrieve<TSink>(in AccountId account, Namespace ns, string? lastHash, int? maxCount, int? maxSize, TSink sink)
        where TSink : IRetrieveSink
    {
        ArgumentNullException.ThrowIfNull(sink);
        ThrowIfDisposed();
        var now = NowMs();
        Span<byte> start = stackalloc byte[StorageLayout.MessageKeyLength];
        StorageLayout.WriteMailboxPrefix(start, account, ns);
        var startLength = StorageLayout.MailboxPrefixLength;

        if (!string.IsNullOrEmpty(lastHash))
        {
            Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];
            if (TryGetHashValue(lastHash, hashValue)
                && StorageLayout.HashValueKey(hashValue).StartsWith(start[..StorageLayout.MailboxPrefixLength])
                && StorageLayout.HashValueExpiry(hashValue) > now)
            {
                // Seek to the sequence just after it: seqs are never reused, so this is exact.
                var seq = StorageLayout.KeySeq(StorageLayout.HashValueKey(hashValue));
                BinaryPrimitives.WriteUInt64BigEndian(start[StorageLayout.MailboxPrefixLength..], seq + 1);
                startLength = StorageLayout.MessageKeyLength;
            }
        }

        var limit = maxCount is { } count ? Math.Max(count, 1) : int.MaxValue;
        var taken = 0;
        var more = false;
        long total = 0;
        var prefix = start[..StorageLayout.MailboxPrefixLength];

        using (var it = _db.NewIterator(_messages, _accountRead))
        {
            for (it.Seek(start[..startLength]); it.Valid(); it.Next())
            {
                var key = it.KeySpan();
                if (!key.StartsWith(prefix))
                {
                    break;
                }

                var record = it.ValueSpan();
                var expiry = StorageLayout.RecordExpiry(record);
                if (expiry <= now)
                {
                    continue;
                }

                if (taken >= limit)
                {
                    more = true;
                    break;
                }

                var hash = StorageLayout.RecordHash(record);
                var data = StorageLayout.RecordData(record);
                total += RetrieveSizeOverhead + hash.Length + (data.Length * 4L / 3);
                if (maxSize is { } max && taken > 0 && total > max)
                {
                    more = true;
                    break;
                }

                sink.Add(hash, StorageLayout.RecordTimestamp(record), expiry, data);
                taken++;
            }

            ThrowIfIteratorFailed(it);
        }

        return more;
    }

    /// <summary>Current expiries of the listed hashes that exist, belong to the account and are unexpired.</summary>
    public IReadOnlyDictionary<string, long> GetExpiries(in AccountId account, IReadOnlyList<string> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        ThrowIfDisposed();
        var now = NowMs();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];
        foreach (var hash in hashes)
        {
            if (TryGetHashValue(hash, hashValue)
                && StorageLayout.KeyAccount(StorageLayout.HashValueKey(hashValue)).SequenceEqual(account.Span)
                && StorageLayout.HashValueExpiry(hashValue) is var expiry && expiry > now)
            {
                result[hash] = expiry;
            }
        }

        return result;
    }

    /// <summary>The unexpired message with this hash, whoever owns it (storage.md §3.5); null if none.</summary>
    public StoredMessage? GetByHash(string hash)
    {
        ThrowIfDisposed();
        var now = NowMs();
        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];
        if (!TryGetHashValue(hash, hashValue) || StorageLayout.HashValueExpiry(hashValue) <= now)
        {
            return null;
        }

        var key = StorageLayout.HashValueKey(hashValue);
        var record = _db.Get(key, _messages);
        if (record is null)
        {
            return null; // deleted between the two reads
        }

        var expiry = StorageLayout.RecordExpiry(record);
        return expiry <= now ? null : ToMessage(key, record, expiry);
    }

    /// <summary>
    /// Streams every unexpired message of the accounts accepted by <paramref name="ownerFilter"/>
    /// (called once per account), ordered by account, namespace and insertion. The enumeration reads
    /// one consistent view of the database taken when it starts; dispose it to release that view.
    /// </summary>
    public IEnumerable<StoredMessage> EnumerateMessages(Func<AccountId, bool> ownerFilter)
    {
        ArgumentNullException.ThrowIfNull(ownerFilter);
        ThrowIfDisposed();
        return EnumerateMessagesCore(ownerFilter);
    }

    /// <summary>Streams the accounts that have at least one stored message (expired-not-swept included), in byte order.</summary>
    public IEnumerable<AccountId> EnumerateAccounts()
    {
        ThrowIfDisposed();
        return EnumerateAccountsCore();
    }

    private IEnumerable<StoredMessage> EnumerateMessagesCore(Func<AccountId, bool> ownerFilter)
    {
        var now = NowMs();
        using var it = _db.NewIterator(_messages, _totalOrderRead);
        it.SeekToFirst();
        var cursor = new AccountCursor(ownerFilter);
        while (NextVisible(it, cursor, now) is { } message)
        {
            yield return message;
        }

        ThrowIfIteratorFailed(it);
    }

    private IEnumerable<AccountId> EnumerateAccountsCore()
    {
        using var it = _db.NewIterator(_accounts, _totalOrderRead);
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            yield return AccountId.FromBytes(it.KeySpan());
        }

        ThrowIfIteratorFailed(it);
    }

    /// <summary>Advances to the next unexpired message of an accepted account and returns it (iterator left after it).</summary>
    private static StoredMessage? NextVisible(Iterator it, AccountCursor cursor, long now)
    {
        Span<byte> nextAccount = stackalloc byte[AccountId.Length];
        while (it.Valid())
        {
            var key = it.KeySpan();
            var account = StorageLayout.KeyAccount(key);
            if (!cursor.Accepts(account))
            {
                if (!StorageLayout.TryNextAccount(account, nextAccount))
                {
                    return null;
                }

                it.Seek(nextAccount);
                continue;
            }

            var record = it.ValueSpan();
            var expiry = StorageLayout.RecordExpiry(record);
            if (expiry > now)
            {
                var message = ToMessage(key, record, expiry);
                it.Next();
                return message;
            }

            it.Next();
        }

        return null;
    }

    private static StoredMessage ToMessage(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, long expiry)
        => new(
            AccountId.FromBytes(StorageLayout.KeyAccount(key)),
            StorageLayout.KeyNamespace(key),
            StorageLayout.DecodeHash(StorageLayout.RecordHash(record)),
            StorageLayout.RecordTimestamp(record),
            expiry,
            StorageLayout.RecordData(record).ToArray());

    /// <summary>Collects a retrieve's messages as <see cref="StoredMessage"/>s.</summary>
    private sealed class ListSink(AccountId account, Namespace ns, int? maxCount) : IRetrieveSink
    {
        public List<StoredMessage> Messages { get; } = new(Math.Clamp(maxCount ?? 64, 1, 64));

        public void Add(ReadOnlySpan<byte> hash, long timestampMs, long expiryMs, ReadOnlySpan<byte> data)
            => Messages.Add(new StoredMessage(account, ns, StorageLayout.DecodeHash(hash), timestampMs, expiryMs, data.ToArray()));
    }

    /// <summary>Remembers the owner filter's verdict for the account being scanned.</summary>
    private sealed class AccountCursor(Func<AccountId, bool> filter)
    {
        private AccountId _current;
        private bool _hasCurrent;
        private bool _accepted;

        public bool Accepts(ReadOnlySpan<byte> account)
        {
            if (!_hasCurrent || !account.SequenceEqual(_current.Span))
            {
                _current = AccountId.FromBytes(account);
                _hasCurrent = true;
                _accepted = filter(_current);
            }

            return _accepted;
        }
    }
}
