using System.Runtime.InteropServices;

namespace SessionNode.Storage.Rocks;

/// <summary>
/// An open RocksDB database and its column family handles. Every RocksDB error surfaces as
/// <see cref="RocksDbException"/> with RocksDB's message. Thread-safe as RocksDB is; Dispose only after
/// every iterator, batch use and snapshot has ended.
/// </summary>
public sealed unsafe class RocksDb : IDisposable
{
    private readonly Dictionary<string, ColumnFamilyHandle> _families;
    private readonly ColumnFamilyHandle _default;
    private readonly ReadOptions _defaultRead = new();
    private readonly WriteOptions _defaultWrite = new();
    private nint _handle;

    private RocksDb(nint handle, Dictionary<string, ColumnFamilyHandle> families)
    {
        _handle = handle;
        _families = families;
        _default = families[ColumnFamilies.DefaultName];
    }

    public nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(RocksDb));

    /// <summary>Opens a database that has only the default column family (which uses <paramref name="options"/>).</summary>
    public static RocksDb Open(DbOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Open(options, path, [new(ColumnFamilies.DefaultName, options.Handle)]);
    }

    /// <summary>Opens a database with exactly these column families (created if missing when the options say so).</summary>
    public static RocksDb Open(DbOptions options, string path, ColumnFamilies families)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(families);
        return Open(options, path, families.Select(f => new KeyValuePair<string, nint>(f.Key, f.Value.Handle)).ToArray());
    }

    private static RocksDb Open(DbOptions options, string path, KeyValuePair<string, nint>[] families)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var names = new nint[families.Length];
        var familyOptions = new nint[families.Length];
        var handles = new nint[families.Length];
        try
        {
            for (var i = 0; i < families.Length; i++)
            {
                names[i] = Marshal.StringToCoTaskMemUTF8(families[i].Key);
                familyOptions[i] = families[i].Value;
            }

            nint error = 0;
            nint db;
            fixed (nint* n = names)
            fixed (nint* o = familyOptions)
            fixed (nint* h = handles)
            {
                db = RocksDbApi.OpenColumnFamilies(options.Handle, path, families.Length, n, o, h, &error);
            }

            RocksDbApi.ThrowIfError(error);
            if (db == 0)
            {
                throw new RocksDbException($"RocksDB did not open '{path}'.");
            }

            var map = new Dictionary<string, ColumnFamilyHandle>(families.Length, StringComparer.Ordinal);
            for (var i = 0; i < families.Length; i++)
            {
                map[families[i].Key] = new ColumnFamilyHandle(families[i].Key, handles[i]);
            }

            GC.KeepAlive(options);
            return new RocksDb(db, map);
        }
        finally
        {
            foreach (var name in names)
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }

    /// <summary>The column family names stored in the database at <paramref name="path"/>.</summary>
    public static string[] ListColumnFamilies(DbOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(path);
        nint error = 0;
        nuint count = 0;
        var list = RocksDbApi.ListColumnFamilies(options.Handle, path, &count, &error);
        RocksDbApi.ThrowIfError(error);
        try
        {
            var names = new string[checked((int)count)];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = Marshal.PtrToStringUTF8(list[i]) ?? string.Empty;
            }

            return names;
        }
        finally
        {
            if (list != null)
            {
                RocksDbApi.ListColumnFamiliesDestroy(list, count);
            }
        }
    }

    /// <summary>Like <see cref="ListColumnFamilies"/>, false where RocksDB cannot list (no database there).</summary>
    public static bool TryListColumnFamilies(DbOptions options, string path, out string[] names)
    {
        try
        {
            names = ListColumnFamilies(options, path);
            return true;
        }
        catch (RocksDbException)
        {
            names = [];
            return false;
        }
    }

    public ColumnFamilyHandle GetDefaultColumnFamily() => _default;

    public ColumnFamilyHandle GetColumnFamily(string name)
        => _families.TryGetValue(name, out var family) ? family : throw new KeyNotFoundException($"The database has no open column family '{name}'.");

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ColumnFamilyHandle? family = null, WriteOptions? writeOptions = null)
    {
        nint error = 0;
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            RocksDbApi.PutCf(Handle, (writeOptions ?? _defaultWrite).Handle, (family ?? _default).Handle, k, (nuint)key.Length, v, (nuint)value.Length, &error);
        }

        RocksDbApi.ThrowIfError(error);
    }

    public void Remove(ReadOnlySpan<byte> key, ColumnFamilyHandle? family = null, WriteOptions? writeOptions = null)
    {
        nint error = 0;
        fixed (byte* k = key)
        {
            RocksDbApi.DeleteCf(Handle, (writeOptions ?? _defaultWrite).Handle, (family ?? _default).Handle, k, (nuint)key.Length, &error);
        }

        RocksDbApi.ThrowIfError(error);
    }

    /// <summary>Applies the batch atomically.</summary>
    public void Write(WriteBatch batch, WriteOptions? writeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        nint error = 0;
        RocksDbApi.Write(Handle, (writeOptions ?? _defaultWrite).Handle, batch.Handle, &error);
        RocksDbApi.ThrowIfError(error);
    }

    /// <summary>A copy of the value, or null if the key is absent.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key, ColumnFamilyHandle? family = null, ReadOptions? readOptions = null)
    {
        var slice = GetPinned(key, family, readOptions);
        if (slice == 0)
        {
            return null;
        }

        try
        {
            return PinnedValue(slice).ToArray();
        }
        finally
        {
            RocksDbApi.PinnableSliceDestroy(slice);
        }
    }

    public bool HasKey(ReadOnlySpan<byte> key, ColumnFamilyHandle? family = null, ReadOptions? readOptions = null)
    {
        var slice = GetPinned(key, family, readOptions);
        if (slice == 0)
        {
            return false;
        }

        RocksDbApi.PinnableSliceDestroy(slice);
        return true;
    }

    /// <summary>
    /// Copies the value into <paramref name="value"/>; false if the key is absent. A stored value of
    /// another length is corrupt data for the caller: <see cref="InvalidDataException"/>.
    /// </summary>
    public bool GetFixedSizeValue(ReadOnlySpan<byte> key, Span<byte> value, ColumnFamilyHandle? family = null, ReadOptions? readOptions = null)
    {
        var slice = GetPinned(key, family, readOptions);
        if (slice == 0)
        {
            return false;
        }

        try
        {
            var stored = PinnedValue(slice);
            if (stored.Length != value.Length)
            {
                throw new InvalidDataException($"RocksDB value in '{(family ?? _default).Name}' has {stored.Length} bytes; {value.Length} expected.");
            }

            stored.CopyTo(value);
            return true;
        }
        finally
        {
            RocksDbApi.PinnableSliceDestroy(slice);
        }
    }

    /// <summary>A new iterator (unpositioned); dispose it before the database.</summary>
    public Iterator NewIterator(ColumnFamilyHandle? family = null, ReadOptions? readOptions = null)
        => new(RocksDbApi.CreateIteratorCf(Handle, (readOptions ?? _defaultRead).Handle, (family ?? _default).Handle));

    /// <summary>A snapshot of the current state, for <see cref="ReadOptions.SetSnapshot"/>; dispose it before the database.</summary>
    public Snapshot CreateSnapshot() => new(Handle, RocksDbApi.CreateSnapshot(Handle));

    /// <summary>Compacts keys in [<paramref name="start"/>, <paramref name="limit"/>]; null means unbounded on that side.</summary>
    public void CompactRange(byte[]? start, byte[]? limit, ColumnFamilyHandle? family = null)
    {
        fixed (byte* s = start)
        fixed (byte* l = limit)
        {
            RocksDbApi.CompactRangeCf(Handle, (family ?? _default).Handle, s, (nuint)(start?.Length ?? 0), l, (nuint)(limit?.Length ?? 0));
        }
    }

    /// <summary>Destroys the column family handles and closes the database.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0)
        {
            return;
        }

        foreach (var family in _families.Values)
        {
            RocksDbApi.ColumnFamilyHandleDestroy(family.Handle);
        }

        RocksDbApi.Close(handle);
        _defaultRead.Dispose();
        _defaultWrite.Dispose();
    }

    private nint GetPinned(ReadOnlySpan<byte> key, ColumnFamilyHandle? family, ReadOptions? readOptions)
    {
        nint error = 0;
        nint slice;
        fixed (byte* k = key)
        {
            slice = RocksDbApi.GetPinnedCf(Handle, (readOptions ?? _defaultRead).Handle, (family ?? _default).Handle, k, (nuint)key.Length, &error);
        }

        RocksDbApi.ThrowIfError(error);
        return slice;
    }

    private static ReadOnlySpan<byte> PinnedValue(nint slice)
    {
        nuint length;
        var value = RocksDbApi.PinnableSliceValue(slice, &length);
        return new ReadOnlySpan<byte>(value, checked((int)length));
    }
}
