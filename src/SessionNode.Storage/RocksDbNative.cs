using System.Runtime.InteropServices;
using RocksDbSharp;

namespace SessionNode.Storage;

/// <summary>
/// Direct calls into the RocksDB C API for the per-message hot paths (iterator steps, batch puts and
/// deletes). RocksDbSharp routes every native call through a marshalled delegate (~100 ns each on
/// our 2 GHz test box, 4 per retrieved message); an unmanaged function pointer costs ~20–40 ns.
/// Measured by the Storage benchmarks; this is the only file with <c>unsafe</c> code.
/// The pointers are resolved from the very library file RocksDbSharp loaded, so both use one
/// RocksDB instance. Calls that may block on disk (seek, next) keep the GC transition; pure
/// accessors and batch appends suppress it. Stateless after the static constructor.
/// </summary>
internal static unsafe class RocksDbNative
{
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, byte> IterValid;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, nuint*, byte*> IterKey;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, nuint*, byte*> IterValue;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, void> IterNext;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, void> IterSeek;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr, byte*, nuint, byte*, nuint, void> BatchPutCf;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr, byte*, nuint, void> BatchDeleteCf;

#pragma warning disable CA1810 // the pointers need the library RocksDbSharp loaded first; an initializer per field would repeat that
    static RocksDbNative()
#pragma warning restore CA1810
    {
        _ = Native.Instance; // makes RocksDbSharp locate and load the library
        var path = NativeImport.Auto.LoadedPath
            ?? throw new InvalidOperationException("RocksDbSharp did not report which RocksDB native library it loaded.");
        var library = NativeLibrary.Load(path); // already loaded: the same handle, never unloaded
        IterValid = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, byte>)NativeLibrary.GetExport(library, "rocksdb_iter_valid");
        IterKey = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, nuint*, byte*>)NativeLibrary.GetExport(library, "rocksdb_iter_key");
        IterValue = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, nuint*, byte*>)NativeLibrary.GetExport(library, "rocksdb_iter_value");
        IterNext = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(library, "rocksdb_iter_next");
        IterSeek = (delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, void>)NativeLibrary.GetExport(library, "rocksdb_iter_seek");
        BatchPutCf = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr, byte*, nuint, byte*, nuint, void>)NativeLibrary.GetExport(library, "rocksdb_writebatch_put_cf");
        BatchDeleteCf = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, IntPtr, byte*, nuint, void>)NativeLibrary.GetExport(library, "rocksdb_writebatch_delete_cf");
    }

    public static bool Valid(Iterator iterator) => IterValid(iterator.Handle) != 0;

    /// <summary>The current key; valid until the iterator moves.</summary>
    public static ReadOnlySpan<byte> Key(Iterator iterator)
    {
        nuint length;
        var key = IterKey(iterator.Handle, &length);
        return new ReadOnlySpan<byte>(key, checked((int)length));
    }

    /// <summary>The current value; valid until the iterator moves.</summary>
    public static ReadOnlySpan<byte> Value(Iterator iterator)
    {
        nuint length;
        var value = IterValue(iterator.Handle, &length);
        return new ReadOnlySpan<byte>(value, checked((int)length));
    }

    public static void Next(Iterator iterator) => IterNext(iterator.Handle);

    public static void Seek(Iterator iterator, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            IterSeek(iterator.Handle, k, (nuint)key.Length);
        }
    }

    /// <summary>Appends a put to the batch (RocksDB copies key and value).</summary>
    public static void Put(WriteBatch batch, ColumnFamilyHandle family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            BatchPutCf(batch.Handle, family.Handle, k, (nuint)key.Length, v, (nuint)value.Length);
        }
    }

    /// <summary>Appends a delete to the batch (RocksDB copies the key).</summary>
    public static void Delete(WriteBatch batch, ColumnFamilyHandle family, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            BatchDeleteCf(batch.Handle, family.Handle, k, (nuint)key.Length);
        }
    }
}
