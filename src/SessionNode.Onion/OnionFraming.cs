using System.Buffers.Binary;
using SessionNode.Protocol;

namespace SessionNode.Onion;

/// <summary>
/// Where the parts of one <c>u32le(N) ‖ blob(N) ‖ JSON</c> payload lie (onion.md §4). Offsets only, so
/// the caller slices its own buffer and the blob is never copied.
/// </summary>
public readonly record struct OnionFrame(int BlobOffset, int BlobLength, int JsonOffset, int JsonLength)
{
    /// <summary>The blob within <paramref name="payload"/> (the span the frame was parsed from).</summary>
    public ReadOnlySpan<byte> Blob(ReadOnlySpan<byte> payload) => payload.Slice(BlobOffset, BlobLength);

    /// <summary>The JSON text within <paramref name="payload"/>.</summary>
    public ReadOnlySpan<byte> Json(ReadOnlySpan<byte> payload) => payload.Slice(JsonOffset, JsonLength);

    /// <summary>The blob within <paramref name="payload"/>, as memory.</summary>
    public ReadOnlyMemory<byte> Blob(ReadOnlyMemory<byte> payload) => payload.Slice(BlobOffset, BlobLength);
}

/// <summary>Parser and builder of the onion framing <c>u32le(N) ‖ blob ‖ JSON</c> (onion.md §4). Stateless.</summary>
public static class OnionFraming
{
    /// <summary>Size of the little-endian length prefix.</summary>
    public const int PrefixSize = OnionPayload.PrefixSize;

    /// <summary>
    /// Splits a complete payload. False (with <paramref name="error"/>) when it is shorter than the prefix
    /// or than the announced blob. The JSON part is not validated here (see <see cref="OnionJson"/>);
    /// an empty JSON part is left to the JSON rules, which reject it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out OnionFrame frame, out string? error)
    {
        frame = default;
        if (payload.Length < PrefixSize)
        {
            error = "payload shorter than the 4-byte length prefix";
            return false;
        }

        var n = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if (n > (uint)(payload.Length - PrefixSize))
        {
            error = "length prefix exceeds the payload";
            return false;
        }

        var jsonOffset = PrefixSize + (int)n;
        frame = new OnionFrame(PrefixSize, (int)n, jsonOffset, payload.Length - jsonOffset);
        error = null;
        return true;
    }

    /// <summary>Bytes <see cref="Write"/> needs for this blob and JSON.</summary>
    public static int GetSize(int blobLength, int jsonLength) => OnionPayload.GetSize(blobLength, jsonLength);

    /// <summary>Writes <c>u32le(len(blob)) ‖ blob ‖ json</c> to <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> json, Span<byte> destination) =>
        OnionPayload.Write(blob, json, destination);

    /// <summary>Builds a new framed payload.</summary>
    public static byte[] Build(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> json) => OnionPayload.Build(blob, json);
}
