using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SessionNode.Core;
using SessionNode.Storage.Rocks;

namespace SessionNode.Storage;

/// <summary>
/// The node's message database on RocksDB (storage.md §2–§4). Every write operation is one atomic
/// WriteBatch built under a single writer lock; reads take no lock and see a consistent view through
/// RocksDB iterators. Reads filter expired messages themselves; <see cref="SweepExpired"/> only reclaims
/// space. The counters are owned by the writer lock and published with volatile writes.
/// </summary>
public sealed partial class MessageStore : IDisposable
{
    /// <summary>Full results are logged only every this many occurrences (as the reference does).</summary>
    private const int FullLogEvery = 100;

    /// <summary>
    /// Accounts remembered as present, so a store to a known account skips the accounts-family
    /// lookup (a few µs). 262 144 covers the accounts of a busy swarm; × ~48 B ≈ 12 MiB at most.
    /// Cleared when full.
    /// </summary>
    private const int KnownAccountsCapacity = 262_144;

    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _messages;
    private readonly ColumnFamilyHandle _hashes;
    private readonly ColumnFamilyHandle _expiries;
    private readonly ColumnFamilyHandle _accounts;
    private readonly ColumnFamilyHandle _revoked;
    private readonly ColumnFamilyHandle _meta;
    private readonly ColumnFamilyHandle _tombs;
    private readonly ColumnFamilyHandle _unrevoked;
    private readonly LruCache _blockCache;
    private readonly ReadOptions _accountRead;
    private readonly ReadOptions _totalOrderRead;
    private readonly WriteOptions _writeOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<MessageStore> _logger;
    private readonly long _maxLogicalBytes;

    // State below is only touched while holding _writeLock.
    private readonly Lock _writeLock = new();
    private readonly WriteBatch _batch = new();
    private readonly Dictionary<AccountId, AccountChange> _accountChanges = [];
    private readonly HashSet<AccountId> _knownAccounts = [];
    private readonly byte[] _recordBuffer = new byte[StorageLayout.MaxRecordLength];
    private ulong _opSeq;
    private long _opMessages;
    private long _opBytes;
    private long _fullCount;
    private long _sweepFrom = long.MinValue;
    private string _path = string.Empty;

    // StoreMany's view of its uncommitted write: hashes and public outboxes it changed (StageStore).
    private readonly HashSet<int> _groupHashes = [];
    private readonly HashSet<(AccountId, Namespace)> _groupOutboxes = [];
    private bool _grouping;

    // Published counters: written under _writeLock, read anywhere.
    private long _seq;
    private long _messageCount;
    private long _logicalBytes;
    private long _accountCount;
    private long _writeCount;
    private volatile bool _disposed;

    private MessageStore(RocksDb db, LruCache blockCache, TimeProvider time, ILogger<MessageStore> logger, long maxLogicalBytes)
    {
        _db = db;
        _blockCache = blockCache;
        _time = time;
        _logger = logger;
        _maxLogicalBytes = maxLogicalBytes;
        _messages = db.GetColumnFamily(StorageLayout.MessagesFamily);
        _hashes = db.GetColumnFamily(StorageLayout.HashFamily);
        _expiries = db.GetColumnFamily(StorageLayout.ExpiryFamily);
        _accounts = db.GetColumnFamily(StorageLayout.AccountsFamily);
        _revoked = db.GetColumnFamily(StorageLayout.RevokedFamily);
        _meta = db.GetColumnFamily(StorageLayout.MetaFamily);
        _tombs = db.GetColumnFamily(StorageLayout.TombstoneFamily);
        _unrevoked = db.GetColumnFamily(StorageLayout.UnrevokedFamily);

        // Mailbox and account scans of msgs stay inside one account (the family's prefix), so they
        // use the prefix blooms and the hash-bucketed memtable directly.
        _accountRead = new ReadOptions().SetPrefixSameAsStart(true);

        // Scans across accounts (and of families without a prefix extractor) need total order.
        _totalOrderRead = new ReadOptions().SetTotalOrderSeek(true);

        // No fsync: the WAL write() reaches the OS before Write returns, which survives a process
        // crash (kill -9); only a machine crash can lose the last acknowledged writes (README.md).
        _writeOptions = new WriteOptions().SetSync(false);
    }

