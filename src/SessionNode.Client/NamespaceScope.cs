using SessionNode.Core;

namespace SessionNode.Client;

/// <summary>
/// The namespace argument of <c>delete_all</c>, <c>delete_before</c> and <c>expire_all</c>: one namespace, or
/// every namespace of the account (<c>"all"</c>, client-rpc.md §4). The default value is namespace 0.
/// </summary>
public readonly record struct NamespaceScope
{
    private NamespaceScope(Namespace single, bool all)
    {
        Single = single;
        IsAll = all;
    }

    /// <summary>Every namespace of the account (sent as <c>"all"</c>).</summary>
    public static NamespaceScope All { get; } = new(default, all: true);

    /// <summary>True for <see cref="All"/>.</summary>
    public bool IsAll { get; }

    /// <summary>The namespace when not <see cref="IsAll"/>.</summary>
    public Namespace Single { get; }

    /// <summary>The argument of <see cref="SessionNode.Protocol.SignedMessages"/>: null means "all".</summary>
    internal Namespace? ForSigning => IsAll ? null : Single;

    /// <summary>One namespace.</summary>
    public static NamespaceScope Of(Namespace ns) => new(ns, all: false);

    /// <summary>One namespace.</summary>
    public static implicit operator NamespaceScope(Namespace ns) => Of(ns);

    /// <summary>Converts from a namespace (same as <see cref="Of"/>).</summary>
    public static NamespaceScope FromNamespace(Namespace ns) => Of(ns);

    /// <inheritdoc />
    public override string ToString() => IsAll ? "all" : Single.ToString();
}
