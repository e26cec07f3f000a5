namespace SessionNode.Storage.Rocks;

/// <summary>RocksDB's InfoLogLevel.</summary>
public enum InfoLogLevel
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
    Fatal = 4,
    Header = 5,
}

/// <summary>RocksDB's WALRecoveryMode.</summary>
public enum Recovery
{
    TolerateCorruptedTailRecords = 0,
    AbsoluteConsistency = 1,
    PointInTime = 2,
    SkipAnyCorruptedRecords = 3,
}

/// <summary>RocksDB's CompressionType (the values the store may use).</summary>
public enum Compression
{
    No = 0,
    Snappy = 1,
    Zlib = 2,
    Bz2 = 3,
    Lz4 = 4,
    Lz4hc = 5,
    Xpress = 6,
    Zstd = 7,
}

/// <summary>A <c>rocksdb_options_t</c>: database-wide settings (also the default family's options on a plain open).</summary>
public sealed class DbOptions() : NativeObject(RocksDbApi.OptionsCreate(), "options")
{
    ~DbOptions() => Release();

    public DbOptions SetCreateIfMissing(bool value)
    {
        RocksDbApi.OptionsSetCreateIfMissing(Handle, Flag(value));
        return this;
    }

    public DbOptions SetCreateMissingColumnFamilies(bool value)
    {
        RocksDbApi.OptionsSetCreateMissingColumnFamilies(Handle, Flag(value));
        return this;
    }

    public DbOptions IncreaseParallelism(int totalThreads)
    {
        RocksDbApi.OptionsIncreaseParallelism(Handle, totalThreads);
        return this;
    }

    public DbOptions SetAllowConcurrentMemtableWrite(bool value)
    {
        RocksDbApi.OptionsSetAllowConcurrentMemtableWrite(Handle, Flag(value));
        return this;
    }

    public DbOptions SetMaxTotalWalSize(ulong bytes)
    {
        RocksDbApi.OptionsSetMaxTotalWalSize(Handle, bytes);
        return this;
    }

    public DbOptions SetInfoLogLevel(InfoLogLevel level)
    {
        RocksDbApi.OptionsSetInfoLogLevel(Handle, (int)level);
        return this;
    }

    public DbOptions SetMaxLogFileSize(ulong bytes)
    {
        RocksDbApi.OptionsSetMaxLogFileSize(Handle, checked((nuint)bytes));
        return this;
    }

    public DbOptions SetKeepLogFileNum(ulong count)
    {
        RocksDbApi.OptionsSetKeepLogFileNum(Handle, checked((nuint)count));
        return this;
    }

    public DbOptions SetWalRecoveryMode(Recovery mode)
    {
        RocksDbApi.OptionsSetWalRecoveryMode(Handle, (int)mode);
        return this;
    }

    /// <summary>
    /// Memtables of all families together are limited to <paramref name="bytes"/> and reserved in
    /// <paramref name="cache"/> as they grow; no write stall. The options keep their own reference.
    /// </summary>
    public DbOptions SetWriteBufferManager(ulong bytes, LruCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var manager = RocksDbApi.WriteBufferManagerCreateWithCache(checked((nuint)bytes), cache.Handle, 0);
        if (manager == 0)
        {
            throw new RocksDbException("RocksDB could not create the write buffer manager.");
        }

        RocksDbApi.OptionsSetWriteBufferManager(Handle, manager);
        RocksDbApi.WriteBufferManagerDestroy(manager);
        return this;
    }

    internal static byte Flag(bool value) => value ? (byte)1 : (byte)0;

    private protected override void Free(nint handle) => RocksDbApi.OptionsDestroy(handle);
}

/// <summary>A <c>rocksdb_options_t</c> used as one column family's options.</summary>
public sealed class ColumnFamilyOptions() : NativeObject(RocksDbApi.OptionsCreate(), "column family options")
{
    ~ColumnFamilyOptions() => Release();

    public ColumnFamilyOptions SetWriteBufferSize(ulong bytes)
    {
        RocksDbApi.OptionsSetWriteBufferSize(Handle, checked((nuint)bytes));
        return this;
    }

    public ColumnFamilyOptions SetMaxWriteBufferNumber(int count)
    {
        RocksDbApi.OptionsSetMaxWriteBufferNumber(Handle, count);
        return this;
    }

