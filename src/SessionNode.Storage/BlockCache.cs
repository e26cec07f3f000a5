using RocksDbSharp;

namespace SessionNode.Storage;

/// <summary>
/// Owns a native RocksDB cache made with <c>rocksdb_cache_create_lru_opts</c> (RocksDbSharp's <c>Cache</c>
/// only wraps the default-sharded constructor). Table options and the write buffer manager take their own
/// references, so disposing after the database is closed is safe.
/// </summary>
internal sealed class BlockCache : IDisposable
{
    private IntPtr _handle;

    public BlockCache(IntPtr handle)
    {
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("RocksDB could not create the block cache.");
        }

        _handle = handle;
    }

    ~BlockCache() => Release();

    public IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(BlockCache));

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero)
        {
            Native.Instance.rocksdb_cache_destroy(handle);
        }
    }
}
