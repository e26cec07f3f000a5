using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using SessionNode.Daemon.Configuration;
using SessionNode.Rpc;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Daemon.Tests;

/// <summary>
/// Configuration binding runs through the source generator (the only binder of the Native AOT node), which
/// cannot assign init-only properties of an existing options instance: such a setting would be ignored.
/// </summary>
public sealed class OptionsBindingTests
{
    /// <summary>Every options class with a configuration section, in every node assembly.</summary>
    public static TheoryData<Type> BoundOptionsTypes()
    {
        var data = new TheoryData<Type>();
        Assembly[] assemblies = [typeof(DaemonOptions).Assembly, typeof(NodeOptions).Assembly, typeof(MessageStoreOptions).Assembly, typeof(NetworkOptions).Assembly];
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsClass && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true }))
        {
            data.Add(type);
        }

        return data;
    }

    [Fact]
    public void AllNodeSections_AreFound()
        => Assert.True(BoundOptionsTypes().Count >= 9);

    [Theory]
    [MemberData(nameof(BoundOptionsTypes))]
    public void BoundOptions_HaveNoInitOnlyProperties(Type type)
    {
        var initOnly = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) == true)
            .Select(p => p.Name)
            .ToArray();
        Assert.Empty(initOnly);
    }

    [Fact]
    public void GeneratedBinder_SetsEveryKindOfSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:HttpsPort"] = "12345",
            ["Node:DataDir"] = "/tmp/elsewhere",
            ["Storage:BlockCacheBytes"] = "1048576",
            ["Daemon:StatsAccessKeys:0"] = "abc",
        }).Build();
        var node = new NodeOptions();
        configuration.GetSection(NodeOptions.SectionName).Bind(node);
        var storage = new MessageStoreOptions();
        configuration.GetSection(MessageStoreOptions.SectionName).Bind(storage);
        var daemon = new DaemonOptions();
        configuration.GetSection(DaemonOptions.SectionName).Bind(daemon);
        Assert.Equal(12345, node.HttpsPort);
        Assert.Equal("/tmp/elsewhere", node.DataDir);
        Assert.Equal(1048576, storage.BlockCacheBytes);
        Assert.Equal(["abc"], daemon.StatsAccessKeys);
    }
}
