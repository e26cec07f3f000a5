using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SessionNode.Daemon.Configuration;
using SessionNode.Daemon.Hosting;
using SessionNode.Testing;

namespace SessionNode.Daemon.Tests;

public sealed class NativeHeapTrimmerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void Trim_AfterFreeingBlocksInTheMiddleOfTheHeap_ReleasesMemory()
    {
        Assert.SkipUnless(MallocTrim.IsAvailable, "malloc_trim needs glibc");

        // 16 MiB of 32 KiB blocks (malloc'd: below glibc's mmap threshold, so they come from a heap), all
        // touched, then freed except the last: glibc cannot give the freed pages back by shrinking the top.
        const int Count = 512;
        const int Size = 32 * 1024;
        var pattern = new byte[Size];
        Array.Fill(pattern, (byte)0x5a);
        var blocks = new nint[Count];
        for (var i = 0; i < Count; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(Size);
            Marshal.Copy(pattern, 0, blocks[i], Size);
        }

        for (var i = 0; i < Count - 1; i++)
        {
            Marshal.FreeHGlobal(blocks[i]);
        }

        try
        {
            Assert.True(MallocTrim.Trim());
        }
        finally
        {
            Marshal.FreeHGlobal(blocks[Count - 1]);
        }
    }

    [Fact]
    public async Task Trimmer_TrimsEachTimeTheClockPassesTheInterval()
    {
        Assert.SkipUnless(MallocTrim.IsAvailable, "malloc_trim needs glibc");
        var clock = TestClock.Create();
        using var trimmer = Create(TimeSpan.FromSeconds(10), clock);

        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        // ExecuteAsync starts its timer on a pool thread; keep moving the clock until two periods have fired.
        await TestSwarm.WaitUntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(10));
                return Task.FromResult(trimmer.Trims >= 2);
            },
            Deadline,
            "two trims",
            TestContext.Current.CancellationToken);

        await trimmer.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(trimmer.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Trimmer_ZeroInterval_NeverTrims()
    {
        var clock = TestClock.Create();
        using var trimmer = Create(TimeSpan.Zero, clock);

        await trimmer.StartAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMinutes(5));

        await TestSwarm.WaitUntilAsync(() => Task.FromResult(trimmer.ExecuteTask!.IsCompleted), Deadline, "the trimmer to finish", TestContext.Current.CancellationToken);
        Assert.Equal(0, trimmer.Trims);
        await trimmer.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Validator_NegativeInterval_Fails()
    {
        var result = new DaemonOptionsValidator().Validate(null, new DaemonOptions { NativeHeapTrimInterval = TimeSpan.FromSeconds(-1) });

        Assert.True(result.Failed);
        Assert.Contains("Daemon:NativeHeapTrimInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new DaemonOptionsValidator().Validate(null, new DaemonOptions { NativeHeapTrimInterval = TimeSpan.Zero }).Succeeded);
    }

    private static NativeHeapTrimmer Create(TimeSpan interval, TimeProvider clock) =>
        new(Options.Create(new DaemonOptions { NativeHeapTrimInterval = interval }), clock, NullLogger<NativeHeapTrimmer>.Instance);
}
