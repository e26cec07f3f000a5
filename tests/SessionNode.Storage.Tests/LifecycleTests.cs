using System.Buffers.Binary;
using SessionNode.Core;
using SessionNode.Storage.Rocks;

namespace SessionNode.Storage.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public void Reopen_CountersAndBytes_ArePreserved()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 30; i++)
        {
            f.Put(Accounts.Numbered(i % 4), "r" + i, ns: (short)(i % 2), data: new byte[i]);
        }

        f.Store.DeleteByHash(Accounts.Numbered(1), ["r1", "r5"]);
        var (messages, accounts, bytes) = (f.Store.MessageCount, f.Store.AccountCount, f.Store.LogicalBytes);
        Assert.Equal(28, messages);
        Assert.Equal(4, accounts);

        f.Reopen();

        Assert.Equal(messages, f.Store.MessageCount);
        Assert.Equal(accounts, f.Store.AccountCount);
        Assert.Equal(bytes, f.Store.LogicalBytes);
        Assert.Equal(bytes, f.Store.EnumerateMessages(_ => true).Sum(m => StorageLayout.LogicalSize(m.Hash.Length, m.Data.Length)));
    }

    [Fact]
    public void Reopen_SequenceContinues_NewMessagesSortAfterOldOnes()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "before1");
        f.Put(Accounts.Ef, "before2");
        f.Store.DeleteByHash(Accounts.Ef, ["before2"]);
        f.Reopen();
        f.Put(Accounts.Ef, "after");
        Assert.Equal(new[] { "before1", "after" }, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Select(m => m.Hash));
        Assert.Equal("after", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, "before1", null, null).Messages).Hash);
    }

    [Fact]
    public void Open_OtherSchemaVersion_FailsClearly()
    {
        using var f = new StoreFixture();
        f.Store.Dispose();
        OverwriteSchemaVersion(f.Options.Path, 99);

        var ex = Assert.Throws<StorageSchemaException>(() => MessageStore.Open(f.Options, f.Clock));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"requires version {StorageLayout.SchemaVersion}", ex.Message, StringComparison.Ordinal);

        OverwriteSchemaVersion(f.Options.Path, StorageLayout.SchemaVersion);
        f.Reopen();
    }

    [Fact]
    public void Open_ForeignRocksDb_FailsClearly()
    {
        using var f = new StoreFixture();
        var foreign = Path.Combine(f.Directory, "foreign");
        using (var db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), foreign))
        {
            db.Put("k"u8, "v"u8);
        }

        var ex = Assert.Throws<StorageSchemaException>(() => MessageStore.Open(new MessageStoreOptions { Path = foreign }, f.Clock));
        Assert.Contains("not a SessionNode message store", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 1, 10)]
    [InlineData("x", 0, 10)]
    [InlineData("x", 1, 0)]
    public void Open_InvalidOptions_Throws(string path, long cap, int sweepSeconds)
    {
        var options = new MessageStoreOptions { Path = path, MaxLogicalBytes = cap, SweepInterval = TimeSpan.FromSeconds(sweepSeconds) };
        Assert.Throws<ArgumentException>(() => MessageStore.Open(options, TimeProvider.System));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        using var f = new StoreFixture();
        f.Store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.Put(Accounts.Ef, "x"));
        Assert.Throws<ObjectDisposedException>(() => f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null));
        f.Store.Dispose(); // idempotent
        f.Reopen();
    }

    private static void OverwriteSchemaVersion(string path, uint version)
    {
        var families = new ColumnFamilies();
        foreach (var name in RocksDb.ListColumnFamilies(new DbOptions(), path))
        {
            if (name != ColumnFamilies.DefaultName)
            {
                families.Add(name, new ColumnFamilyOptions());
            }
        }

        using var db = RocksDb.Open(new DbOptions(), path, families);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, version);
        db.Put(StorageLayout.SchemaKey, value, db.GetColumnFamily(StorageLayout.MetaFamily));
    }
}
