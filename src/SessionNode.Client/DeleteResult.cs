using System.Globalization;
using System.Text.Json;

namespace SessionNode.Client;

/// <summary>
/// One member's answer to <c>delete</c>, <c>delete_all</c> or <c>delete_before</c> (client-rpc.md §9.5–§9.7).
/// </summary>
public sealed class DeletedNodeEntry : NodeEntry
{
    internal DeletedNodeEntry(string nodePubkeyHex, JsonElement entry, Func<DeletedNodeEntry, byte[]> signedMessage)
        : base(nodePubkeyHex, entry)
    {
        (Deleted, DeletedByNamespace) = HashLists.Parse(entry, "deleted", Failed);
        if (!Failed)
        {
            Verify(signedMessage(this));
        }
    }

    /// <summary>
    /// Deleted hashes as the node listed them (the protocol prescribes ordinal order). For a <c>"all"</c> request
    /// this is every namespace's hashes in one ordinal sort.
    /// </summary>
    public IReadOnlyList<string> Deleted { get; }

    /// <summary>
    /// For a <c>"all"</c> request, the deleted hashes per namespace as the node reported them (namespaces without
    /// deletions are absent); null for a single-namespace answer.
    /// </summary>
    public IReadOnlyDictionary<short, IReadOnlyList<string>>? DeletedByNamespace { get; }
}

/// <summary>The answer to <c>delete</c>, <c>delete_all</c> or <c>delete_before</c>.</summary>
public sealed class DeleteResult : SwarmResult<DeletedNodeEntry>
{
    internal DeleteResult(JsonElement body, Func<DeletedNodeEntry, byte[]> signedMessage)
        : base(body, (key, e) => new DeletedNodeEntry(key, e, signedMessage))
    {
    }
}

/// <summary>One member's answer to <c>expire_all</c> (client-rpc.md §9.8).</summary>
public sealed class UpdatedNodeEntry : NodeEntry
{
    internal UpdatedNodeEntry(string nodePubkeyHex, JsonElement entry, Func<UpdatedNodeEntry, byte[]> signedMessage)
        : base(nodePubkeyHex, entry)
    {
        (Updated, UpdatedByNamespace) = HashLists.Parse(entry, "updated", Failed);
        if (!Failed)
        {
            Verify(signedMessage(this));
        }
    }

    /// <summary>Hashes whose expiry was shortened, as the node listed them (one ordinal sort for <c>"all"</c>).</summary>
    public IReadOnlyList<string> Updated { get; }

    /// <summary>For a <c>"all"</c> request, the updated hashes per namespace; null otherwise.</summary>
    public IReadOnlyDictionary<short, IReadOnlyList<string>>? UpdatedByNamespace { get; }
}

/// <summary>The answer to <c>expire_all</c>.</summary>
public sealed class ExpireAllResult : SwarmResult<UpdatedNodeEntry>
{
    internal ExpireAllResult(JsonElement body, Func<UpdatedNodeEntry, byte[]> signedMessage)
        : base(body, (key, e) => new UpdatedNodeEntry(key, e, signedMessage))
    {
    }
}

/// <summary>Reads a sorted hash list or a namespace → hash list map.</summary>
internal static class HashLists
{
    public static (IReadOnlyList<string> Sorted, IReadOnlyDictionary<short, IReadOnlyList<string>>? ByNamespace) Parse(
        JsonElement entry, string key, bool failed)
    {
        if (!JsonRead.TryGet(entry, key, out var v))
        {
            return failed ? ([], null) : throw JsonRead.Bad($"missing '{key}'");
        }

        if (v.ValueKind == JsonValueKind.Array)
        {
            return (JsonRead.StringList(v, key), null);
        }

        JsonRead.Object(v, $"'{key}'");
        var all = new List<string>();
        var map = new Dictionary<short, IReadOnlyList<string>>();
        foreach (var p in v.EnumerateObject())
        {
            if (!short.TryParse(p.Name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ns))
            {
                throw JsonRead.Bad($"'{key}' has a non-namespace key '{p.Name}'");
            }

            var hashes = JsonRead.StringList(p.Value, key);
            map[ns] = hashes;
            all.AddRange(hashes);
        }

        all.Sort(string.CompareOrdinal);
        return (all, map);
    }
}
