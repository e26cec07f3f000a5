using System.Text;
using SessionNode.Core;

namespace SessionNode.Protocol;

/// <summary>
/// The byte strings a node signs over its results (client-rpc.md §6.8, lower table). Clients use the
/// same builders to verify per-node entries.
/// </summary>
public static class NodeSignedMessages
{
    /// <summary>store: the 43 ASCII bytes of the hash.</summary>
    public static byte[] Store(string hash) => Encoding.ASCII.GetBytes(hash);

    /// <summary>delete: PUBKEY_HEX ‖ requested hashes ‖ deleted hashes (sorted).</summary>
    public static byte[] Delete(in AccountId account, IReadOnlyList<string> requested, IReadOnlyList<string> deletedSorted) =>
        Encoding.ASCII.GetBytes(string.Concat(account.ToHex(), string.Concat(requested), string.Concat(deletedSorted)));

    /// <summary>delete_all / delete_before / expire_all: PUBKEY_HEX ‖ dec(value) ‖ hashes (one global ordinal sort).</summary>
    public static byte[] WithValueAndHashes(in AccountId account, long value, IReadOnlyList<string> hashesSorted) =>
        Encoding.ASCII.GetBytes(string.Concat(account.ToHex(), SignedMessages.Dec(value), string.Concat(hashesSorted)));

    /// <summary>
    /// expire: PUBKEY_HEX ‖ expiry part ‖ requested hashes ‖ updated hashes (sorted) ‖ (hash ‖ dec(expiry)) of each
    /// unchanged entry in hash order. The expiry part is dec(applied expiry) in single mode, or the concatenated
    /// dec(expiry) of each updated hash in sorted order in multi mode.
    /// </summary>
    public static byte[] Expire(
        in AccountId account,
        string expiryPart,
        IReadOnlyList<string> requested,
        IReadOnlyList<string> updatedSorted,
        IReadOnlyList<KeyValuePair<string, long>> unchangedSorted)
    {
        var sb = new StringBuilder(account.ToHex());
        sb.Append(expiryPart);
        foreach (var h in requested)
        {
            sb.Append(h);
        }

        foreach (var h in updatedSorted)
        {
            sb.Append(h);
        }

        foreach (var (h, e) in unchangedSorted)
        {
            sb.Append(h).Append(SignedMessages.Dec(e));
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>revoke/unrevoke: PUBKEY_HEX ‖ dec(timestamp) ‖ raw tokens (request order).</summary>
    public static byte[] Revocation(in AccountId account, long timestampMs, IReadOnlyList<SubaccountToken> tokens) =>
        SignedMessages.WithTokens(account.ToHex() + SignedMessages.Dec(timestampMs), tokens);
}
