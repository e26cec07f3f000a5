namespace SessionNode.Client;

/// <summary>A network hard fork version <c>[major, minor]</c> as reported in <c>hf</c> (client-rpc.md §8.4).</summary>
/// <param name="Major">Major version, e.g. 19.</param>
/// <param name="Minor">Minor version, e.g. 4.</param>
public readonly record struct HardFork(int Major, int Minor)
{
    /// <inheritdoc />
    public override string ToString() => $"{Major}.{Minor}";
}
