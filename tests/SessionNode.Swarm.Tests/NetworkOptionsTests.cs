namespace SessionNode.Swarm.Tests;

/// <summary>Validation of the <c>Network</c> section's hand-off purge options.</summary>
public sealed class NetworkOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndPurgeAfterAnHour()
    {
        var options = new NetworkOptions();
        Assert.True(new NetworkOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(TimeSpan.FromMinutes(5), options.PurgeInterval);
        Assert.Equal(TimeSpan.FromHours(1), options.PurgeGracePeriod);
        Assert.Equal(1000, options.PurgeBatchAccounts);
    }

    [Fact]
    public void ZeroGrace_IsValid()
    {
        Assert.True(new NetworkOptionsValidator().Validate(null, new NetworkOptions { PurgeGracePeriod = TimeSpan.Zero }).Succeeded);
    }

    [Theory]
    [InlineData(0, 60, 10, "PurgeInterval")]
    [InlineData(-1, 60, 10, "PurgeInterval")]
    [InlineData(1, -1, 10, "PurgeGracePeriod")]
    [InlineData(1, 60, 0, "PurgeBatchAccounts")]
    public void BadPurgeOptions_Fail_NamingTheKey(int intervalSeconds, int graceSeconds, int batch, string key)
    {
        var result = new NetworkOptionsValidator().Validate(null, new NetworkOptions
        {
            PurgeInterval = TimeSpan.FromSeconds(intervalSeconds),
            PurgeGracePeriod = TimeSpan.FromSeconds(graceSeconds),
            PurgeBatchAccounts = batch,
        });
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
