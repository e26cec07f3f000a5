using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Onion;

/// <summary>The edge's parsed HTTP body (onion.md §5.2): where C1 lies in the body, and how to open it.</summary>
/// <param name="Ciphertext">Location of C1 within the body.</param>
/// <param name="EphemeralKey">32-byte client ephemeral key for C1.</param>
/// <param name="EncType">C1's encryption type (aes-gcm when absent).</param>
/// <param name="HopNo">Starting hop number (default 0, negatives clamped to 0).</param>
public readonly record struct OnionEdgeRequest(OnionFrame Ciphertext, byte[] EphemeralKey, EncryptionType EncType, int HopNo);

/// <summary>
/// Peels onion layers with the node's X25519 key and builds the encrypted responses (onion.md §5.2, §6,
/// §8). Holds only immutable dependencies; thread-safe. Does not own the key pair.
/// </summary>
public sealed class OnionProcessor
{
    /// <summary>A relayed layer whose hop number is above this is refused (onion.md §7.4).</summary>
    public const int MaxHopNo = 15;

    /// <summary>Inner body of the encrypted error for a malformed layer (§6 step 4).</summary>
    public const string InvalidJson = "Invalid json";

    /// <summary>Inner body of the encrypted error for a rejected exit URL (§9.2).</summary>
    public const string InvalidUrl = "Invalid url";

    /// <summary>Room rented after a layer's plaintext for a relay layer's decoded destination and ephemeral key.</summary>
    internal const int RelayKeysSize = 2 * OnionKeyBytes.Size;

    private static ReadOnlySpan<byte> WrapBodyPrefix => "{\"body\":\""u8;

    private static ReadOnlySpan<byte> WrapStatusInfix => "\",\"status\":"u8;

    /// <summary>Per-thread writer for the §8.2 wrapper (reset per call; never held across calls).</summary>
    [ThreadStatic]
    private static WrapWriter? _threadWrapWriter;

    private readonly ChannelEncryption _channel;
    private readonly INonceSource _nonces;

    /// <summary>Creates the processor for <paramref name="nodeKeys"/> (server role); <paramref name="nonces"/> is a test seam.</summary>
    public OnionProcessor(X25519KeyPair nodeKeys, INonceSource? nonces = null)
    {
        _channel = new ChannelEncryption(nodeKeys, isServer: true);
        _nonces = nonces ?? RandomNonceSource.Instance;
    }

    /// <summary>
    /// Parses the edge's HTTP body (§5.2): framing, strict JSON, <c>ephemeral_key</c> (64 hex, required),
    /// <c>enc_type</c> (optional, default aes-gcm), <c>hop_no</c> (optional integer). On failure
    /// <paramref name="error"/> is the detail for <c>Error parsing onion request: &lt;detail&gt;</c>.
    /// </summary>
    public static bool TryParseRequestBody(ReadOnlySpan<byte> body, out OnionEdgeRequest request, out string? error)
    {
        request = default;
        if (!OnionFraming.TryParse(body, out var frame, out error))
        {
            return false;
        }

        if (!OnionJson.TryParse(frame.Json(body), out var control, out error))
        {
            return false;
        }

        if (control.EphemeralKey.State != JsonFieldState.Valid)
        {
            error = control.EphemeralKey.IsPresent ? "invalid ephemeral_key" : "missing ephemeral_key";
            return false;
        }

        if (!TryGetEncType(control.EncType, out var encType))
        {
            error = control.UnknownEncType is { } name ? "Invalid encryption type " + name : "invalid enc_type";
            return false;
        }

        var hopNo = 0;
        if (control.HopNo.IsPresent)
        {
            if (control.HopNo.State != JsonFieldState.Valid)
            {
                error = "hop_no is not an integer";
                return false;
            }

            hopNo = (int)Math.Clamp(control.HopNo.Value, 0, int.MaxValue);
        }

        var ephemeral = control.EphemeralKey.Value;
        request = new OnionEdgeRequest(frame, ((ReadOnlySpan<byte>)ephemeral).ToArray(), encType, hopNo);
        error = null;
        return true;
    }

