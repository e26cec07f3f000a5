using System.Buffers;
using System.Buffers.Text;

namespace SessionNode.Core;

/// <summary>
/// Base64 with the rules of client-rpc.md §3.3: standard alphabet only, padding optional (but when
/// present it must complete a multiple of 4), 4n+1 lengths invalid, non-zero spare bits tolerated.
/// </summary>
public static class Base64Strict
{
    /// <summary>Maximum decoded length for an encoded length.</summary>
    public static int MaxDecodedLength(int encodedLength) => (encodedLength + 3) / 4 * 3;

    private const string AlphabetChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static readonly SearchValues<char> Alphabet = SearchValues.Create(AlphabetChars);
    private static readonly SearchValues<byte> AlphabetUtf8 = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);

    /// <summary>True if <paramref name="text"/> is syntactically valid base64 under these rules.</summary>
    public static bool IsValid(ReadOnlySpan<char> text) =>
        TrySplit(text, out var body, out _) && !body.ContainsAnyExcept(Alphabet);

    /// <summary>
    /// <see cref="IsValid(ReadOnlySpan{char})"/> over UTF-8 (any non-ASCII byte is invalid), without a UTF-16
    /// copy: oversized request values are checked in place.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8)
    {
        var body = utf8.TrimEnd((byte)'=');
        var pad = utf8.Length - body.Length;
        return pad <= 2 && (pad == 0 || utf8.Length % 4 == 0) && body.Length % 4 != 1 && !body.ContainsAnyExcept(AlphabetUtf8);
    }

    /// <summary>Decodes into <paramref name="dest"/>; false if invalid or too small.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> dest, out int written)
    {
        written = 0;
        if (!TrySplit(text, out var body, out var outLen) || dest.Length < outLen)
        {
            return false;
        }

        // Decode full quads manually so spare bits in the last character are ignored (the BCL rejects them).
        int acc = 0, bits = 0, o = 0;
        foreach (var c in body)
        {
            var v = Value(c);
            if (v < 0)
            {
                return false;
            }

            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                dest[o++] = (byte)(acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }

        written = o;
        return o == outLen;
    }

    /// <summary>Decodes to a new array, or null when invalid.</summary>
    public static byte[]? DecodeOrNull(string text)
    {
        if (!TrySplit(text, out _, out var outLen))
        {
            return null;
        }

        var buf = new byte[outLen];
        return TryDecode(text, buf, out _) ? buf : null;
    }

    /// <summary>Padded standard base64.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);

    /// <summary>Unpadded standard base64.</summary>
    public static string EncodeUnpadded(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=');

    /// <summary>Writes padded base64 as UTF-8 into <paramref name="dest"/>.</summary>
    public static int EncodeUtf8(ReadOnlySpan<byte> data, Span<byte> dest)
    {
        var status = Base64.EncodeToUtf8(data, dest, out _, out var written);
        return status == OperationStatus.Done ? written : throw new ArgumentException("Destination too small.", nameof(dest));
    }

    private static bool TrySplit(ReadOnlySpan<char> text, out ReadOnlySpan<char> body, out int outLen)
    {
        body = text;
        outLen = 0;
        var pad = 0;
        while (body.Length > 0 && body[^1] == '=')
        {
            body = body[..^1];
            pad++;
        }

        if (pad > 2 || (pad > 0 && text.Length % 4 != 0))
        {
            return false;
        }

        var rem = body.Length % 4;
        if (rem == 1)
        {
            return false;
        }

        outLen = body.Length / 4 * 3 + (rem == 0 ? 0 : rem - 1);
        return true;
    }

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
