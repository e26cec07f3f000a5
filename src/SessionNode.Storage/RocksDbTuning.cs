using SessionNode.Core;
using SessionNode.Storage.Rocks;

namespace SessionNode.Storage;

/// <summary>
/// RocksDB options for the store, sized for a node that should stay near 150 MB RSS: one shared LRU cache
/// that holds data, index and filter blocks (so table readers stay bounded) and is also charged for
/// the memtables (a write buffer manager), so a single capacity bounds RocksDB's memory. Stateless.
/// </summary>
internal static class RocksDbTuning
{
    private const ulong MiB = 1024 * 1024;

    /// <summary>kDataBlockBinaryAndHash: point lookups inside a data block use a hash index.</summary>
    private const int DataBlockBinaryAndHash = 1;

    /// <summary>~1% false positives: the hash family's Get() on a new hash is almost always answered by the filter.</summary>
    private const int BloomBitsPerKey = 10;

    /// <summary>
    /// Buckets of the hash-bucketed memtables: about one per entry of a full msgs memtable
    /// (~150 k small messages); 8 bytes each, 0.8 MiB per memtable, charged to the write buffer.
    /// </summary>
    private const ulong MemtableBuckets = 100_000;

    /// <summary>Per-bucket skiplists hold few entries: RocksDB's defaults (height 4, branching 4).</summary>
    private const int SkipListHeight = 4;

    private const int SkipListBranching = 4;

    /// <summary>
    /// Smallest msgs record (header + hash + data) stored in a blob file. Typical 1:1 messages (a few
    /// hundred bytes) stay inline, where a mailbox scan reads them from one data block.
    /// </summary>
    private const ulong MinBlobBytes = 2048;

    /// <summary>Blob file size: small files let expiry reclaim space in small steps on a small node.</summary>
    private const ulong BlobFileBytes = 32 * MiB;

    /// <summary>Every msgs table is rewritten at least this often (keys and small records only; blobs stay).</summary>
    private const ulong PeriodicCompactionSeconds = 3 * 24 * 3600;

    /// <summary>
    /// Shards of the shared cache (2^bits). RocksDB's default for 64 MiB is 64 shards of 1 MiB, and an
    /// entry lives in one shard: the memtable reservations (256 KiB each) and the full filter blocks of
    /// large tables (hundreds of KiB) then evicted each other on every store, which re-read and
    /// re-checksummed a filter block inside the write path. Four shards of 16 MiB hold them; with
    /// one writer and a few readers per core the cache mutex is not contended.
    /// </summary>
    private const int CacheShardBits = 2;

    /// <summary>The shared cache: room for <see cref="MessageStoreOptions.BlockCacheBytes"/> of blocks next to full memtables.</summary>
    public static LruCache CreateCache(MessageStoreOptions options)
        => LruCache.Create(checked((ulong)(options.BlockCacheBytes + options.WriteBufferBytes)), CacheShardBits);

    public static DbOptions CreateDbOptions(MessageStoreOptions options, LruCache cache)
    {
        var dbOptions = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            // Flushes and compactions in the background; small VPSes have 1–4 cores.
            .IncreaseParallelism(Math.Clamp(Environment.ProcessorCount, 2, 4))
            // Our writer lock already serialises writes; CAS-based concurrent memtable inserts only cost.
            .SetAllowConcurrentMemtableWrite(false)
            // Rarely written families (meta, revoked) would otherwise pin old WAL files forever.
            .SetMaxTotalWalSize(4 * (ulong)options.WriteBufferBytes)
            // RocksDB's own LOG: warnings only, 3 × 8 MiB at most.
            .SetInfoLogLevel(InfoLogLevel.Warn)
            .SetMaxLogFileSize(8 * MiB)
            .SetKeepLogFileNum(3)
            // Replay the WAL up to the first torn record after a crash (the default, stated explicitly).
            .SetWalRecoveryMode(Recovery.PointInTime)
            // Memtables of all families together (db_write_buffer_size; RocksDB flushes the largest when
            // exceeded), reserved in the shared cache as they grow: blocks get what the memtables leave.
            // No stall: the writer lock already keeps writes sequential, and flushes catch up.
            .SetWriteBufferManager((ulong)options.WriteBufferBytes, cache);
        return dbOptions;
    }

