using System.Text.Json;
using SessionNode.Core;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>One member's answer to <c>store</c> (client-rpc.md §9.1).</summary>
public sealed class StoreNodeEntry : NodeEntry
{
    internal StoreNodeEntry(string nodePubkeyHex, JsonElement entry, string expectedHash)
        : base(nodePubkeyHex, entry)
    {
        Hash = JsonRead.OptionalString(entry, "hash");
        Expiry = JsonRead.OptionalInt64(entry, "expiry");
        Already = JsonRead.Truthy(entry, "already");
        T = JsonRead.OptionalInt64(entry, "t");

        // The node signs the hash it stored; checking it against the locally computed hash proves the node
        // stored exactly this message for this account and namespace.
        if (Hash == expectedHash)
        {
            Verify(NodeSignedMessages.Store(expectedHash));
        }
    }

    /// <summary>The message hash the node stored, or null on failure.</summary>
    public string? Hash { get; }

    /// <summary>The resulting expiry in ms (the later of an existing copy's and the requested one).</summary>
    public long? Expiry { get; }

    /// <summary>True when the node already had this message (§9.1 "already").</summary>
    public bool Already { get; }

    /// <summary>The node's time in ms; only in the entry node's own entry (legacy).</summary>
    public long? T { get; }
}

/// <summary>The answer to <c>store</c>: per-member entries plus the legacy top-level <c>hash</c>.</summary>
public sealed class StoreResult : SwarmResult<StoreNodeEntry>
{
    internal StoreResult(JsonElement body, string expectedHash)
        : base(body, (key, e) => new StoreNodeEntry(key, e, expectedHash))
    {
        Hash = JsonRead.OptionalString(body, "hash");
        ExpectedHash = expectedHash;
    }

    /// <summary>The top-level <c>hash</c>: present only when the entry node stored the message.</summary>
    public string? Hash { get; }

    /// <summary>The hash computed locally from account, namespace and data (§5).</summary>
    public string ExpectedHash { get; }

    /// <summary>True when the locally computed hash is what the node reported.</summary>
    public bool HashMatches => Hash == ExpectedHash;
}

/// <summary>Computes the hash a node will assign to a message (§5), using the node's own algorithm.</summary>
internal static class ExpectedHash
{
    public static string Of(in AccountId account, Namespace ns, ReadOnlySpan<byte> data) =>
        Crypto.MessageHasher.Compute(account, ns, data);
}
