using System.Text.Json;

namespace SessionNode.Client;

/// <summary>One member's answer to <c>expire</c> (client-rpc.md §9.9).</summary>
public sealed class ExpireNodeEntry : NodeEntry
{
    internal ExpireNodeEntry(string nodePubkeyHex, JsonElement entry, Func<ExpireNodeEntry, byte[]> signedMessage)
        : base(nodePubkeyHex, entry)
    {
        if (JsonRead.TryGet(entry, "updated", out var updated))
        {
            Updated = JsonRead.StringList(updated, "updated");
        }
        else
        {
            Updated = Failed ? [] : throw JsonRead.Bad("missing 'updated'");
        }

        if (JsonRead.TryGet(entry, "expiry", out var expiry))
        {
            if (expiry.ValueKind == JsonValueKind.Array)
            {
                var list = new List<long>(expiry.GetArrayLength());
                foreach (var e in expiry.EnumerateArray())
                {
                    list.Add(JsonRead.Int64Value(e, "expiry"));
                }

                Expiries = list;
            }
            else
            {
                Expiry = JsonRead.Int64Value(expiry, "expiry");
            }
        }

        if (JsonRead.TryGet(entry, "unchanged", out var unchanged))
        {
            JsonRead.Object(unchanged, "'unchanged'");
            var map = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var p in unchanged.EnumerateObject())
            {
                map[p.Name] = JsonRead.Int64Value(p.Value, "unchanged");
            }

            Unchanged = map;
        }

        if (!Failed)
        {
            Verify(signedMessage(this));
        }
    }

    /// <summary>Hashes whose expiry changed, as the node listed them (ordinal order per protocol).</summary>
    public IReadOnlyList<string> Updated { get; }

    /// <summary>Single-expiry mode: the applied (clamped) expiry in ms, even if nothing was updated.</summary>
    public long? Expiry { get; }

    /// <summary>Multi-expiry mode: the applied expiry of each <see cref="Updated"/> hash, in the same order.</summary>
    public IReadOnlyList<long>? Expiries { get; }

    /// <summary>
    /// Requested hashes that exist but were not changed, with their current expiry; present only when the
    /// request set <c>shorten</c> or <c>extend</c>.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Unchanged { get; }
}

/// <summary>The answer to <c>expire</c>.</summary>
public sealed class ExpireResult : SwarmResult<ExpireNodeEntry>
{
    internal ExpireResult(JsonElement body, Func<ExpireNodeEntry, byte[]> signedMessage)
        : base(body, (key, e) => new ExpireNodeEntry(key, e, signedMessage))
    {
    }
}

/// <summary>One member's answer to <c>revoke_subaccount</c> or <c>unrevoke_subaccount</c> (§9.11, §9.12).</summary>
public sealed class RevocationNodeEntry : NodeEntry
{
    internal RevocationNodeEntry(string nodePubkeyHex, JsonElement entry, byte[] signedMessage)
        : base(nodePubkeyHex, entry)
    {
        Count = JsonRead.OptionalInt64(entry, "count");
        if (!Failed)
        {
            Verify(signedMessage);
        }
    }

    /// <summary>For unrevoke, the number of tokens actually removed; optional for revoke.</summary>
    public long? Count { get; }
}

/// <summary>The answer to <c>revoke_subaccount</c> or <c>unrevoke_subaccount</c>.</summary>
public sealed class RevocationResult : SwarmResult<RevocationNodeEntry>
{
    internal RevocationResult(JsonElement body, byte[] signedMessage)
        : base(body, (key, e) => new RevocationNodeEntry(key, e, signedMessage))
    {
    }
}
