using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Hot-path allocation guards (STYLE.md §5): a store of a new message allocates nothing.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Store_NewMessage_AllocatesNothing()
    {
        using var f = new StoreFixture();
        var hashes = Enumerable.Range(0, 300).Select(i => "alloc" + i).ToArray();
        var data = new byte[100];
        var expiry = f.Now + 60_000;
        for (var i = 0; i < 100; i++)
        {
            f.Store.Store(Accounts.Numbered(i % 3), Namespace.Default, hashes[i], f.Now, expiry, data); // warm-up
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 300; i++)
        {
            f.Store.Store(Accounts.Numbered(i % 3), Namespace.Default, hashes[i], 0, expiry, data);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(300, f.Store.MessageCount);
    }
}