    public static ColumnFamilies CreateColumnFamilies(LruCache blockCache)
    {
        // Message payloads are end-to-end encrypted, hashes are random base64: compression would only cost CPU.
        var families = new ColumnFamilies(Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: false, wholeKeyFilter: true, hashIndex: false)));

        // msgs: key account ‖ ns ‖ seq, read by prefix scans within one account. The account is the
        // prefix: SST prefix blooms let a retrieve of an unknown account skip files, and a
        // hash-bucketed memtable (one small skiplist per account) makes inserts O(1) instead of a
        // search of one big skiplist in random account order, the main cost of a store. Scans
        // across accounts (hand-off enumeration) pay for a full sort of the memtable instead.
        // 16 KiB blocks suit sequential scans; point reads always hit, so no whole-key filter.
        // 16 MiB memtables: two of them fit the default 32 MiB budget (a 10 KB-message store load
        // fills one in about 1/4 s; larger ones only raised RSS, not throughput). Up to 4 of them:
        // with 2, writes stopped for ~300 ms whenever two were waiting for a flush (the budget
        // switches memtables early), while the budget still triggers flushes at 32 MiB.
        var messages = Family(16 * MiB, Table(blockCache, 16 * 1024, bloom: true, wholeKeyFilter: false, hashIndex: false))
            .SetMaxWriteBufferNumber(4)
            .SetFixedPrefixExtractor(AccountId.Length)
            .SetHashSkipListRep(MemtableBuckets, SkipListHeight, SkipListBranching)
            // 5% of the memtable for a prefix bloom: cheap negative seeks on recent data.
            .SetMemtablePrefixBloomSizeRatio(0.05);
        EnableBlobFiles(messages);
        families.Add(StorageLayout.MessagesFamily, messages);

        // hash: point lookups on every store (mostly misses), on deletes and expiry updates; never
        // scanned. Hash-bucketed memtable on the first 8 key bytes (random in real hashes) plus a
        // 2% whole-key memtable bloom that answers most misses.
        var hashes = Family(8 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: true))
            .SetFixedPrefixExtractor(StorageLayout.HashKeyPrefixLength)
            .SetHashSkipListRep(MemtableBuckets, SkipListHeight, SkipListBranching)
            .SetMemtablePrefixBloomSizeRatio(0.02)
            .SetMemtableWholeKeyFiltering(true);
        families.Add(StorageLayout.HashFamily, hashes);

        // expiry: only scanned from the front by the sweeper.
        families.Add(StorageLayout.ExpiryFamily, Family(8 * MiB, Table(blockCache, 16 * 1024, bloom: false, wholeKeyFilter: true, hashIndex: false)));

        // accounts: the set of accounts with messages; probed when a store meets an account not cached as known.
        families.Add(StorageLayout.AccountsFamily, Family(8 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: true)));

        // revoked: IsRevoked is a point lookup on account ‖ token.
        families.Add(StorageLayout.RevokedFamily, Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: true)));

        // tombs (user-deleted hashes until their original expiry) and unrevoked (unrevocation times):
        // small, point lookups on repair plus prefix scans per account.
        families.Add(StorageLayout.TombstoneFamily, Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: false)));
        families.Add(StorageLayout.UnrevokedFamily, Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: false)));

        // meta: schema version and the counters, rewritten by every write operation.
        families.Add(StorageLayout.MetaFamily, Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: false, wholeKeyFilter: true, hashIndex: false)));
        return families;
    }

    /// <summary>
    /// Records of at least <see cref="MinBlobBytes"/> keep only a reference in the msgs tables and their
    /// bytes in blob files, written once at flush. Without this every large message was rewritten by
    /// each L0→L1 compaction (account-ordered keys of random accounts: every new file overlaps all of
    /// L1), which took ~43 % of the node's CPU under a 10 KB store load. Space of deleted and expired
    /// messages comes back per file: a blob file is deleted once compaction has dropped every record
    /// it holds. No blob garbage collection: relocating live records of old files during every
    /// compaction cost more than the rewrites it replaced (messages expire roughly in write order, so
    /// whole files die), and a periodic compaction makes sure deletions reach every level within days.
    /// </summary>
    private static void EnableBlobFiles(ColumnFamilyOptions family)
    {
        family.SetEnableBlobFiles(true)
            .SetMinBlobSize(MinBlobBytes)
            .SetBlobFileSize(BlobFileBytes)
            .SetEnableBlobGc(false)
            .SetPeriodicCompactionSeconds(PeriodicCompactionSeconds);
    }

    private static ColumnFamilyOptions Family(ulong writeBufferBytes, BlockBasedTableOptions table)
    {
        return new ColumnFamilyOptions()
            .SetWriteBufferSize(writeBufferBytes)
            .SetMaxWriteBufferNumber(2)
            .SetCompression(Compression.No)
            .SetBlockBasedTableFactory(table);
    }

    private static BlockBasedTableOptions Table(LruCache blockCache, ulong blockSize, bool bloom, bool wholeKeyFilter, bool hashIndex)
    {
        var table = new BlockBasedTableOptions()
            .SetBlockSize(blockSize)
            // Index and filter blocks live in (and are bounded by) the block cache; L0's stay pinned
            // because every read consults them.
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetWholeKeyFiltering(wholeKeyFilter)
            .SetBlockCache(blockCache)
            .SetCacheIndexAndFilterBlocksWithHighPriority(true);
        if (bloom)
        {
            // Full filters (rocksdb_filterpolicy_create_bloom_full), as the store has always written.
            table.SetBloomFilter(BloomBitsPerKey);
        }

        if (hashIndex)
        {
            table.SetDataBlockIndexType(DataBlockBinaryAndHash);
        }

        return table;
    }
}