    /// <summary>
    /// Decrypts one layer into a pooled buffer and classifies it (§6 steps 2–4). Never throws for bad input.
    /// The caller disposes the outcome once it is done with <see cref="OnionLayerOutcome.Blob"/>.
    /// </summary>
    public OnionLayerOutcome ProcessLayer(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> ephemeralKey, EncryptionType encType)
    {
        var overhead = EncryptionTypes.Overhead(encType);
        if (ciphertext.Length < overhead || !_channel.TryDeriveKey(encType, ephemeralKey, out var key))
        {
            return new OnionLayerOutcome(OnionLayerKind.DecryptError, default, null, default, default) { Error = "cannot derive key or too short" };
        }

        var length = ciphertext.Length - overhead;
        // Extra room after the plaintext for a relay layer's two decoded keys (no per-hop key arrays).
        var rented = ArrayPool<byte>.Shared.Rent(length + RelayKeysSize);
        if (!key.TryOpen(ciphertext, rented, out var written))
        {
            ArrayPool<byte>.Shared.Return(rented);
            return new OnionLayerOutcome(OnionLayerKind.DecryptError, default, null, default, default) { Error = "authentication failed" };
        }

        return Classify(rented.AsMemory(0, written), key, rented);
    }

    /// <summary>Classifies an already decrypted layer (§6 step 3) without taking ownership of it (tests, tools).</summary>
    public static OnionLayerOutcome Classify(ReadOnlyMemory<byte> plaintext, ChannelKey key = default) => Classify(plaintext, key, rented: null);

    /// <summary>
    /// Builds the response plaintext of §8.2: <c>{"body":…,"status":…}</c>, keys in that order, compact. A
    /// string body (or a JSON body with <paramref name="jsonFlag"/> false) is carried as a JSON string; bodies
    /// that are not valid UTF-8 are base64-encoded first.
    /// </summary>
    public static byte[] WrapResponse(int status, ReadOnlySpan<byte> body, bool bodyIsJson, bool jsonFlag)
    {
        var wrap = RentWrapWriter();
        try
        {
            return Wrap(wrap, status, body, bodyIsJson, jsonFlag).ToArray();
        }
        finally
        {
            ReturnWrapWriter(wrap);
        }
    }

    /// <summary>
    /// Wraps (§8.2) and encrypts (§8.3) an RPC result with this layer's key and a fresh nonce; returns the
    /// HTTP body: padded standard base64 of the ciphertext, or the raw ciphertext when <paramref name="base64"/> is false.
    /// </summary>
    public byte[] EncryptResponse(in ChannelKey key, int status, ReadOnlySpan<byte> body, bool bodyIsJson, bool jsonFlag, bool base64)
    {
        var wrap = RentWrapWriter();
        try
        {
            return Seal(key, Wrap(wrap, status, body, bodyIsJson, jsonFlag), base64);
        }
        finally
        {
            ReturnWrapWriter(wrap);
        }
    }

    /// <summary>The encrypted 400 error for a layer (<see cref="InvalidJson"/> or <see cref="InvalidUrl"/>), default flags.</summary>
    public byte[] EncryptError(in ChannelKey key, string text)
        => EncryptResponse(key, 400, System.Text.Encoding.UTF8.GetBytes(text), bodyIsJson: false, jsonFlag: false, base64: true);

    /// <summary>
    /// Seals <paramref name="plaintext"/> with <paramref name="key"/>; base64 (padded) unless <paramref name="base64"/> is false.
    /// The returned array is the only allocation: base64 is encoded in place over the sealed bytes.
    /// </summary>
    public byte[] Seal(in ChannelKey key, ReadOnlySpan<byte> plaintext, bool base64)
    {
        var sealedLength = plaintext.Length + key.Overhead;
        var output = new byte[base64 ? Base64.GetMaxEncodedToUtf8Length(sealedLength) : sealedLength];
        key.Seal(plaintext, output, _nonces);
        if (!base64)
        {
            return output;
        }

        var status = Base64.EncodeToUtf8InPlace(output, sealedLength, out var written);
        if (status != OperationStatus.Done || written != output.Length)
        {
            throw new InvalidOperationException("base64 of the sealed reply did not fill its buffer");
        }

        return output;
    }

