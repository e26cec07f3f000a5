using System.Globalization;

namespace SessionNode.Protocol;

/// <summary>
/// The bencoded list of byte strings used by v4 onion requests to external servers (onion.md §11.2):
/// <c>l</c> ‖ (decimal length ‖ <c>:</c> ‖ bytes)* ‖ <c>e</c>. Request: [request-info JSON, optional body];
/// response: [response-info JSON <c>{"code","headers"}</c>, optional body]. Stateless.
/// </summary>
public static class BencodedList
{
    /// <summary>Longest decimal length prefix accepted when decoding (10 digits cover any <see cref="int"/>).</summary>
    private const int MaxLengthDigits = 10;

    /// <summary>Encodes <paramref name="parts"/> as a bencoded list of byte strings.</summary>
    public static byte[] Encode(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var size = 2;
        foreach (var part in parts)
        {
            size = checked(size + DigitCount(part.Length) + 1 + part.Length);
        }

        var result = new byte[size];
        var offset = 0;
        result[offset++] = (byte)'l';
        foreach (var part in parts)
        {
            part.Length.TryFormat(result.AsSpan(offset), out var digits, default, CultureInfo.InvariantCulture);
            offset += digits;
            result[offset++] = (byte)':';
            part.Span.CopyTo(result.AsSpan(offset));
            offset += part.Length;
        }

        result[offset] = (byte)'e';
        return result;
    }

    /// <summary>
    /// Decodes a list whose elements are all byte strings. False for anything else (other element types,
    /// leading zeros in lengths, truncated input, or bytes after the final <c>e</c>). The parts are slices of
    /// <paramref name="encoded"/>, not copies.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> encoded, out IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        parts = [];
        var span = encoded.Span;
        if (span.Length < 2 || span[0] != (byte)'l')
        {
            return false;
        }

        var list = new List<ReadOnlyMemory<byte>>();
        var offset = 1;
        while (offset < span.Length && span[offset] != (byte)'e')
        {
            var colon = span[offset..].IndexOf((byte)':');
            if (colon <= 0 || colon > MaxLengthDigits || (colon > 1 && span[offset] == (byte)'0')
                || !int.TryParse(span.Slice(offset, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                return false;
            }

            offset += colon + 1;
            if (length > span.Length - offset)
            {
                return false;
            }

            list.Add(encoded.Slice(offset, length));
            offset += length;
        }

        if (offset != span.Length - 1)
        {
            return false; // no closing 'e', or trailing bytes after it
        }

        parts = list;
        return true;
    }

    private static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
