using RocksDbSharp;

namespace SessionNode.Storage;

/// <summary>
/// RocksDB options for the store, sized for a 2–8 GB VPS: one shared LRU block cache (which also holds
/// index and filter blocks, so table readers stay bounded) plus a db-wide memtable budget. Stateless.
/// </summary>
internal static class RocksDbTuning
{
    private const ulong MiB = 1024 * 1024;

    /// <summary>kDataBlockBinaryAndHash: point lookups inside a data block use a hash index.</summary>
    private const int DataBlockBinaryAndHash = 1;

    /// <summary>~1% false positives: the hash family's Get() on a new hash is almost always answered by the filter.</summary>
    private const int BloomBitsPerKey = 10;

    public static DbOptions CreateDbOptions(MessageStoreOptions options)
    {
        return new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            // Flushes and compactions in the background; small VPSes have 1–4 cores.
            .IncreaseParallelism(Math.Clamp(Environment.ProcessorCount, 2, 4))
            // Memtables of all families together; RocksDB flushes the largest when exceeded.
            .SetDbWriteBufferSize((ulong)options.WriteBufferBytes)
            // Rarely written families (meta, revoked) would otherwise pin old WAL files forever.
            .SetMaxTotalWalSize(4 * (ulong)options.WriteBufferBytes)
            // RocksDB's own LOG: warnings only, 3 × 8 MiB at most.
            .SetInfoLogLevel(InfoLogLevel.Warn)
            .SetMaxLogFileSize(8 * MiB)
            .SetKeepLogFileNum(3)
            // Replay the WAL up to the first torn record after a crash (the default, stated explicitly).
            .SetWalRecoveryMode(Recovery.PointInTime);
    }

    public static ColumnFamilies CreateColumnFamilies(Cache blockCache)
    {
        // Message payloads are end-to-end encrypted, hashes are random base64: compression would only cost CPU.
        var families = new ColumnFamilies(Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: false, wholeKeyFilter: true, hashIndex: false)));

        // msgs: read by mailbox prefix scans. A 35-byte prefix extractor gives prefix blooms so a
        // retrieve of an empty or unknown mailbox skips SST files; 16 KiB blocks suit sequential scans.
        // Point reads here always hit (the key comes from the hash index), so no whole-key filter.
        var messages = Family(32 * MiB, Table(blockCache, 16 * 1024, bloom: true, wholeKeyFilter: false, hashIndex: false))
            .SetPrefixExtractor(SliceTransform.CreateFixedPrefix(StorageLayout.MailboxPrefixLength))
            // 5% of the msgs memtable for a prefix bloom: cheap negative Seeks on recent data.
            .SetMemtablePrefixBloomSizeRatio(0.05);
        families.Add(StorageLayout.MessagesFamily, messages);

        // hash: point lookups on every store (mostly misses), on deletes and expiry updates.
        families.Add(StorageLayout.HashFamily, Family(16 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: true)));

        // expiry: only scanned from the front by the sweeper.
        families.Add(StorageLayout.ExpiryFamily, Family(8 * MiB, Table(blockCache, 16 * 1024, bloom: false, wholeKeyFilter: true, hashIndex: false)));

        // accounts: one point lookup per committed write operation and account.
        families.Add(StorageLayout.AccountsFamily, Family(8 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: true)));

        // revoked: IsRevoked is a point lookup on account ‖ token.
        families.Add(StorageLayout.RevokedFamily, Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: true, wholeKeyFilter: true, hashIndex: true)));

        // meta: schema version and the counters, rewritten by every write operation.
        families.Add(StorageLayout.MetaFamily, Family(4 * MiB, Table(blockCache, 4 * 1024, bloom: false, wholeKeyFilter: true, hashIndex: false)));
        return families;
    }

    private static ColumnFamilyOptions Family(ulong writeBufferBytes, BlockBasedTableOptions table)
    {
        return new ColumnFamilyOptions()
            .SetWriteBufferSize(writeBufferBytes)
            .SetMaxWriteBufferNumber(2)
            .SetCompression(Compression.No)
            .SetBlockBasedTableFactory(table);
    }

    private static BlockBasedTableOptions Table(Cache blockCache, ulong blockSize, bool bloom, bool wholeKeyFilter, bool hashIndex)
    {
        var table = new BlockBasedTableOptions()
            .SetBlockCache(blockCache)
            .SetBlockSize(blockSize)
            // Index and filter blocks live in (and are bounded by) the block cache; L0's stay pinned
            // because every read consults them.
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetWholeKeyFiltering(wholeKeyFilter);
        Native.Instance.rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(table.Handle, 1);
        if (bloom)
        {
            table.SetFilterPolicy(BloomFilterPolicy.Create(BloomBitsPerKey, use_block_based_builder: false));
        }

        if (hashIndex)
        {
            Native.Instance.rocksdb_block_based_options_set_data_block_index_type(table.Handle, DataBlockBinaryAndHash);
        }

        return table;
    }
}