    /// <summary>Number of stored messages, including expired ones not yet swept.</summary>
    public long MessageCount => Volatile.Read(ref _messageCount);

    /// <summary>Number of accounts with at least one stored message (expired-not-swept included).</summary>
    public long AccountCount => Volatile.Read(ref _accountCount);

    /// <summary>Sum of the logical sizes of stored messages (README.md), compared with the cap.</summary>
    public long LogicalBytes => Volatile.Read(ref _logicalBytes);

    /// <summary>RocksDB write batches committed by write operations since open (one WAL append each).</summary>
    public long WriteCount => Volatile.Read(ref _writeCount);

    /// <summary>The configured cap on <see cref="LogicalBytes"/>.</summary>
    public long MaxLogicalBytes => _maxLogicalBytes;

    /// <summary>
    /// Opens (creating if missing) the store in <see cref="MessageStoreOptions.Path"/>. Throws
    /// <see cref="StorageSchemaException"/> if the directory holds another schema version, and the
    /// RocksDB exception on I/O errors or corruption.
    /// </summary>
    public static MessageStore Open(MessageStoreOptions options, TimeProvider time, ILogger<MessageStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var validation = new MessageStoreOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        Directory.CreateDirectory(options.Path);
        var blockCache = RocksDbTuning.CreateCache(options);
        RocksDb db;
        try
        {
            // RocksDB copies the options at open; the native objects go right after.
            using var dbOptions = RocksDbTuning.CreateDbOptions(options, blockCache);
            var families = RocksDbTuning.CreateColumnFamilies(blockCache);
            try
            {
                if (RocksDb.TryListColumnFamilies(dbOptions, options.Path, out var existing)
                    && !existing.Contains(StorageLayout.MetaFamily, StringComparer.Ordinal))
                {
                    throw new StorageSchemaException(
                        $"'{options.Path}' holds a RocksDB database that is not a SessionNode message store (no '{StorageLayout.MetaFamily}' column family).");
                }

                db = RocksDb.Open(dbOptions, options.Path, families);
            }
            finally
            {
                foreach (var family in families)
                {
                    family.Value.Dispose();
                }
            }
        }
        catch
        {
            blockCache.Dispose();
            throw;
        }

        MessageStore? store = null;
        try
        {
            store = new MessageStore(db, blockCache, time, logger ?? NullLogger<MessageStore>.Instance, options.MaxLogicalBytes);
            store._path = options.Path;
            store.LoadState(options.Path);
            store.LogOpened(options.Path, store.MessageCount, store.AccountCount, store.LogicalBytes);
            return store;
        }
        catch
        {
            if (store is not null)
            {
                store.Dispose();
            }
            else
            {
                db.Dispose();
                blockCache.Dispose();
            }

            throw;
        }
    }

