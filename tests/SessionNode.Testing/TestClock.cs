using Microsoft.Extensions.Time.Testing;

namespace SessionNode.Testing;

/// <summary>The tests' clock: a <see cref="FakeTimeProvider"/> starting at a fixed, realistic instant, advanced only by the test.</summary>
public static class TestClock
{
    /// <summary>2023-11-14T22:13:20Z, unix time 1 700 000 000 000 ms.</summary>
    public static DateTimeOffset Start { get; } = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    /// <summary>A new clock at <see cref="Start"/>.</summary>
    public static FakeTimeProvider Create() => new(Start);
}
