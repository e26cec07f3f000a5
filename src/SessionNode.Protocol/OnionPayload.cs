using System.Buffers.Binary;

namespace SessionNode.Protocol;

/// <summary>
/// Writer of the onion framing <c>u32le(N) ‖ blob(N) ‖ JSON</c> (onion.md §4), shared by the node (responses,
/// tests) and the client's onion builder. Stateless. Parsing stays in the node (<c>SessionNode.Onion</c>).
/// </summary>
public static class OnionPayload
{
    /// <summary>Size of the little-endian length prefix.</summary>
    public const int PrefixSize = sizeof(uint);

    /// <summary>Bytes <see cref="Write"/> needs for a blob and a JSON part of these lengths.</summary>
    /// <exception cref="OverflowException">The total does not fit an <see cref="int"/>.</exception>
    public static int GetSize(int blobLength, int jsonLength) => checked(PrefixSize + blobLength + jsonLength);

    /// <summary>Writes <c>u32le(len(blob)) ‖ blob ‖ json</c> to <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Write(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> json, Span<byte> destination)
    {
        var size = GetSize(blob.Length, json.Length);
        if (destination.Length < size)
        {
            throw new ArgumentException("The destination is shorter than prefix + blob + JSON.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)blob.Length);
        blob.CopyTo(destination[PrefixSize..]);
        json.CopyTo(destination[(PrefixSize + blob.Length)..]);
        return size;
    }

    /// <summary>Builds a new framed payload <c>u32le(len(blob)) ‖ blob ‖ json</c>.</summary>
    public static byte[] Build(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> json)
    {
        var result = new byte[GetSize(blob.Length, json.Length)];
        Write(blob, json, result);
        return result;
    }
}
