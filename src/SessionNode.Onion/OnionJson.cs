using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using SessionNode.Crypto;

namespace SessionNode.Onion;

/// <summary>Whether a control-JSON key was absent, present with the expected type, or present with another type.</summary>
public enum JsonFieldState : byte
{
    /// <summary>The key is not in the object.</summary>
    Absent,

    /// <summary>The key is present and its value has the expected JSON type.</summary>
    Valid,

    /// <summary>
    /// The key is present but its value has another JSON type, or (for the 32-byte keys and <c>enc_type</c>) is
    /// a string that does not decode (an error only if the key is used).
    /// </summary>
    WrongType,
}

/// <summary>32 raw bytes decoded from a 64-hex-digit control value (<c>destination</c>, <c>ephemeral_key</c>); no heap.</summary>
[InlineArray(Size)]
public struct OnionKeyBytes
{
    /// <summary>Length in bytes.</summary>
    public const int Size = 32;

    private byte _b0;
}

/// <summary>One looked-up control key: its state and (when valid) value. Later duplicates win (onion.md §4).</summary>
public readonly record struct JsonField<T>(JsonFieldState State, T? Value)
{
    /// <summary>True when the key is present (any type).</summary>
    public bool IsPresent => State != JsonFieldState.Absent;
}

/// <summary>
/// The keys of an onion control JSON that any layer or the edge can use (onion.md §5.2, §6, §9.1).
/// Type errors are recorded, not thrown: §6 only fails on a key the classification actually reads.
/// </summary>
public readonly record struct OnionControl
{
    /// <summary><c>headers</c>: presence marks the final destination (value ignored).</summary>
    public bool HasHeaders { get; init; }

    /// <summary><c>json</c> flag of a final layer (boolean).</summary>
    public JsonField<bool> Json { get; init; }

    /// <summary><c>base64</c> flag of a final layer (boolean).</summary>
    public JsonField<bool> Base64 { get; init; }

    /// <summary><c>host</c> of an exit layer (string).</summary>
    public JsonField<string> Host { get; init; }

    /// <summary><c>target</c> of an exit layer (string).</summary>
    public JsonField<string> Target { get; init; }

    /// <summary><c>protocol</c> of an exit layer (string).</summary>
    public JsonField<string> Protocol { get; init; }

    /// <summary><c>port</c> of an exit layer (integer).</summary>
    public JsonField<long> Port { get; init; }

    /// <summary><c>destination</c> of a relay layer (string, 64 hex), decoded; a string that is not 64 hex is <see cref="JsonFieldState.WrongType"/>.</summary>
    public JsonField<OnionKeyBytes> Destination { get; init; }

    /// <summary><c>ephemeral_key</c> (string, 64 hex), decoded; a string that is not 64 hex is <see cref="JsonFieldState.WrongType"/>.</summary>
    public JsonField<OnionKeyBytes> EphemeralKey { get; init; }

    /// <summary><c>enc_type</c> (string), parsed; an unknown name is <see cref="JsonFieldState.WrongType"/> with <see cref="UnknownEncType"/> set.</summary>
    public JsonField<EncryptionType> EncType { get; init; }

    /// <summary>The <c>enc_type</c> string when it names no known type (error messages only); null otherwise.</summary>
    public string? UnknownEncType { get; init; }

    /// <summary><c>hop_no</c> of the edge's outer JSON (integer).</summary>
    public JsonField<long> HopNo { get; init; }
}