    /// <summary>Closes the database. Call only after every reader and writer has stopped.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _batch.Dispose();
            _db.Dispose();
            _blockCache.Dispose();
        }
    }

    /// <summary>Compacts every family, memtables included (benchmarks settle a pre-filled store with it).</summary>
    internal void CompactAll()
    {
        ThrowIfDisposed();
        foreach (var family in new[] { _messages, _hashes, _expiries, _accounts, _revoked, _meta, _tombs, _unrevoked })
        {
            _db.CompactRange((byte[]?)null, null, family);
        }
    }

    private void LoadState(string path)
    {
        Span<byte> schema = stackalloc byte[4];
        if (_db.GetFixedSizeValue(StorageLayout.SchemaKey, schema, _meta))
        {
            var found = BinaryPrimitives.ReadUInt32BigEndian(schema);
            if (found == StorageLayout.SchemaVersionV1)
            {
                UpgradeFromV1();
                LogUpgraded(path, StorageLayout.SchemaVersionV1, StorageLayout.SchemaVersion);
            }
            else if (found != StorageLayout.SchemaVersion)
            {
                throw new StorageSchemaException(
                    $"The message store at '{path}' has schema version {found}; this build requires version {StorageLayout.SchemaVersion}. Move the directory away or migrate it.");
            }
        }
        else
        {
            using (var it = _db.NewIterator(_messages, _totalOrderRead))
            {
                if (it.SeekToFirst().Valid())
                {
                    throw new StorageSchemaException($"The message store at '{path}' has messages but no schema version.");
                }
            }

            BinaryPrimitives.WriteUInt32BigEndian(schema, StorageLayout.SchemaVersion);
            _db.Put(StorageLayout.SchemaKey, schema, _meta, _writeOptions);
        }

        Span<byte> state = stackalloc byte[StorageLayout.StateValueLength];
        if (_db.GetFixedSizeValue(StorageLayout.StateKey, state, _meta))
        {
            _seq = BinaryPrimitives.ReadInt64BigEndian(state);
            _messageCount = BinaryPrimitives.ReadInt64BigEndian(state[8..]);
            _logicalBytes = BinaryPrimitives.ReadInt64BigEndian(state[16..]);
            _accountCount = BinaryPrimitives.ReadInt64BigEndian(state[24..]);
        }

        RebuildLeaves();
    }

    /// <summary>
    /// Schema 1 → 2 in place: every hash value gains an expiry change time of 0 (older than any change
    /// made afterwards), in batches; the new families already exist (created at open). Then the version.
    /// </summary>
    private void UpgradeFromV1()
    {
        const int UpgradeBatch = 10_000;
        using var batch = new WriteBatch();
        Span<byte> value = stackalloc byte[StorageLayout.HashValueLength];
        using (var it = _db.NewIterator(_hashes, _totalOrderRead))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                var old = it.ValueSpan();
                if (old.Length != StorageLayout.HashValueLengthV1)
                {
                    continue;
                }

                old.CopyTo(value);
                BinaryPrimitives.WriteInt64BigEndian(value[StorageLayout.HashValueLengthV1..], 0);
                batch.Put(it.KeySpan(), value, _hashes);
                if (batch.Count() >= UpgradeBatch)
                {
                    _db.Write(batch, _writeOptions);
                    batch.Clear();
                }
            }

            ThrowIfIteratorFailed(it);
        }

        Span<byte> schema = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(schema, StorageLayout.SchemaVersion);
        batch.Put(StorageLayout.SchemaKey, schema, _meta);
        _db.Write(batch, _writeOptions);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // ---- write-operation helpers (all called under _writeLock) ----

    /// <summary>Starts a write operation; pairs with <see cref="EndOperation"/> in a finally block.</summary>
    private void BeginOperation()
    {
        ThrowIfDisposed();
        _opSeq = (ulong)_seq;
        _opMessages = 0;
        _opBytes = 0;
    }

    /// <summary>Discards whatever the operation staged (after a commit it is already empty).</summary>
    private void EndOperation()
    {
        _batch.Clear();
        _accountChanges.Clear();
        _pendingFingerprintCount = 0;
        _opMessages = 0;
        _opBytes = 0;
    }

    private ulong NextSeq() => ++_opSeq;

    /// <summary>Notes that the operation inserts a message for the account (it exists afterwards).</summary>
    private void NoteInsert(in AccountId account)
        => CollectionsMarshal.GetValueRefOrAddDefault(_accountChanges, account, out _).Inserted = true;

    /// <summary>Notes that the operation deletes one of the account's messages.</summary>
    private void NoteDelete(ReadOnlySpan<byte> account)
        => CollectionsMarshal.GetValueRefOrAddDefault(_accountChanges, AccountId.FromBytes(account), out _).Deleted++;

    /// <summary>
    /// Stages an insert of a brand-new message into all three indexes. The caller has checked the
    /// hash is absent (or staged the deletion of its expired predecessor).
    /// </summary>
    private void StageInsert(in AccountId account, Namespace ns, ReadOnlySpan<byte> hash, long timestampMs, long expiryMs, ReadOnlySpan<byte> data, long size, long changeTimeMs)
    {
        Span<byte> key = stackalloc byte[StorageLayout.MessageKeyLength];
        StorageLayout.WriteMessageKey(key, account, ns, NextSeq());
        var recordLength = StorageLayout.WriteRecord(_recordBuffer, expiryMs, timestampMs, hash, data);
        _batch.Put(key, _recordBuffer.AsSpan(0, recordLength), _messages);

        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];
        StorageLayout.WriteHashValue(hashValue, key, expiryMs, size, changeTimeMs);
        Span<byte> pad = stackalloc byte[StorageLayout.HashKeyPrefixLength];
        _batch.Put(StorageLayout.HashKey(hash, pad), hashValue, _hashes);

        StageExpiryEntry(expiryMs, key, hash, size, shortened: false);
        StageFingerprint(account.Span, MessageFingerprint(account.Span, ns, hash, expiryMs), +1);

        _opMessages++;
        _opBytes += size;
        NoteInsert(account);
    }

    private void StageExpiryEntry(long expiryMs, ReadOnlySpan<byte> messageKey, ReadOnlySpan<byte> hash, long size, bool shortened)
    {
        Span<byte> expiryKey = stackalloc byte[StorageLayout.ExpiryKeyLength];
        Span<byte> expiryValue = stackalloc byte[StorageLayout.ExpiryValueHeaderLength + StorageLayout.MaxHashLength];
        StorageLayout.WriteExpiryKey(expiryKey, expiryMs, messageKey);
        var length = StorageLayout.WriteExpiryValue(expiryValue, messageKey, size, hash, shortened);
        _batch.Put(expiryKey, expiryValue[..length], _expiries);
        if (expiryMs < _sweepFrom)
        {
            _sweepFrom = expiryMs;
        }
    }

    private void StageExpiryDelete(long expiryMs, ReadOnlySpan<byte> messageKey)
    {
        Span<byte> expiryKey = stackalloc byte[StorageLayout.ExpiryKeyLength];
        StorageLayout.WriteExpiryKey(expiryKey, expiryMs, messageKey);
        _batch.Delete(expiryKey, _expiries);
    }

    /// <summary>
    /// Stages removal of one message from all three indexes (and the digest). Writes no tombstone: the
    /// user-delete paths stage one explicitly (<see cref="StageTombstone"/>).
    /// </summary>
    private void StageDelete(ReadOnlySpan<byte> messageKey, ReadOnlySpan<byte> hash, long expiryMs, long size)
    {
        var account = StorageLayout.KeyAccount(messageKey);
        StageFingerprint(account, MessageFingerprint(account, StorageLayout.KeyNamespace(messageKey), hash, expiryMs), -1);
        _batch.Delete(messageKey, _messages);
        Span<byte> pad = stackalloc byte[StorageLayout.HashKeyPrefixLength];
        _batch.Delete(StorageLayout.HashKey(hash, pad), _hashes);
        StageExpiryDelete(expiryMs, messageKey);
        _opMessages--;
        _opBytes -= size;
        NoteDelete(StorageLayout.KeyAccount(messageKey));
    }

    /// <summary>
    /// Stages a new expiry for an existing message: the record (its header holds the expiry), the
    /// hash value and the expiry index entry. <paramref name="record"/> is the current msgs value.
    /// </summary>
    private void StageExpiryChange(ReadOnlySpan<byte> messageKey, ReadOnlySpan<byte> record, long newExpiryMs, long changeTimeMs)
    {
        var oldExpiry = StorageLayout.RecordExpiry(record);
        var hash = StorageLayout.RecordHash(record);
        var size = StorageLayout.LogicalSize(record);
        var account = StorageLayout.KeyAccount(messageKey);
        var ns = StorageLayout.KeyNamespace(messageKey);
        StageFingerprint(account, MessageFingerprint(account, ns, hash, oldExpiry), -1);
        StageFingerprint(account, MessageFingerprint(account, ns, hash, newExpiryMs), +1);

        var copy = _recordBuffer.AsSpan(0, record.Length);
        record.CopyTo(copy);
        StorageLayout.SetRecordExpiry(copy, newExpiryMs);
        _batch.Put(messageKey, copy, _messages);

        Span<byte> hashValue = stackalloc byte[StorageLayout.HashValueLength];
        StorageLayout.WriteHashValue(hashValue, messageKey, newExpiryMs, size, changeTimeMs);
        Span<byte> pad = stackalloc byte[StorageLayout.HashKeyPrefixLength];
        _batch.Put(StorageLayout.HashKey(hash, pad), hashValue, _hashes);

        StageExpiryDelete(oldExpiry, messageKey);
        StageExpiryEntry(newExpiryMs, messageKey, hash, size, shortened: newExpiryMs < oldExpiry);
    }

    /// <summary>
    /// Updates the accounts family for the accounts this operation touched, stages the counters and
    /// writes the batch; publishes the new counters only after RocksDB accepted the write.
    /// </summary>
    private void Commit()
    {
        var accountsDelta = _accountChanges.Count > 0 ? StageAccountChanges() : 0;
        var changedSeq = (long)_opSeq != _seq;
        if (_batch.Count() == 0 && !changedSeq)
        {
            return;
        }

        var seq = (long)_opSeq;
        var messages = _messageCount + _opMessages;
        var bytes = _logicalBytes + _opBytes;
        var accounts = _accountCount + accountsDelta;
        Span<byte> state = stackalloc byte[StorageLayout.StateValueLength];
        BinaryPrimitives.WriteInt64BigEndian(state, seq);
        BinaryPrimitives.WriteInt64BigEndian(state[8..], messages);
        BinaryPrimitives.WriteInt64BigEndian(state[16..], bytes);
        BinaryPrimitives.WriteInt64BigEndian(state[24..], accounts);
        _batch.Put(StorageLayout.StateKey, state, _meta);

        _db.Write(_batch, _writeOptions);
        ApplyFingerprints();
        Volatile.Write(ref _writeCount, _writeCount + 1);

        _seq = seq;
        Volatile.Write(ref _messageCount, messages);
        Volatile.Write(ref _logicalBytes, bytes);
        Volatile.Write(ref _accountCount, accounts);
        foreach (var (account, change) in _accountChanges)
        {
            if (change.Inserted)
            {
                if (_knownAccounts.Count >= KnownAccountsCapacity)
                {
                    _knownAccounts.Clear();
                }

                _knownAccounts.Add(account);
            }
            else if (change.Emptied)
            {
                _knownAccounts.Remove(account);
            }
        }
    }

    /// <summary>
    /// Stages account additions (first message) and removals (last message deleted); returns the
    /// change of the account count. An account that only lost messages is empty iff the database
    /// (which does not see this batch yet) holds no more of its messages than the batch deletes:
    /// every deleted key was read from the database exactly once.
    /// </summary>
    private long StageAccountChanges()
    {
        long delta = 0;
        Iterator? probe = null;
        try
        {
            foreach (var (account, change) in _accountChanges)
            {
                if (change.Inserted)
                {
                    // Known accounts are present: skip the lookup (the common case of a store).
                    if (!_knownAccounts.Contains(account) && !_db.HasKey(account.Span, _accounts))
                    {
                        _batch.Put(account.Span, ReadOnlySpan<byte>.Empty, _accounts);
                        delta++;
                    }

                    continue;
                }

                probe ??= _db.NewIterator(_messages, _accountRead);
                if (CountMessages(probe, account.Span, limit: change.Deleted + 1) <= change.Deleted)
                {
                    _batch.Delete(account.Span, _accounts);
                    CollectionsMarshal.GetValueRefOrNullRef(_accountChanges, account).Emptied = true;
                    delta--;
                }
            }

            if (probe is not null)
            {
                ThrowIfIteratorFailed(probe);
            }
        }
        finally
        {
            probe?.Dispose();
        }

        return delta;
    }

    /// <summary>Counts the account's stored messages (expired included), stopping at <paramref name="limit"/>.</summary>
    private static long CountMessages(Iterator it, ReadOnlySpan<byte> account, long limit)
    {
        long count = 0;
        for (it.Seek(account); count < limit && it.Valid() && it.KeySpan().StartsWith(account); it.Next())
        {
            count++;
        }

        return count;
    }

    /// <summary>What one write operation does to one account.</summary>
    private struct AccountChange
    {
        /// <summary>A message is inserted: the account exists afterwards.</summary>
        public bool Inserted;

        /// <summary>Messages deleted (the account may become empty).</summary>
        public long Deleted;

        /// <summary>Set when the operation removes the account.</summary>
        public bool Emptied;
    }

    // ---- read helpers ----

    /// <summary>Looks up the hash index; false if the hash is unknown or not storable.</summary>
    private bool TryGetHashValue(string? hash, Span<byte> hashValue)
    {
        Span<byte> hashBytes = stackalloc byte[StorageLayout.MaxHashLength];
        return StorageLayout.TryEncodeHash(hash, hashBytes, out var length)
            && TryGetHashValue(hashBytes[..length], hashValue);
    }

    /// <summary>Looks up the hash index by the hash's ASCII bytes.</summary>
    private bool TryGetHashValue(ReadOnlySpan<byte> hash, Span<byte> hashValue)
    {
        Span<byte> pad = stackalloc byte[StorageLayout.HashKeyPrefixLength];
        return _db.GetFixedSizeValue(StorageLayout.HashKey(hash, pad), hashValue, _hashes);
    }

    private static void ThrowIfIteratorFailed(Iterator iterator) => iterator.ThrowIfFailed();

    private static int EncodeHashOrThrow(string hash, Span<byte> dest, string paramName)
    {
        if (!StorageLayout.TryEncodeHash(hash, dest, out var length))
        {
            ThrowBadHash(hash, paramName);
        }

        return length;
    }

    [DoesNotReturn]
    private static void ThrowBadHash(string? hash, string paramName)
    {
        var reason = hash is null || hash.Length == 0 ? "is empty"
            : hash.Length > StorageLayout.MaxHashLength ? $"has {hash.Length} characters (at most {StorageLayout.MaxHashLength} allowed)"
            : "contains NUL or non-ASCII characters";
        throw new ArgumentException($"Message hash {reason}.", paramName);
    }

    [DoesNotReturn]
    private static void ThrowDataTooLarge(int length, string paramName)
        => throw new ArgumentException($"Message data is {length} bytes; at most {Limits.MaxMessageBytes} bytes are allowed.", paramName);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Message store opened at {Path}: {Messages} messages, {Accounts} accounts, {Bytes} logical bytes")]
    private partial void LogOpened(string path, long messages, long accounts, long bytes);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Message store is full ({Bytes} of {MaxBytes} logical bytes); store rejected ({Count} rejections so far)")]
    private partial void LogFull(long bytes, long maxBytes, long count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Swept {Count} expired messages")]
    private partial void LogSwept(int count);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Message store at {Path} upgraded in place from schema {From} to {To}")]
    private partial void LogUpgraded(string path, uint from, uint to);
}