    public ColumnFamilyOptions SetCompression(Compression compression)
    {
        RocksDbApi.OptionsSetCompression(Handle, (int)compression);
        return this;
    }

    /// <summary>Builds the family's table factory from a copy of <paramref name="table"/> (which may be disposed afterwards).</summary>
    public ColumnFamilyOptions SetBlockBasedTableFactory(BlockBasedTableOptions table)
    {
        ArgumentNullException.ThrowIfNull(table);
        RocksDbApi.OptionsSetBlockBasedTableFactory(Handle, table.Handle);
        return this;
    }

    /// <summary>The first <paramref name="length"/> key bytes are the prefix (prefix blooms, hash memtables).</summary>
    public ColumnFamilyOptions SetFixedPrefixExtractor(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var transform = RocksDbApi.SliceTransformCreateFixedPrefix((nuint)length);
        if (transform == 0)
        {
            throw new RocksDbException("RocksDB could not create the prefix extractor.");
        }

        RocksDbApi.OptionsSetPrefixExtractor(Handle, transform); // owned by the options from here
        return this;
    }

    public ColumnFamilyOptions SetHashSkipListRep(ulong bucketCount, int skipListHeight, int branchingFactor)
    {
        RocksDbApi.OptionsSetHashSkipListRep(Handle, checked((nuint)bucketCount), skipListHeight, branchingFactor);
        return this;
    }

    public ColumnFamilyOptions SetMemtablePrefixBloomSizeRatio(double ratio)
    {
        RocksDbApi.OptionsSetMemtablePrefixBloomSizeRatio(Handle, ratio);
        return this;
    }

    public ColumnFamilyOptions SetMemtableWholeKeyFiltering(bool value)
    {
        RocksDbApi.OptionsSetMemtableWholeKeyFiltering(Handle, DbOptions.Flag(value));
        return this;
    }

    public ColumnFamilyOptions SetEnableBlobFiles(bool value)
    {
        RocksDbApi.OptionsSetEnableBlobFiles(Handle, DbOptions.Flag(value));
        return this;
    }

    public ColumnFamilyOptions SetMinBlobSize(ulong bytes)
    {
        RocksDbApi.OptionsSetMinBlobSize(Handle, bytes);
        return this;
    }

    public ColumnFamilyOptions SetBlobFileSize(ulong bytes)
    {
        RocksDbApi.OptionsSetBlobFileSize(Handle, bytes);
        return this;
    }

    public ColumnFamilyOptions SetEnableBlobGc(bool value)
    {
        RocksDbApi.OptionsSetEnableBlobGc(Handle, DbOptions.Flag(value));
        return this;
    }

    public ColumnFamilyOptions SetPeriodicCompactionSeconds(ulong seconds)
    {
        RocksDbApi.OptionsSetPeriodicCompactionSeconds(Handle, seconds);
        return this;
    }

    private protected override void Free(nint handle) => RocksDbApi.OptionsDestroy(handle);
}

/// <summary>A <c>rocksdb_block_based_table_options_t</c>.</summary>
public sealed class BlockBasedTableOptions() : NativeObject(RocksDbApi.BlockBasedOptionsCreate(), "table options")
{
    ~BlockBasedTableOptions() => Release();

    public BlockBasedTableOptions SetBlockSize(ulong bytes)
    {
        RocksDbApi.BlockBasedOptionsSetBlockSize(Handle, checked((nuint)bytes));
        return this;
    }

    public BlockBasedTableOptions SetCacheIndexAndFilterBlocks(bool value)
    {
        RocksDbApi.BlockBasedOptionsSetCacheIndexAndFilterBlocks(Handle, DbOptions.Flag(value));
        return this;
    }

    public BlockBasedTableOptions SetCacheIndexAndFilterBlocksWithHighPriority(bool value)
    {
        RocksDbApi.BlockBasedOptionsSetCacheIndexAndFilterBlocksWithHighPriority(Handle, DbOptions.Flag(value));
        return this;
    }

    public BlockBasedTableOptions SetPinL0FilterAndIndexBlocksInCache(bool value)
    {
        RocksDbApi.BlockBasedOptionsSetPinL0FilterAndIndexBlocksInCache(Handle, DbOptions.Flag(value));
        return this;
    }

