using System.Runtime.InteropServices;

namespace SessionNode.Storage.Rocks;

/// <summary>
/// The RocksDB C API (<c>rocksdb/c.h</c>) functions the store uses, bound at compile time with
/// <c>LibraryImport</c> (no reflection, no runtime code generation: Native AOT compatible). "rocksdb"
/// resolves to the <c>librocksdb</c> shipped by the RocksDB NuGet package (deps.json native asset, or the
/// file next to a published binary). Every <c>errptr</c> argument must point at a zero
/// <see cref="nint"/>; see <see cref="ThrowIfError"/>. Accessors that neither block nor call back
/// suppress the GC transition.
/// </summary>
internal static unsafe partial class RocksDbApi
{
    private const string Library = "rocksdb";

    /// <summary>Throws the RocksDB error message written to an <c>errptr</c>, freeing it.</summary>
    public static void ThrowIfError(nint error)
    {
        if (error != 0)
        {
            Throw(error);
        }
    }

    private static void Throw(nint error)
    {
        var message = Marshal.PtrToStringUTF8(error) ?? "unknown RocksDB error";
        Free(error);
        throw new RocksDbException(message);
    }

    [LibraryImport(Library, EntryPoint = "rocksdb_free")]
    public static partial void Free(nint ptr);

    // ---- database ----

