namespace SessionNode.Client.Tests;

/// <summary>STYLE.md §2: the client sees wire types only, never server code.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Client_ReferencesOnlyCoreCryptoProtocol()
    {
        var references = typeof(SessionNodeClient).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("SessionNode.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Subset(new HashSet<string>(["SessionNode.Core", "SessionNode.Crypto", "SessionNode.Protocol"]), references.ToHashSet());
        Assert.Contains("SessionNode.Core", references);
    }
}
