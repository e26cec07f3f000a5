using RocksDbSharp;

namespace SessionNode.Storage.Tests;

/// <summary>The function-pointer bindings agree with RocksDbSharp's own (same library, same results).</summary>
public sealed class RocksDbNativeTests
{
    [Fact]
    public void FunctionPointers_MatchRocksDbSharp()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sessionnode-native-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), dir, new ColumnFamilies()))
            {
                var cf = db.GetDefaultColumnFamily();
                using (var batch = new WriteBatch())
                {
                    RocksDbNative.Put(batch, cf, "a"u8, "1"u8);
                    RocksDbNative.Put(batch, cf, "b"u8, new byte[1000]);
                    RocksDbNative.Put(batch, cf, "c"u8, ReadOnlySpan<byte>.Empty);
                    RocksDbNative.Put(batch, cf, "d"u8, "4"u8);
                    RocksDbNative.Delete(batch, cf, "d"u8);
                    db.Write(batch);
                }

                using var it = db.NewIterator(cf);
                RocksDbNative.Seek(it, "b"u8);
                Assert.True(RocksDbNative.Valid(it));
                Assert.Equal(it.Key(), RocksDbNative.Key(it).ToArray());
                Assert.Equal(new byte[1000], RocksDbNative.Value(it).ToArray());
                RocksDbNative.Next(it);
                Assert.Equal("c"u8.ToArray(), RocksDbNative.Key(it).ToArray());
                Assert.Empty(RocksDbNative.Value(it).ToArray());
                RocksDbNative.Next(it);
                Assert.False(RocksDbNative.Valid(it));
                RocksDbNative.Seek(it, ""u8);
                Assert.Equal("a"u8.ToArray(), RocksDbNative.Key(it).ToArray());
                Assert.Equal("1"u8.ToArray(), RocksDbNative.Value(it).ToArray());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