    public BlockBasedTableOptions SetWholeKeyFiltering(bool value)
    {
        RocksDbApi.BlockBasedOptionsSetWholeKeyFiltering(Handle, DbOptions.Flag(value));
        return this;
    }

    /// <summary>The tables share <paramref name="cache"/> (the options take their own reference).</summary>
    public BlockBasedTableOptions SetBlockCache(LruCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        RocksDbApi.BlockBasedOptionsSetBlockCache(Handle, cache.Handle);
        return this;
    }

    /// <summary>A full (per-file) bloom filter with <paramref name="bitsPerKey"/> bits per key.</summary>
    public BlockBasedTableOptions SetBloomFilter(double bitsPerKey)
    {
        var policy = RocksDbApi.FilterPolicyCreateBloomFull(bitsPerKey);
        if (policy == 0)
        {
            throw new RocksDbException("RocksDB could not create the bloom filter policy.");
        }

        RocksDbApi.BlockBasedOptionsSetFilterPolicy(Handle, policy); // owned by the options from here
        return this;
    }

    /// <summary>RocksDB's DataBlockIndexType: 0 binary search, 1 binary search and hash.</summary>
    public BlockBasedTableOptions SetDataBlockIndexType(int type)
    {
        RocksDbApi.BlockBasedOptionsSetDataBlockIndexType(Handle, type);
        return this;
    }

    private protected override void Free(nint handle) => RocksDbApi.BlockBasedOptionsDestroy(handle);
}

/// <summary>
/// A native LRU cache (<c>rocksdb_cache_create_lru_opts</c>). Table options and write buffer managers
/// take their own references, so disposing it after the database is closed is safe.
/// </summary>
public sealed class LruCache : NativeObject
{
    private LruCache(nint handle)
        : base(handle, "block cache")
    {
    }

    ~LruCache() => Release();

    public static LruCache Create(ulong capacityBytes, int shardBits)
    {
        var options = RocksDbApi.LruCacheOptionsCreate();
        if (options == 0)
        {
            throw new RocksDbException("RocksDB could not create the cache options.");
        }

        try
        {
            RocksDbApi.LruCacheOptionsSetCapacity(options, checked((nuint)capacityBytes));
            RocksDbApi.LruCacheOptionsSetNumShardBits(options, shardBits);
            return new LruCache(RocksDbApi.CacheCreateLruOpts(options));
        }
        finally
        {
            RocksDbApi.LruCacheOptionsDestroy(options);
        }
    }

    private protected override void Free(nint handle) => RocksDbApi.CacheDestroy(handle);
}

/// <summary>A <c>rocksdb_readoptions_t</c>.</summary>
public sealed class ReadOptions() : NativeObject(RocksDbApi.ReadOptionsCreate(), "read options")
{
    ~ReadOptions() => Release();

    public ReadOptions SetPrefixSameAsStart(bool value)
    {
        RocksDbApi.ReadOptionsSetPrefixSameAsStart(Handle, DbOptions.Flag(value));
        return this;
    }

    public ReadOptions SetTotalOrderSeek(bool value)
    {
        RocksDbApi.ReadOptionsSetTotalOrderSeek(Handle, DbOptions.Flag(value));
        return this;
    }

    /// <summary>Reads see <paramref name="snapshot"/> (null: the latest state); keep the snapshot alive meanwhile.</summary>
    public ReadOptions SetSnapshot(Snapshot? snapshot)
    {
        RocksDbApi.ReadOptionsSetSnapshot(Handle, snapshot?.Handle ?? 0);
        return this;
    }

    private protected override void Free(nint handle) => RocksDbApi.ReadOptionsDestroy(handle);
}

/// <summary>A <c>rocksdb_writeoptions_t</c>.</summary>
public sealed class WriteOptions() : NativeObject(RocksDbApi.WriteOptionsCreate(), "write options")
{
    ~WriteOptions() => Release();

    public WriteOptions SetSync(bool value)
    {
        RocksDbApi.WriteOptionsSetSync(Handle, DbOptions.Flag(value));
        return this;
    }

    private protected override void Free(nint handle) => RocksDbApi.WriteOptionsDestroy(handle);
}