/// <summary>
/// Strict reader of the JSON part of an onion payload (onion.md §4): exactly one JSON value, surrounding
/// whitespace allowed, nothing else after it, and it must be an object. Stateless.
/// </summary>
public static class OnionJson
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        // Control objects are flat; a little depth for ignored values (Desktop's "headers": {}).
        MaxDepth = 64,
    };

    /// <summary>Parses the control object; false (with a short <paramref name="error"/>) on any violation of §4.</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out OnionControl control, out string? error)
    {
        control = default;
        // The reference's parser rejects invalid UTF-8 anywhere in the text; Utf8JsonReader does not look inside
        // strings until one is decoded (and then throws InvalidOperationException), so check the whole text first.
        if (!Utf8.IsValid(json))
        {
            error = "invalid UTF-8 in JSON";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read())
            {
                error = "empty JSON";
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                _ = reader.Read(); // throws on trailing garbage, same as for objects
                error = "JSON is not an object";
                return false;
            }

            control = ReadObject(ref reader);
            if (reader.Read())
            {
                error = "trailing data after the JSON object";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string escape that decodes to invalid UTF-16 (a lone \uD800).
            control = default;
            error = "invalid JSON";
            return false;
        }
    }

    private static OnionControl ReadObject(ref Utf8JsonReader reader)
    {
        var c = default(ControlBuilder);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Escaped key names are rare: decode them; plain ones are compared in place.
            var decodedName = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString() ?? string.Empty) : null;
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                throw new JsonException("truncated");
            }

            ReadOnlySpan<byte> key = decodedName ?? name;
            Assign(ref c, key, ref reader);
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("unterminated object");
        }

        return new OnionControl
        {
            HasHeaders = c.HasHeaders,
            Json = c.Json,
            Base64 = c.Base64,
            Host = c.Host,
            Target = c.Target,
            Protocol = c.Protocol,
            Port = c.Port,
            Destination = c.Destination,
            EphemeralKey = c.EphemeralKey,
            EncType = c.EncType,
            UnknownEncType = c.UnknownEncType,
            HopNo = c.HopNo,
        };
    }

    /// <summary>Dispatches on the key's length first: one or two comparisons per key instead of eleven.</summary>
    private static void Assign(ref ControlBuilder c, ReadOnlySpan<byte> key, ref Utf8JsonReader reader)
    {
        switch (key.Length)
        {
            case 4 when key.SequenceEqual("json"u8):
                c.Json = ReadBool(ref reader);
                return;
            case 4 when key.SequenceEqual("host"u8):
                c.Host = ReadString(ref reader);
                return;
            case 4 when key.SequenceEqual("port"u8):
                c.Port = ReadInteger(ref reader);
                return;
            case 6 when key.SequenceEqual("base64"u8):
                c.Base64 = ReadBool(ref reader);
                return;
            case 6 when key.SequenceEqual("target"u8):
                c.Target = ReadString(ref reader);
                return;
            case 6 when key.SequenceEqual("hop_no"u8):
                c.HopNo = ReadInteger(ref reader);
                return;
            case 7 when key.SequenceEqual("headers"u8):
                reader.Skip();
                c.HasHeaders = true;
                return;
            case 8 when key.SequenceEqual("protocol"u8):
                c.Protocol = ReadString(ref reader);
                return;
            case 8 when key.SequenceEqual("enc_type"u8):
                c.EncType = ReadEncType(ref reader, out c.UnknownEncType);
                return;
            case 11 when key.SequenceEqual("destination"u8):
                c.Destination = ReadKey(ref reader);
                return;
            case 13 when key.SequenceEqual("ephemeral_key"u8):
                c.EphemeralKey = ReadKey(ref reader);
                return;
            default:
                reader.Skip(); // unknown keys are ignored
                return;
        }
    }

    private static JsonField<bool> ReadBool(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => new(JsonFieldState.Valid, true),
        JsonTokenType.False => new(JsonFieldState.Valid, false),
        _ => SkipWrong<bool>(ref reader),
    };

    private static JsonField<string> ReadString(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String
            ? new(JsonFieldState.Valid, reader.GetString())
            : SkipWrong<string>(ref reader);

    /// <summary>A 64-hex string decoded straight from the UTF-8 value (escaped strings, rare, are unescaped first).</summary>
    private static JsonField<OnionKeyBytes> ReadKey(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return SkipWrong<OnionKeyBytes>(ref reader);
        }

        var key = default(OnionKeyBytes);
        Span<byte> dest = key;
        var ok = reader.ValueIsEscaped
            ? Core.Hex.TryDecode(reader.GetString(), dest)
            : TryDecodeHexUtf8(reader.ValueSpan, dest);
        return ok ? new(JsonFieldState.Valid, key) : new(JsonFieldState.WrongType, default);
    }

    /// <summary>Known names compared as UTF-8; the string is only materialised when the name is unknown.</summary>
    private static JsonField<EncryptionType> ReadEncType(ref Utf8JsonReader reader, out string? unknown)
    {
        unknown = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return SkipWrong<EncryptionType>(ref reader);
        }

        if (!reader.ValueIsEscaped && TryParseEncType(reader.ValueSpan, out var type))
        {
            return new(JsonFieldState.Valid, type);
        }

        var text = reader.GetString();
        if (EncryptionTypes.TryParse(text, out type))
        {
            return new(JsonFieldState.Valid, type);
        }

        unknown = text;
        return new(JsonFieldState.WrongType, default);
    }

    /// <summary>The UTF-8 twin of <see cref="EncryptionTypes.TryParse"/> (same names, case-sensitive).</summary>
    private static bool TryParseEncType(ReadOnlySpan<byte> name, out EncryptionType type)
    {
        if (name.SequenceEqual("aes-gcm"u8) || name.SequenceEqual("gcm"u8))
        {
            type = EncryptionType.AesGcm;
            return true;
        }

        if (name.SequenceEqual("xchacha20"u8) || name.SequenceEqual("xchacha20-poly1305"u8))
        {
            type = EncryptionType.XChaCha20;
            return true;
        }

        type = default;
        return false;
    }

    private static bool TryDecodeHexUtf8(ReadOnlySpan<byte> hex, Span<byte> dest) =>
        hex.Length == dest.Length * 2
        && Convert.FromHexString(hex, dest, out _, out var written) == System.Buffers.OperationStatus.Done
        && written == dest.Length;

    private static JsonField<long> ReadInteger(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? new(JsonFieldState.Valid, value)
            : SkipWrong<long>(ref reader);

    private static JsonField<T> SkipWrong<T>(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return new(JsonFieldState.WrongType, default);
    }

    /// <summary>Mutable twin of <see cref="OnionControl"/> filled in place while reading (no copy per key).</summary>
    private struct ControlBuilder
    {
        public bool HasHeaders;
        public JsonField<bool> Json;
        public JsonField<bool> Base64;
        public JsonField<string> Host;
        public JsonField<string> Target;
        public JsonField<string> Protocol;
        public JsonField<long> Port;
        public JsonField<OnionKeyBytes> Destination;
        public JsonField<OnionKeyBytes> EphemeralKey;
        public JsonField<EncryptionType> EncType;
        public string? UnknownEncType;
        public JsonField<long> HopNo;
    }
}