    private static ReadOnlySpan<byte> Wrap(WrapWriter wrap, int status, ReadOnlySpan<byte> body, bool bodyIsJson, bool jsonFlag)
    {
        if (!(bodyIsJson && jsonFlag) && TryWrapPrintableAscii(wrap.Buffer, status, body))
        {
            return wrap.Buffer.WrittenSpan;
        }

        return WrapWithWriter(wrap, status, body, bodyIsJson, jsonFlag);
    }

    /// <summary>
    /// The common reply (a storage RPC's compact JSON or an error text carried as a JSON string) when every body
    /// byte is printable ASCII: then the relaxed encoder escapes exactly <c>"</c> and <c>\</c>, which this does
    /// with vectorised searches instead of Utf8JsonWriter's per-character escaping (1.3 µs for a store result).
    /// Anything else (controls, DEL, non-ASCII) returns false and goes through the writer. Tests hold both
    /// routes to the same bytes for every printable character.
    /// </summary>
    internal static bool TryWrapPrintableAscii(ArrayBufferWriter<byte> buffer, int status, ReadOnlySpan<byte> body)
    {
        if (body.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) >= 0)
        {
            return false;
        }

        var escapes = body.Count((byte)'"') + body.Count((byte)'\\');
        const int MaxStatusDigits = 11; // "-2147483648"
        var span = buffer.GetSpan(WrapBodyPrefix.Length + body.Length + escapes + WrapStatusInfix.Length + MaxStatusDigits + 1);
        WrapBodyPrefix.CopyTo(span);
        var position = WrapBodyPrefix.Length;
        var rest = body;
        int next;
        while ((next = rest.IndexOfAny((byte)'"', (byte)'\\')) >= 0)
        {
            rest[..next].CopyTo(span[position..]);
            position += next;
            span[position++] = (byte)'\\';
            span[position++] = rest[next];
            rest = rest[(next + 1)..];
        }

        rest.CopyTo(span[position..]);
        position += rest.Length;
        WrapStatusInfix.CopyTo(span[position..]);
        position += WrapStatusInfix.Length;
        if (!Utf8Formatter.TryFormat(status, span[position..], out var digits))
        {
            throw new InvalidOperationException("status digits did not fit");
        }

