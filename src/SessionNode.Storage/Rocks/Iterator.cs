namespace SessionNode.Storage.Rocks;

/// <summary>
/// A <c>rocksdb_iterator_t</c>. Key and value spans point into RocksDB's memory and stay valid until the
/// iterator moves or is disposed. Dispose explicitly, before the database closes.
/// </summary>
public sealed unsafe class Iterator : NativeObject
{
    internal Iterator(nint handle)
        : base(handle, "iterator")
    {
    }

    public bool Valid() => RocksDbApi.IterValid(Handle) != 0;

    public Iterator SeekToFirst()
    {
        RocksDbApi.IterSeekToFirst(Handle);
        return this;
    }

    public Iterator SeekToLast()
    {
        RocksDbApi.IterSeekToLast(Handle);
        return this;
    }

    /// <summary>Positions at the first key ≥ <paramref name="key"/>.</summary>
    public Iterator Seek(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            RocksDbApi.IterSeek(Handle, k, (nuint)key.Length);
        }

        return this;
    }

    /// <summary>Positions at the last key ≤ <paramref name="key"/>.</summary>
    public Iterator SeekForPrev(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            RocksDbApi.IterSeekForPrev(Handle, k, (nuint)key.Length);
        }

        return this;
    }

    public Iterator Next()
    {
        RocksDbApi.IterNext(Handle);
        return this;
    }

    public Iterator Prev()
    {
        RocksDbApi.IterPrev(Handle);
        return this;
    }

    /// <summary>The current key; valid until the iterator moves.</summary>
    public ReadOnlySpan<byte> KeySpan()
    {
        nuint length;
        var key = RocksDbApi.IterKey(Handle, &length);
        return new ReadOnlySpan<byte>(key, checked((int)length));
    }

    /// <summary>The current value; valid until the iterator moves.</summary>
    public ReadOnlySpan<byte> ValueSpan()
    {
        nuint length;
        var value = RocksDbApi.IterValue(Handle, &length);
        return new ReadOnlySpan<byte>(value, checked((int)length));
    }

    /// <summary>A copy of the current key.</summary>
    public byte[] Key() => KeySpan().ToArray();

    /// <summary>A copy of the current value.</summary>
    public byte[] Value() => ValueSpan().ToArray();

    /// <summary>Throws <see cref="RocksDbException"/> if the iteration stopped on an error (I/O, corruption).</summary>
    public void ThrowIfFailed()
    {
        nint error = 0;
        RocksDbApi.IterGetError(Handle, &error);
        RocksDbApi.ThrowIfError(error);
    }

    private protected override void Free(nint handle) => RocksDbApi.IterDestroy(handle);
}
