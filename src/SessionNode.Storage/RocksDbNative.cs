using SessionNode.Storage.Rocks;

namespace SessionNode.Storage;

/// <summary>
/// The per-message hot paths (iterator steps, batch puts and deletes) as direct, blittable
/// <c>LibraryImport</c> calls (<see cref="RocksDbApi"/>): no marshalling stub, and pure accessors and
/// batch appends suppress the GC transition, while calls that may block on disk (seek, next) keep it.
/// Kept as one static entry point so the store's scan loops read the same as before. Stateless.
/// </summary>
internal static class RocksDbNative
{
    public static bool Valid(Iterator iterator) => iterator.Valid();

    /// <summary>The current key; valid until the iterator moves.</summary>
    public static ReadOnlySpan<byte> Key(Iterator iterator) => iterator.KeySpan();

    /// <summary>The current value; valid until the iterator moves.</summary>
    public static ReadOnlySpan<byte> Value(Iterator iterator) => iterator.ValueSpan();

    public static void Next(Iterator iterator) => iterator.Next();

    public static void Seek(Iterator iterator, ReadOnlySpan<byte> key) => iterator.Seek(key);

    /// <summary>Appends a put to the batch (RocksDB copies key and value).</summary>
    public static void Put(WriteBatch batch, ColumnFamilyHandle family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        => batch.Put(key, value, family);

    /// <summary>Appends a delete to the batch (RocksDB copies the key).</summary>
    public static void Delete(WriteBatch batch, ColumnFamilyHandle family, ReadOnlySpan<byte> key)
        => batch.Delete(key, family);
}