        position += digits;
        span[position++] = (byte)'}';
        buffer.Advance(position);
        return true;
    }

    /// <summary>The general §8.2 wrapper through Utf8JsonWriter (relaxed escaping); internal so tests can compare routes.</summary>
    internal static ReadOnlySpan<byte> WrapWithWriter(WrapWriter wrap, int status, ReadOnlySpan<byte> body, bool bodyIsJson, bool jsonFlag)
    {
        var writer = wrap.Writer;
        writer.WriteStartObject();
        if (bodyIsJson && jsonFlag)
        {
            writer.WritePropertyName("body"u8);
            writer.WriteRawValue(body, skipInputValidation: false);
        }
        else if (Utf8.IsValid(body))
        {
            writer.WriteString("body"u8, body);
        }
        else
        {
            writer.WriteBase64String("body"u8, body);
        }

        writer.WriteNumber("status"u8, status);
        writer.WriteEndObject();
        writer.Flush();

        return wrap.Buffer.WrittenSpan;
    }

    private static WrapWriter RentWrapWriter()
    {
        var wrap = _threadWrapWriter ?? new WrapWriter();
        _threadWrapWriter = null; // a nested use (none today) gets its own writer
        wrap.Writer.Reset(wrap.Buffer);
        return wrap;
    }

    private static void ReturnWrapWriter(WrapWriter wrap)
    {
        wrap.Buffer.Clear(); // zeroes the reply plaintext, like the pooled layer buffers
        wrap.Writer.Reset();
        if (wrap.Buffer.Capacity <= WrapWriter.MaxRetainedBytes)
        {
            _threadWrapWriter = wrap; // large replies (retrieve) don't pin a big buffer per thread
        }
    }

    private static OnionLayerOutcome Classify(ReadOnlyMemory<byte> plaintext, ChannelKey key, byte[]? rented)
    {
        var span = plaintext.Span;
        if (!OnionFraming.TryParse(span, out var frame, out var error)
            || !OnionJson.TryParse(frame.Json(span), out var control, out error))
        {
            return ParseError(plaintext, key, rented, error);
        }

        var blob = frame.Blob(plaintext);
        if (control.HasHeaders)
        {
            if (control.Json.State == JsonFieldState.WrongType || control.Base64.State == JsonFieldState.WrongType)
            {
                return ParseError(plaintext, key, rented, "json/base64 flag is not a boolean");
            }

            return new OnionLayerOutcome(OnionLayerKind.Final, key, rented, plaintext, blob)
            {
                JsonFlag = control.Json.State == JsonFieldState.Valid && control.Json.Value,
                Base64Flag = control.Base64.State != JsonFieldState.Valid || control.Base64.Value,
            };
        }

        if (control.Host.IsPresent)
        {
            if (control.Host.State != JsonFieldState.Valid || control.Target.State != JsonFieldState.Valid
                || control.Protocol.State == JsonFieldState.WrongType || control.Port.State == JsonFieldState.WrongType
                || control.Port.Value is < 0 or > ushort.MaxValue)
            {
                return ParseError(plaintext, key, rented, "bad host/target/port/protocol");
            }

            var target = new OnionProxyTarget(
                control.Host.Value!,
                control.Target.Value!,
                control.Port.State == JsonFieldState.Valid ? (int)control.Port.Value : OnionProxyTargets.DefaultPort,
                control.Protocol.Value ?? OnionProxyTargets.DefaultProtocol);
            return new OnionLayerOutcome(OnionLayerKind.RelayToServer, key, rented, plaintext, blob) { ProxyTarget = target };
        }

        if (control.Destination.State != JsonFieldState.Valid)
        {
            return ParseError(plaintext, key, rented, "missing or invalid destination");
        }

        if (control.EphemeralKey.State != JsonFieldState.Valid)
        {
            return ParseError(plaintext, key, rented, "missing or invalid ephemeral_key");
        }

        if (!TryGetEncType(control.EncType, out var encType))
        {
            return ParseError(plaintext, key, rented, "invalid enc_type");
        }

        // Pooled path: the keys go into the room rented after the plaintext; otherwise (tests, tools) a new array.
        var keys = rented is not null ? rented.AsMemory(plaintext.Length, RelayKeysSize) : new byte[RelayKeysSize];
        var destination = control.Destination.Value;
        var ephemeral = control.EphemeralKey.Value;
        ((ReadOnlySpan<byte>)destination).CopyTo(keys.Span);
        ((ReadOnlySpan<byte>)ephemeral).CopyTo(keys.Span[OnionKeyBytes.Size..]);
        return new OnionLayerOutcome(OnionLayerKind.RelayToNode, key, rented, plaintext, blob)
        {
            NextNode = keys[..OnionKeyBytes.Size],
            NextEphemeralKey = keys[OnionKeyBytes.Size..],
            NextEncType = encType,
        };
    }

    private static OnionLayerOutcome ParseError(ReadOnlyMemory<byte> plaintext, ChannelKey key, byte[]? rented, string? error) =>
        new(OnionLayerKind.ParseError, key, rented, plaintext, default) { Error = error };

    private static bool TryGetEncType(JsonField<EncryptionType> field, out EncryptionType type)
    {
        type = field.State == JsonFieldState.Valid ? field.Value : EncryptionType.AesGcm;
        return field.State != JsonFieldState.WrongType;
    }

    /// <summary>A reusable buffer + writer for <see cref="Wrap"/>; owned by one call at a time.</summary>
    internal sealed class WrapWriter
    {
        /// <summary>Buffers grown past this by a large reply are dropped instead of kept per thread.</summary>
        public const int MaxRetainedBytes = 64 * 1024;

        public ArrayBufferWriter<byte> Buffer { get; } = new(1024);

        public Utf8JsonWriter Writer { get; } = new(System.IO.Stream.Null, RpcJson.WriterOptions);
    }
}
