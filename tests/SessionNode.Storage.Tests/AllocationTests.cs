using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Hot-path allocation guards (STYLE.md §5): a store of a new message allocates nothing.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Store_NewMessage_AllocatesNothing()
    {
        using var f = new StoreFixture();
        var hashes = Enumerable.Range(0, 600).Select(i => "alloc" + i).ToArray();
        var data = new byte[100];
        var expiry = f.Now + 60_000;
        for (var i = 0; i < 100; i++)
        {
            f.Store.Store(Accounts.Numbered(i % 3), Namespace.Default, hashes[i], f.Now, expiry, data); // warm-up
        }

        // Five windows of 100 stores. Any per-store allocation (≥ 24 B each) shows in every window as
        // ≥ 2400 B, so one window of exactly zero proves there is none. One-off runtime allocations on
        // this thread (tiered-JIT call counting, seen rarely at 0.6–2.6 KB when parallel tests load the
        // box) may spoil a window or two, which is why no single window has to be zero.
        var windows = new long[5];
        for (var w = 0; w < windows.Length; w++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 100 + (w * 100); i < 200 + (w * 100); i++)
            {
                f.Store.Store(Accounts.Numbered(i % 3), Namespace.Default, hashes[i], 0, expiry, data);
            }

            windows[w] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(windows.Contains(0L), $"every window of 100 stores allocated: {string.Join(", ", windows)} B");
        Assert.Equal(600, f.Store.MessageCount);
    }
}
