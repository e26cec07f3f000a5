using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Storage.md §7.1 case 11 adapted: readers take no lock, so they never block each other or GetByHash.</summary>
public sealed class ConcurrencyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Reads_WhileAnotherReaderIsParked_CompleteAndSoDoWrites()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 50; i++)
        {
            f.Put(Accounts.Ef, "m" + i);
        }

        using var parked = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var ct = TestContext.Current.CancellationToken;

        // A reader stopped in the middle of a scan, holding its iterator (the "blocked connection").
        var parkedReader = Task.Run(
            () => f.Store.EnumerateMessages(_ =>
            {
                parked.Set();
                return release.Wait(Deadline);
            }).Count(),
            ct);
        Assert.True(parked.Wait(Deadline, ct));

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(
            () =>
            {
                for (var n = 0; n < 200; n++)
                {
                    Assert.Equal(50, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Count);
                    Assert.NotNull(f.Store.GetByHash("m" + (n % 50)));
                }
            },
            ct)).ToArray();
        await Task.WhenAll(readers).WaitAsync(Deadline, ct);
        Assert.NotNull(f.Store.GetByHash("m7"));
        Assert.Equal(StoreOutcome.New, f.Put(Accounts.Ee, "written-while-parked").Outcome);

        release.Set();
        Assert.Equal(50, await parkedReader.WaitAsync(Deadline, ct)); // its snapshot predates the write
    }

    [Fact]
    public async Task ReadsAndWrites_Concurrently_StayConsistent()
    {
        using var f = new StoreFixture();
        var ct = TestContext.Current.CancellationToken;
        var writer = Task.Run(
            () =>
            {
                for (var i = 0; i < 2_000; i++)
                {
                    f.Put(Accounts.Ef, "w" + i);
                    if (i % 10 == 9)
                    {
                        f.Store.DeleteByHash(Accounts.Ef, ["w" + (i - 5)]);
                    }
                }
            },
            ct);

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(
            () =>
            {
                while (!writer.IsCompleted)
                {
                    var messages = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages;
                    for (var i = 1; i < messages.Count; i++)
                    {
                        var previous = int.Parse(messages[i - 1].Hash.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                        var current = int.Parse(messages[i].Hash.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                        Assert.True(previous < current, "insertion order");
                    }
                }
            },
            ct)).ToArray();

        await Task.WhenAll(readers.Append(writer)).WaitAsync(Deadline, ct);
        Assert.Equal(1_800, f.Store.MessageCount);
        Assert.Equal(1_800, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Count);
    }
}
