using SessionNode.Core;

namespace SessionNode.Crypto;

/// <summary>Subaccount token checks of client-rpc.md §6.4, steps 2–4 (the caller checks revocation, step 1).</summary>
public static class SubaccountAuth
{
    /// <summary>
    /// True when the token applies to the account (its prefix matches <paramref name="accountPrefix"/>,
    /// or it carries AnyPrefix), grants every flag in <paramref name="required"/>, and
    /// <paramref name="tokenSignature"/> is the account signing key's Ed25519 signature over the 36
    /// token bytes. On success the caller verifies the request signature with <see cref="SubaccountToken.PublicKey"/>.
    /// </summary>
    public static bool VerifyToken(
        SubaccountToken token,
        byte accountPrefix,
        ReadOnlySpan<byte> accountSigningKey,
        ReadOnlySpan<byte> tokenSignature,
        SubaccountFlags required)
    {
        ArgumentNullException.ThrowIfNull(token);

        var flags = token.Flags;
        if (token.Prefix != accountPrefix && (flags & SubaccountFlags.AnyPrefix) == 0)
        {
            return false;
        }

        if ((flags & required) != required)
        {
            return false;
        }

        return Ed25519.Verify(accountSigningKey, token.Span, tokenSignature);
    }
}
