namespace SessionNode.Core;

/// <summary>Strict hex helpers (case-insensitive input, lowercase output).</summary>
public static class Hex
{
    /// <summary>Decodes <paramref name="hex"/> into <paramref name="dest"/>, which must be exactly half its length.</summary>
    public static bool TryDecode(ReadOnlySpan<char> hex, Span<byte> dest)
    {
        if (hex.Length != dest.Length * 2)
        {
            return false;
        }

        return Convert.FromHexString(hex, dest, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == dest.Length;
    }

    /// <summary>True if every character is a hex digit and the length is even.</summary>
    public static bool IsHex(ReadOnlySpan<char> text)
    {
        if (text.Length % 2 != 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
