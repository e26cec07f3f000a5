using System.Text.Json;

namespace SessionNode.Onion;

/// <summary>Whether a control-JSON key was absent, present with the expected type, or present with another type.</summary>
public enum JsonFieldState : byte
{
    /// <summary>The key is not in the object.</summary>
    Absent,

    /// <summary>The key is present and its value has the expected JSON type.</summary>
    Valid,

    /// <summary>The key is present but its value has another JSON type (an error only if the key is used).</summary>
    WrongType,
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

    /// <summary><c>destination</c> of a relay layer (string, 64 hex).</summary>
    public JsonField<string> Destination { get; init; }

    /// <summary><c>ephemeral_key</c> (string, 64 hex).</summary>
    public JsonField<string> EphemeralKey { get; init; }

    /// <summary><c>enc_type</c> (string).</summary>
    public JsonField<string> EncType { get; init; }

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
        catch (JsonException)
        {
            control = default;
            error = "invalid JSON";
            return false;
        }
    }

    private static OnionControl ReadObject(ref Utf8JsonReader reader)
    {
        var c = new OnionControl();
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
            c = Assign(c, key, ref reader);
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("unterminated object");
        }

        return c;
    }

    private static OnionControl Assign(OnionControl c, ReadOnlySpan<byte> key, ref Utf8JsonReader reader)
    {
        if (key.SequenceEqual("headers"u8))
        {
            reader.Skip();
            return c with { HasHeaders = true };
        }

        if (key.SequenceEqual("json"u8))
        {
            return c with { Json = ReadBool(ref reader) };
        }

        if (key.SequenceEqual("base64"u8))
        {
            return c with { Base64 = ReadBool(ref reader) };
        }

        if (key.SequenceEqual("host"u8))
        {
            return c with { Host = ReadString(ref reader) };
        }

        if (key.SequenceEqual("target"u8))
        {
            return c with { Target = ReadString(ref reader) };
        }

        if (key.SequenceEqual("protocol"u8))
        {
            return c with { Protocol = ReadString(ref reader) };
        }

        if (key.SequenceEqual("port"u8))
        {
            return c with { Port = ReadInteger(ref reader) };
        }

        if (key.SequenceEqual("destination"u8))
        {
            return c with { Destination = ReadString(ref reader) };
        }

        if (key.SequenceEqual("ephemeral_key"u8))
        {
            return c with { EphemeralKey = ReadString(ref reader) };
        }

        if (key.SequenceEqual("enc_type"u8))
        {
            return c with { EncType = ReadString(ref reader) };
        }

        if (key.SequenceEqual("hop_no"u8))
        {
            return c with { HopNo = ReadInteger(ref reader) };
        }

        reader.Skip(); // unknown keys are ignored
        return c;
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

    private static JsonField<long> ReadInteger(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? new(JsonFieldState.Valid, value)
            : SkipWrong<long>(ref reader);

    private static JsonField<T> SkipWrong<T>(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return new(JsonFieldState.WrongType, default);
    }
}
