using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace SessionNode.LoadGen.Workloads;

/// <summary>
/// A reusable <c>store</c> body whose recipient, timestamp and first 12 data bytes are patched in place, so
/// the hot loop builds a distinct request without allocating or re-encoding the payload:
/// <c>{"method":"store","params":{"pubkey":"05…","timestamp":T,"ttl":L,"data":"…"}}</c>, byte-identical to
/// what the typed client's <c>RequestBuilder.Store(recipient, data, ttl: L, timestamp: T)</c> writes (the
/// workload checks that before every run). Owned by one connection task.
/// </summary>
/// <remarks>
/// Data layout: bytes 0–3 the connection tag (big-endian), 4–11 the per-connection counter, the rest
/// random filler shared by the run. 12 bytes are four whole base64 groups, so patching them rewrites
/// exactly the first 16 characters of the encoded data and leaves the padding alone.
/// </remarks>
internal sealed class StoreBodyTemplate
{
    /// <summary>Tag plus counter: four whole base64 groups.</summary>
    public const int PatchedBytes = 12;

    /// <summary>66 hex digits of an account id.</summary>
    public const int PubkeyHexLength = 66;

    /// <summary>Millisecond timestamps have 13 digits from 2001 to 2286.</summary>
    private const int TimestampDigits = 13;

    private const int PatchedChars = PatchedBytes / 3 * 4;

    private readonly byte[] _body;
    private readonly byte[] _data;
    private readonly int _pubkeyOffset;
    private readonly int _timestampOffset;
    private readonly int _dataOffset;

    /// <summary>Creates a template for one connection.</summary>
    /// <param name="filler">The message body template (at least <see cref="PatchedBytes"/> bytes); copied.</param>
    /// <param name="ttlMs">The <c>ttl</c> sent with every message.</param>
    /// <param name="tag">Distinguishes connections (and the verification request) in the data.</param>
    public StoreBodyTemplate(ReadOnlySpan<byte> filler, long ttlMs, uint tag)
    {
        if (filler.Length < PatchedBytes)
        {
            throw new ArgumentException($"Store messages need at least {PatchedBytes} bytes.", nameof(filler));
        }

        _data = filler.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(_data, tag);

        var head = "{\"method\":\"store\",\"params\":{\"pubkey\":\""u8;
        var afterPubkey = "\",\"timestamp\":"u8;
        var afterTimestamp = Encoding.ASCII.GetBytes(",\"ttl\":" + ttlMs.ToString(CultureInfo.InvariantCulture) + ",\"data\":\"");
        var tail = "\"}}"u8;
        var encodedLength = Base64.GetMaxEncodedToUtf8Length(_data.Length);

        _body = new byte[head.Length + PubkeyHexLength + afterPubkey.Length + TimestampDigits + afterTimestamp.Length + encodedLength + tail.Length];
        var span = _body.AsSpan();
        head.CopyTo(span);
        _pubkeyOffset = head.Length;
        span[_pubkeyOffset..(_pubkeyOffset + PubkeyHexLength)].Fill((byte)'0');
        afterPubkey.CopyTo(span[(_pubkeyOffset + PubkeyHexLength)..]);
        _timestampOffset = _pubkeyOffset + PubkeyHexLength + afterPubkey.Length;
        span[_timestampOffset..(_timestampOffset + TimestampDigits)].Fill((byte)'0');
        afterTimestamp.CopyTo(span[(_timestampOffset + TimestampDigits)..]);
        _dataOffset = _timestampOffset + TimestampDigits + afterTimestamp.Length;
        Base64.EncodeToUtf8(_data, span[_dataOffset..], out _, out var written);
        tail.CopyTo(span[(_dataOffset + written)..]);
    }

    /// <summary>The body as last written.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    /// <summary>The message data as last written (for verification).</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Writes a request for <paramref name="pubkeyHex"/> with <paramref name="counter"/> in the data.</summary>
    /// <param name="pubkeyHex">66 lowercase hex digits as UTF-8.</param>
    /// <param name="timestampMs">The message timestamp (13 digits).</param>
    /// <param name="counter">Makes the data, and so the message hash, unique on this connection.</param>
    public ReadOnlyMemory<byte> Write(ReadOnlySpan<byte> pubkeyHex, long timestampMs, long counter)
    {
        var span = _body.AsSpan();
        pubkeyHex.CopyTo(span.Slice(_pubkeyOffset, PubkeyHexLength));
        if (!Utf8Formatter.TryFormat(timestampMs, span.Slice(_timestampOffset, TimestampDigits), out var digits) || digits != TimestampDigits)
        {
            throw new InvalidOperationException($"Timestamp {timestampMs} is not a 13-digit millisecond time.");
        }

        BinaryPrimitives.WriteInt64BigEndian(_data.AsSpan(4), counter);
        Base64.EncodeToUtf8(_data.AsSpan(0, PatchedBytes), span.Slice(_dataOffset, PatchedChars), out _, out _, isFinalBlock: false);
        return _body;
    }
}
