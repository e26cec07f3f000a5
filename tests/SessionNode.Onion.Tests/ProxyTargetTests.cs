using System.Text.Json;

namespace SessionNode.Onion.Tests;

/// <summary>onion-vectors.json <c>proxy_target_filter</c> and <c>proxy_url_building</c>, plus the private-address decision (§9.2).</summary>
public sealed class ProxyTargetTests
{
    [Fact]
    public void IsAllowedTarget_EveryVector_Matches()
    {
        var cases = OnionVectors.Root.GetProperty("proxy_target_filter").GetProperty("cases");
        Assert.True(cases.GetArrayLength() >= 8);
        foreach (var c in cases.EnumerateArray())
        {
            Assert.True(c.GetProperty("allowed").GetBoolean() == OnionProxyTargets.IsAllowedTarget(c.Str("target")), c.Str("target"));
        }
    }

    [Fact]
    public void BuildUrl_EveryVector_Matches()
    {
        var cases = OnionVectors.Root.GetProperty("proxy_url_building").GetProperty("cases");
        Assert.True(cases.GetArrayLength() >= 4);
        foreach (var c in cases.EnumerateArray())
        {
            Assert.Equal(c.Str("url"), OnionProxyTargets.BuildUrl(c.Str("protocol"), c.Str("host"), c.GetProperty("port").GetInt32(), c.Str("target")));
        }
    }

    [Theory]
    [InlineData("https", true)]
    [InlineData("http", true)]
    [InlineData("HTTPS", false)]
    [InlineData("ftp", false)]
    public void IsAllowedProtocol_ExactNamesOnly(string protocol, bool allowed) =>
        Assert.Equal(allowed, OnionProxyTargets.IsAllowedProtocol(protocol));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.1.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("203.0.113.7", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("files.example.org", false)]
    public void IsPrivateHost_Classifies(string host, bool isPrivate) =>
        Assert.Equal(isPrivate, OnionProxyTargets.IsPrivateHost(host));

    [Fact]
    public void Vectors_AreTheSpecCopy()
    {
        Assert.Equal("session-onion-vectors v1", OnionVectors.Root.GetProperty("format").GetString());
        Assert.Equal(JsonValueKind.Array, OnionVectors.Root.GetProperty("end_to_end").ValueKind);
    }
}
