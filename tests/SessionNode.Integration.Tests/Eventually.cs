namespace SessionNode.Integration.Tests;

/// <summary>Condition polling with a deadline, for state that converges asynchronously (membership reloads).</summary>
internal static class Eventually
{
    /// <summary>Default deadline: generous for a loaded 2-core CI machine, short enough to fail fast.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> until it is true; fails the test with <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, Func<string>? lastState = null, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Timed out waiting until {what}. Last state: {lastState?.Invoke() ?? "n/a"}");
            }

            // Poll interval, not a synchronization sleep: the condition decides.
            await Task.Delay(TimeSpan.FromMilliseconds(25), TestContext.Current.CancellationToken);
        }
    }
}