    [LibraryImport(Library, EntryPoint = "rocksdb_open_column_families", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint OpenColumnFamilies(nint options, string name, int count, nint* names, nint* familyOptions, nint* handles, nint* error);

    [LibraryImport(Library, EntryPoint = "rocksdb_list_column_families", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint* ListColumnFamilies(nint options, string name, nuint* count, nint* error);

    [LibraryImport(Library, EntryPoint = "rocksdb_list_column_families_destroy")]
    public static partial void ListColumnFamiliesDestroy(nint* list, nuint count);

    [LibraryImport(Library, EntryPoint = "rocksdb_column_family_handle_destroy")]
    public static partial void ColumnFamilyHandleDestroy(nint handle);

    [LibraryImport(Library, EntryPoint = "rocksdb_close")]
    public static partial void Close(nint db);

    [LibraryImport(Library, EntryPoint = "rocksdb_put_cf")]
    public static partial void PutCf(nint db, nint writeOptions, nint family, byte* key, nuint keyLength, byte* value, nuint valueLength, nint* error);

    [LibraryImport(Library, EntryPoint = "rocksdb_delete_cf")]
    public static partial void DeleteCf(nint db, nint writeOptions, nint family, byte* key, nuint keyLength, nint* error);

    [LibraryImport(Library, EntryPoint = "rocksdb_write")]
    public static partial void Write(nint db, nint writeOptions, nint batch, nint* error);

    [LibraryImport(Library, EntryPoint = "rocksdb_get_pinned_cf")]
    public static partial nint GetPinnedCf(nint db, nint readOptions, nint family, byte* key, nuint keyLength, nint* error);

    [LibraryImport(Library, EntryPoint = "rocksdb_pinnableslice_value")]
    [SuppressGCTransition]
    public static partial byte* PinnableSliceValue(nint slice, nuint* length);

    [LibraryImport(Library, EntryPoint = "rocksdb_pinnableslice_destroy")]
    public static partial void PinnableSliceDestroy(nint slice);

    [LibraryImport(Library, EntryPoint = "rocksdb_create_iterator_cf")]
    public static partial nint CreateIteratorCf(nint db, nint readOptions, nint family);

    [LibraryImport(Library, EntryPoint = "rocksdb_create_snapshot")]
    public static partial nint CreateSnapshot(nint db);

    [LibraryImport(Library, EntryPoint = "rocksdb_release_snapshot")]
    public static partial void ReleaseSnapshot(nint db, nint snapshot);

    [LibraryImport(Library, EntryPoint = "rocksdb_compact_range_cf")]
    public static partial void CompactRangeCf(nint db, nint family, byte* start, nuint startLength, byte* limit, nuint limitLength);

    // ---- iterators ----

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_destroy")]
    public static partial void IterDestroy(nint iterator);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_valid")]
    [SuppressGCTransition]
    public static partial byte IterValid(nint iterator);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_key")]
    [SuppressGCTransition]
    public static partial byte* IterKey(nint iterator, nuint* length);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_value")]
    [SuppressGCTransition]
    public static partial byte* IterValue(nint iterator, nuint* length);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_seek_to_first")]
    public static partial void IterSeekToFirst(nint iterator);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_seek_to_last")]
    public static partial void IterSeekToLast(nint iterator);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_seek")]
    public static partial void IterSeek(nint iterator, byte* key, nuint keyLength);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_seek_for_prev")]
    public static partial void IterSeekForPrev(nint iterator, byte* key, nuint keyLength);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_next")]
    public static partial void IterNext(nint iterator);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_prev")]
    public static partial void IterPrev(nint iterator);

    [LibraryImport(Library, EntryPoint = "rocksdb_iter_get_error")]
    public static partial void IterGetError(nint iterator, nint* error);

    // ---- write batches ----

    [LibraryImport(Library, EntryPoint = "rocksdb_writebatch_create")]
    public static partial nint WriteBatchCreate();

    [LibraryImport(Library, EntryPoint = "rocksdb_writebatch_destroy")]
    public static partial void WriteBatchDestroy(nint batch);

    [LibraryImport(Library, EntryPoint = "rocksdb_writebatch_clear")]
    public static partial void WriteBatchClear(nint batch);

    [LibraryImport(Library, EntryPoint = "rocksdb_writebatch_count")]
    [SuppressGCTransition]
    public static partial int WriteBatchCount(nint batch);

    [LibraryImport(Library, EntryPoint = "rocksdb_writebatch_put_cf")]
    [SuppressGCTransition]
    public static partial void WriteBatchPutCf(nint batch, nint family, byte* key, nuint keyLength, byte* value, nuint valueLength);

    [LibraryImport(Library, EntryPoint = "rocksdb_writebatch_delete_cf")]
    [SuppressGCTransition]
    public static partial void WriteBatchDeleteCf(nint batch, nint family, byte* key, nuint keyLength);

    // ---- read / write options ----

    [LibraryImport(Library, EntryPoint = "rocksdb_readoptions_create")]
    public static partial nint ReadOptionsCreate();

    [LibraryImport(Library, EntryPoint = "rocksdb_readoptions_destroy")]
    public static partial void ReadOptionsDestroy(nint options);

    [LibraryImport(Library, EntryPoint = "rocksdb_readoptions_set_prefix_same_as_start")]
    public static partial void ReadOptionsSetPrefixSameAsStart(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_readoptions_set_total_order_seek")]
    public static partial void ReadOptionsSetTotalOrderSeek(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_readoptions_set_snapshot")]
    public static partial void ReadOptionsSetSnapshot(nint options, nint snapshot);

    [LibraryImport(Library, EntryPoint = "rocksdb_writeoptions_create")]
    public static partial nint WriteOptionsCreate();

    [LibraryImport(Library, EntryPoint = "rocksdb_writeoptions_destroy")]
    public static partial void WriteOptionsDestroy(nint options);

    [LibraryImport(Library, EntryPoint = "rocksdb_writeoptions_set_sync")]
    public static partial void WriteOptionsSetSync(nint options, byte value);

    // ---- database and column family options (one rocksdb_options_t) ----

    [LibraryImport(Library, EntryPoint = "rocksdb_options_create")]
    public static partial nint OptionsCreate();

    [LibraryImport(Library, EntryPoint = "rocksdb_options_destroy")]
    public static partial void OptionsDestroy(nint options);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_create_if_missing")]
    public static partial void OptionsSetCreateIfMissing(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_create_missing_column_families")]
    public static partial void OptionsSetCreateMissingColumnFamilies(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_increase_parallelism")]
    public static partial void OptionsIncreaseParallelism(nint options, int totalThreads);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_allow_concurrent_memtable_write")]
    public static partial void OptionsSetAllowConcurrentMemtableWrite(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_max_total_wal_size")]
    public static partial void OptionsSetMaxTotalWalSize(nint options, ulong bytes);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_info_log_level")]
    public static partial void OptionsSetInfoLogLevel(nint options, int level);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_max_log_file_size")]
    public static partial void OptionsSetMaxLogFileSize(nint options, nuint bytes);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_keep_log_file_num")]
    public static partial void OptionsSetKeepLogFileNum(nint options, nuint count);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_wal_recovery_mode")]
    public static partial void OptionsSetWalRecoveryMode(nint options, int mode);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_write_buffer_manager")]
    public static partial void OptionsSetWriteBufferManager(nint options, nint manager);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_write_buffer_size")]
    public static partial void OptionsSetWriteBufferSize(nint options, nuint bytes);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_max_write_buffer_number")]
    public static partial void OptionsSetMaxWriteBufferNumber(nint options, int count);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_compression")]
    public static partial void OptionsSetCompression(nint options, int compression);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_block_based_table_factory")]
    public static partial void OptionsSetBlockBasedTableFactory(nint options, nint tableOptions);

    /// <summary>The options take ownership of the transform.</summary>
    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_prefix_extractor")]
    public static partial void OptionsSetPrefixExtractor(nint options, nint transform);

    [LibraryImport(Library, EntryPoint = "rocksdb_slicetransform_create_fixed_prefix")]
    public static partial nint SliceTransformCreateFixedPrefix(nuint length);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_hash_skip_list_rep")]
    public static partial void OptionsSetHashSkipListRep(nint options, nuint bucketCount, int skipListHeight, int branchingFactor);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_memtable_prefix_bloom_size_ratio")]
    public static partial void OptionsSetMemtablePrefixBloomSizeRatio(nint options, double ratio);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_memtable_whole_key_filtering")]
    public static partial void OptionsSetMemtableWholeKeyFiltering(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_enable_blob_files")]
    public static partial void OptionsSetEnableBlobFiles(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_min_blob_size")]
    public static partial void OptionsSetMinBlobSize(nint options, ulong bytes);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_blob_file_size")]
    public static partial void OptionsSetBlobFileSize(nint options, ulong bytes);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_enable_blob_gc")]
    public static partial void OptionsSetEnableBlobGc(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_options_set_periodic_compaction_seconds")]
    public static partial void OptionsSetPeriodicCompactionSeconds(nint options, ulong seconds);

    // ---- block-based tables, filters, caches ----

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_create")]
    public static partial nint BlockBasedOptionsCreate();

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_destroy")]
    public static partial void BlockBasedOptionsDestroy(nint options);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_block_size")]
    public static partial void BlockBasedOptionsSetBlockSize(nint options, nuint bytes);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_cache_index_and_filter_blocks")]
    public static partial void BlockBasedOptionsSetCacheIndexAndFilterBlocks(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority")]
    public static partial void BlockBasedOptionsSetCacheIndexAndFilterBlocksWithHighPriority(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache")]
    public static partial void BlockBasedOptionsSetPinL0FilterAndIndexBlocksInCache(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_whole_key_filtering")]
    public static partial void BlockBasedOptionsSetWholeKeyFiltering(nint options, byte value);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_block_cache")]
    public static partial void BlockBasedOptionsSetBlockCache(nint options, nint cache);

    /// <summary>The table options take ownership of the policy.</summary>
    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_filter_policy")]
    public static partial void BlockBasedOptionsSetFilterPolicy(nint options, nint policy);

    [LibraryImport(Library, EntryPoint = "rocksdb_block_based_options_set_data_block_index_type")]
    public static partial void BlockBasedOptionsSetDataBlockIndexType(nint options, int type);

    [LibraryImport(Library, EntryPoint = "rocksdb_filterpolicy_create_bloom_full")]
    public static partial nint FilterPolicyCreateBloomFull(double bitsPerKey);

    [LibraryImport(Library, EntryPoint = "rocksdb_lru_cache_options_create")]
    public static partial nint LruCacheOptionsCreate();

    [LibraryImport(Library, EntryPoint = "rocksdb_lru_cache_options_destroy")]
    public static partial void LruCacheOptionsDestroy(nint options);

    [LibraryImport(Library, EntryPoint = "rocksdb_lru_cache_options_set_capacity")]
    public static partial void LruCacheOptionsSetCapacity(nint options, nuint capacity);

    [LibraryImport(Library, EntryPoint = "rocksdb_lru_cache_options_set_num_shard_bits")]
    public static partial void LruCacheOptionsSetNumShardBits(nint options, int bits);

    [LibraryImport(Library, EntryPoint = "rocksdb_cache_create_lru_opts")]
    public static partial nint CacheCreateLruOpts(nint options);

    [LibraryImport(Library, EntryPoint = "rocksdb_cache_destroy")]
    public static partial void CacheDestroy(nint cache);

    [LibraryImport(Library, EntryPoint = "rocksdb_write_buffer_manager_create_with_cache")]
    public static partial nint WriteBufferManagerCreateWithCache(nuint bufferSize, nint cache, byte allowStall);

    [LibraryImport(Library, EntryPoint = "rocksdb_write_buffer_manager_destroy")]
    public static partial void WriteBufferManagerDestroy(nint manager);
}
