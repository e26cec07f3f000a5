using SessionNode.Storage.Rocks;

namespace SessionNode.Storage.Tests;

/// <summary>The RocksDB bindings (Rocks/) against a real database: batches, iterators, point reads, snapshots, errors.</summary>
public sealed class RocksBindingTests
{
    [Fact]
    public void BatchAndIterator_SpanAndCopyAccessors_Agree()
    {
        using var dir = new TempDir();
        using (var db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), dir.Path, new ColumnFamilies()))
        {
            var cf = db.GetDefaultColumnFamily();
            using (var batch = new WriteBatch())
            {
                batch.Put("a"u8, "1"u8, cf);
                batch.Put("b"u8, new byte[1000], cf);
                batch.Put("c"u8, ReadOnlySpan<byte>.Empty, cf);
                batch.Put("d"u8, "4"u8, cf);
                batch.Delete("d"u8, cf);
                Assert.Equal(5, batch.Count());
                db.Write(batch);
            }

            using var it = db.NewIterator(cf);
            it.Seek("b"u8);
            Assert.True(it.Valid());
            Assert.Equal(it.Key(), it.KeySpan().ToArray());
            Assert.Equal(new byte[1000], it.ValueSpan().ToArray());
            it.Next();
            Assert.Equal("c"u8.ToArray(), it.KeySpan().ToArray());
            Assert.Empty(it.ValueSpan().ToArray());
            it.Next();
            Assert.False(it.Valid());
            it.Seek(""u8);
            Assert.Equal("a"u8.ToArray(), it.KeySpan().ToArray());
            Assert.Equal("1"u8.ToArray(), it.ValueSpan().ToArray());
            Assert.Equal("c"u8.ToArray(), it.SeekToLast().Key());
            Assert.Equal("b"u8.ToArray(), it.Prev().Key());
            Assert.Equal("c"u8.ToArray(), it.SeekForPrev("z"u8).Key());
            it.ThrowIfFailed();

            Assert.Equal(new byte[1000], db.Get("b"u8));
            var empty = db.Get("c"u8);
            Assert.NotNull(empty);
            Assert.Empty(empty);
            Assert.Null(db.Get("d"u8));
            Assert.True(db.HasKey("c"u8));
            Assert.False(db.HasKey("d"u8));
            Span<byte> one = stackalloc byte[1];
            Assert.True(db.GetFixedSizeValue("a"u8, one));
            Assert.Equal((byte)'1', one[0]);
            Assert.False(db.GetFixedSizeValue("d"u8, one));
            Assert.Throws<InvalidDataException>(() => db.GetFixedSizeValue("b"u8, new byte[1]));
        }
    }

    [Fact]
    public void ColumnFamilies_AreCreatedListedAndReopened()
    {
        using var dir = new TempDir();
        // Hash-bucketed memtables do not take concurrent inserts (RocksDB refuses the open otherwise).
        var options = new DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true).SetAllowConcurrentMemtableWrite(false);
        var families = new ColumnFamilies();
        families.Add("one", new ColumnFamilyOptions().SetFixedPrefixExtractor(2).SetHashSkipListRep(16, 4, 4));
        families.Add("two", new ColumnFamilyOptions().SetBlockBasedTableFactory(new BlockBasedTableOptions().SetBloomFilter(10)));
        using (var db = RocksDb.Open(options, dir.Path, families))
        {
            db.Put("k"u8, "in one"u8, db.GetColumnFamily("one"));
            db.Put("k"u8, "in two"u8, db.GetColumnFamily("two"));
            Assert.Throws<KeyNotFoundException>(() => db.GetColumnFamily("three"));
            db.CompactRange(null, null, db.GetColumnFamily("two"));
        }

        Assert.Equal(["default", "one", "two"], RocksDb.ListColumnFamilies(new DbOptions(), dir.Path).Order(StringComparer.Ordinal));
        using (var db = RocksDb.Open(new DbOptions().SetAllowConcurrentMemtableWrite(false), dir.Path, families))
        {
            Assert.Equal("in one"u8.ToArray(), db.Get("k"u8, db.GetColumnFamily("one")));
            Assert.Equal("in two"u8.ToArray(), db.Get("k"u8, db.GetColumnFamily("two")));
            Assert.Null(db.Get("k"u8));
        }
    }

    [Fact]
    public void Snapshot_HidesLaterWrites()
    {
        using var dir = new TempDir();
        using var db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), dir.Path);
        db.Put("k"u8, "old"u8);
        using var snapshot = db.CreateSnapshot();
        db.Put("k"u8, "new"u8);
        db.Remove("gone"u8);
        using var read = new ReadOptions().SetSnapshot(snapshot);
        Assert.Equal("old"u8.ToArray(), db.Get("k"u8, readOptions: read));
        Assert.Equal("new"u8.ToArray(), db.Get("k"u8));
        using var it = db.NewIterator(readOptions: read);
        Assert.Equal("old"u8.ToArray(), it.SeekToFirst().Value());
    }

    [Fact]
    public void Errors_SurfaceWithRocksDbMessage()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "absent");
        var ex = Assert.Throws<RocksDbException>(() => RocksDb.Open(new DbOptions(), missing));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.False(RocksDb.TryListColumnFamilies(new DbOptions(), missing, out var names));
        Assert.Empty(names);

        using (RocksDb.Open(new DbOptions().SetCreateIfMissing(true), dir.Path))
        {
            // A second open of the same directory fails on RocksDB's LOCK file.
            var locked = Assert.Throws<RocksDbException>(() => RocksDb.Open(new DbOptions(), dir.Path));
            Assert.Contains("lock", locked.Message, StringComparison.OrdinalIgnoreCase);
        }

        // Opening without a family the database has is refused, with RocksDB's reason.
        var families = new ColumnFamilies();
        families.Add("extra", new ColumnFamilyOptions());
        using (RocksDb.Open(new DbOptions().SetCreateMissingColumnFamilies(true), dir.Path, families))
        {
        }

        var notAll = Assert.Throws<RocksDbException>(() => RocksDb.Open(new DbOptions(), dir.Path));
        Assert.Contains("column families", notAll.Message, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sessionnode-native-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
