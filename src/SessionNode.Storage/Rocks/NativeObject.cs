namespace SessionNode.Storage.Rocks;

/// <summary>
/// Owner of one native RocksDB object, released exactly once by <see cref="Dispose"/>. Objects that are
/// safe to free at any time (options, caches) also release from the finalizer; objects that must go
/// before their database closes (iterators, batches, snapshots) do not, and need an explicit Dispose.
/// </summary>
public abstract class NativeObject : IDisposable
{
    private nint _handle;

    private protected NativeObject(nint handle, string what)
    {
        if (handle == 0)
        {
            throw new RocksDbException($"RocksDB could not create the {what}.");
        }

        _handle = handle;
    }

    /// <summary>The native pointer; throws once disposed.</summary>
    public nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(GetType().Name);

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private protected void Release()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
        {
            Free(handle);
        }
    }

    private protected abstract void Free(nint handle);
}
