namespace SessionNode.Core;

/// <summary>
/// Message hashes are the 43-character unpadded base64 of BLAKE2b-256(account ‖ nsStr ‖ data)
/// (client-rpc.md §5). They are handled as strings: request hashes are only syntax-checked, never
/// decoded, so a non-canonical spelling can never alias a stored hash.
/// </summary>
public static class MessageHash
{
    /// <summary>True if <paramref name="text"/> is exactly 43 characters of the base64 alphabet.</summary>
    public static bool IsValidSyntax(ReadOnlySpan<char> text)
    {
        if (text.Length != Limits.HashLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/'))
            {
                return false;
            }
        }

        return true;
    }
}
