using System.Globalization;
using System.Text;
using SessionNode.Core;

namespace SessionNode.Protocol;

/// <summary>
/// The exact byte strings clients sign (client-rpc.md §6.8). Numbers are rendered in invariant
/// decimal; hashes are their ASCII text; tokens are raw bytes. The node rebuilds these from parsed
/// values, never from the client's text.
/// </summary>
public static class SignedMessages
{
    /// <summary><c>"store" ‖ nsStr ‖ dec(sigTimestamp)</c>.</summary>
    public static byte[] Store(Namespace ns, long sigTimestampMs) => Concat("store", ns.SignatureString, Dec(sigTimestampMs));

    /// <summary><c>"retrieve" ‖ nsStr ‖ dec(timestamp)</c>.</summary>
    public static byte[] Retrieve(Namespace ns, long timestampMs) => Concat("retrieve", ns.SignatureString, Dec(timestampMs));

    /// <summary><c>"delete" ‖ hashes…</c> in request order.</summary>
    public static byte[] Delete(IReadOnlyList<string> hashes) => Concat("delete", string.Concat(hashes));

    /// <summary><c>"delete_all" ‖ nsStr ‖ dec(timestamp)</c>; <paramref name="ns"/> null means "all".</summary>
    public static byte[] DeleteAll(Namespace? ns, long timestampMs) => Concat("delete_all", NsOrAll(ns), Dec(timestampMs));

    /// <summary><c>"delete_before" ‖ nsStr ‖ dec(before)</c>; null namespace means "all".</summary>
    public static byte[] DeleteBefore(Namespace? ns, long beforeMs) => Concat("delete_before", NsOrAll(ns), Dec(beforeMs));

    /// <summary><c>"expire_all" ‖ nsStr ‖ dec(expiry)</c>; null namespace means "all".</summary>
    public static byte[] ExpireAll(Namespace? ns, long expiryMs) => Concat("expire_all", NsOrAll(ns), Dec(expiryMs));

    /// <summary><c>"expire" ‖ mode ‖ dec(expiries)… ‖ hashes…</c>; mode is "shorten", "extend" or empty.</summary>
    public static byte[] Expire(bool shorten, bool extend, IReadOnlyList<long> expiries, IReadOnlyList<string> hashes)
    {
        var sb = new StringBuilder("expire");
        sb.Append(shorten ? "shorten" : extend ? "extend" : string.Empty);
        foreach (var e in expiries)
        {
            sb.Append(Dec(e));
        }

        foreach (var h in hashes)
        {
            sb.Append(h);
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary><c>"get_expiries" ‖ dec(timestamp) ‖ hashes…</c>.</summary>
    public static byte[] GetExpiries(long timestampMs, IReadOnlyList<string> hashes) => Concat("get_expiries", Dec(timestampMs), string.Concat(hashes));

    /// <summary><c>"revoke_subaccount" ‖ dec(timestamp) ‖ raw tokens…</c>.</summary>
    public static byte[] RevokeSubaccount(long timestampMs, IReadOnlyList<SubaccountToken> tokens) => WithTokens("revoke_subaccount" + Dec(timestampMs), tokens);

    /// <summary><c>"unrevoke_subaccount" ‖ dec(timestamp) ‖ raw tokens…</c>.</summary>
    public static byte[] UnrevokeSubaccount(long timestampMs, IReadOnlyList<SubaccountToken> tokens) => WithTokens("unrevoke_subaccount" + Dec(timestampMs), tokens);

    /// <summary><c>"MONITOR" ‖ hex(account) ‖ dec(t seconds) ‖ "1"/"0" ‖ namespaces joined by ","</c>.</summary>
    public static byte[] Monitor(in AccountId account, long timestampSeconds, bool wantData, IReadOnlyList<short> namespaces) =>
        Concat("MONITOR", account.ToHex(), Dec(timestampSeconds), wantData ? "1" : "0", string.Join(',', namespaces.Select(n => n.ToString(CultureInfo.InvariantCulture))));

    /// <summary>Invariant decimal rendering.</summary>
    public static string Dec(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string NsOrAll(Namespace? ns) => ns is { } n ? n.SignatureString : "all";

    private static byte[] Concat(params ReadOnlySpan<string> parts) => Encoding.UTF8.GetBytes(string.Concat(parts));

    /// <summary>ASCII <paramref name="prefix"/> followed by the raw bytes of each token.</summary>
    internal static byte[] WithTokens(string prefix, IReadOnlyList<SubaccountToken> tokens)
    {
        var head = Encoding.UTF8.GetBytes(prefix);
        var result = new byte[head.Length + tokens.Count * SubaccountToken.Length];
        head.CopyTo(result, 0);
        var o = head.Length;
        foreach (var t in tokens)
        {
            t.Span.CopyTo(result.AsSpan(o));
            o += SubaccountToken.Length;
        }

        return result;
    }
}
