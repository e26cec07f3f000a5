namespace SessionNode.Storage;

/// <summary>Message store settings (config section "Storage"); read once when the store opens.</summary>
public sealed class MessageStoreOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Storage";

    /// <summary>
    /// RocksDB directory; created if missing. A relative path is used as-is (the Daemon resolves it
    /// against the data directory before binding). Default: "storage".
    /// </summary>
    public string Path { get; set; } = "storage";

    /// <summary>
    /// Cap, in bytes, on the logical size of all stored messages (keys and values of every index
    /// entry, see README.md). A store that would exceed it returns <see cref="StoreOutcome.Full"/>.
    /// Default: 3 758 096 384 (3.5 GiB, the reference database cap).
    /// </summary>
    public long MaxLogicalBytes { get; set; } = 3_758_096_384;

    /// <summary>How often the <see cref="ExpirySweeper"/> deletes expired messages. Default: 10 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// RocksDB block cache in bytes, shared by all column families; also holds index and filter
    /// blocks. Default: 33 554 432 (32 MiB), sized with <see cref="WriteBufferBytes"/> for a node of
    /// about 150 MB RSS.
    /// </summary>
    public long BlockCacheBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Total RocksDB memtable budget in bytes across all column families (db_write_buffer_size).
    /// Memtables and blocks share one cache of this plus <see cref="BlockCacheBytes"/>, which
    /// bounds RocksDB's memory. Default: 33 554 432 (32 MiB).
    /// </summary>
    public long WriteBufferBytes { get; set; } = 32L * 1024 * 1024;
}
