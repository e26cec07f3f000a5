namespace SessionNode.Storage.Rocks;

/// <summary>A <c>rocksdb_writebatch_t</c>: updates applied atomically by <see cref="RocksDb.Write"/>. Dispose explicitly.</summary>
public sealed unsafe class WriteBatch() : NativeObject(RocksDbApi.WriteBatchCreate(), "write batch")
{
    public int Count() => RocksDbApi.WriteBatchCount(Handle);

    public void Clear() => RocksDbApi.WriteBatchClear(Handle);

    /// <summary>Appends a put (RocksDB copies key and value).</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ColumnFamilyHandle family)
    {
        ArgumentNullException.ThrowIfNull(family);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            RocksDbApi.WriteBatchPutCf(Handle, family.Handle, k, (nuint)key.Length, v, (nuint)value.Length);
        }
    }

    /// <summary>Appends a delete (RocksDB copies the key).</summary>
    public void Delete(ReadOnlySpan<byte> key, ColumnFamilyHandle family)
    {
        ArgumentNullException.ThrowIfNull(family);
        fixed (byte* k = key)
        {
            RocksDbApi.WriteBatchDeleteCf(Handle, family.Handle, k, (nuint)key.Length);
        }
    }

    private protected override void Free(nint handle) => RocksDbApi.WriteBatchDestroy(handle);
}

/// <summary>A consistent read view (<c>rocksdb_create_snapshot</c>); dispose before the database closes.</summary>
public sealed class Snapshot : NativeObject
{
    private readonly nint _db;

    internal Snapshot(nint db, nint snapshot)
        : base(snapshot, "snapshot")
    {
        _db = db;
    }

    private protected override void Free(nint handle) => RocksDbApi.ReleaseSnapshot(_db, handle);
}

/// <summary>A column family of an open database; owned (and destroyed) by its <see cref="RocksDb"/>.</summary>
public sealed class ColumnFamilyHandle
{
    internal ColumnFamilyHandle(string name, nint handle)
    {
        Name = name;
        Handle = handle;
    }

    public string Name { get; }

    public nint Handle { get; }
}

/// <summary>The column families to open, each with its options; "default" is always first.</summary>
public sealed class ColumnFamilies : IEnumerable<KeyValuePair<string, ColumnFamilyOptions>>
{
    public const string DefaultName = "default";

    private readonly List<KeyValuePair<string, ColumnFamilyOptions>> _families = [];

    /// <summary>Starts the list with the default family (fresh options when <paramref name="defaultOptions"/> is null).</summary>
    public ColumnFamilies(ColumnFamilyOptions? defaultOptions = null)
    {
        _families.Add(new(DefaultName, defaultOptions ?? new ColumnFamilyOptions()));
    }

    public int Count => _families.Count;

    public void Add(string name, ColumnFamilyOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        if (_families.Exists(f => f.Key == name))
        {
            throw new ArgumentException($"Column family '{name}' is listed twice.", nameof(name));
        }

        _families.Add(new(name, options));
    }

    public IEnumerator<KeyValuePair<string, ColumnFamilyOptions>> GetEnumerator() => _families.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
