namespace SessionNode.Protocol;

/// <summary>z-base-32 (alphabet <c>ybndrfg8ejkmcpqxot1uwisza345h769</c>, MSB first, no padding), used for <c>.snode</c> addresses.</summary>
public static class ZBase32
{
    private const string Alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";

    /// <summary>Encodes <paramref name="data"/>; the final partial group is zero-padded on the right.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int acc = 0, bits = 0, o = 0;
        foreach (var b in data)
        {
            acc = (acc << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[o++] = Alphabet[(acc >> bits) & 31];
            }

            acc &= (1 << bits) - 1;
        }

        if (bits > 0)
        {
            chars[o++] = Alphabet[(acc << (5 - bits)) & 31];
        }

        return new string(chars, 0, o);
    }

    /// <summary>
    /// Decodes <paramref name="text"/> (lowercase alphabet); trailing bits that do not fill a byte are
    /// dropped. False on a character outside the alphabet.
    /// </summary>
    public static bool TryDecode(string text, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(text);
        data = new byte[text.Length * 5 / 8];
        int acc = 0, bits = 0, o = 0;
        foreach (var c in text)
        {
            var v = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0)
            {
                data = [];
                return false;
            }

            acc = (acc << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                data[o++] = (byte)(acc >> bits);
            }

            acc &= (1 << bits) - 1;
        }

        return true;
    }
}
