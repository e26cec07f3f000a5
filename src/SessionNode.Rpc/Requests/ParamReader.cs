using System.Text.Json;

namespace SessionNode.Rpc.Requests;

/// <summary>
/// Typed access to a <c>params</c> object with the strict typing rules of client-rpc.md §3.1:
/// JSON null counts as absent, integers must be plain literals, wrong types give the exact errors.
/// </summary>
public readonly struct ParamReader
{
    private readonly JsonElement _obj;

    /// <summary>Wraps a JSON object.</summary>
    public ParamReader(JsonElement obj) => _obj = obj;

    /// <summary>The underlying object.</summary>
    public JsonElement Element => _obj;

    /// <summary>True if the key is present with a non-null value.</summary>
    public bool Has(string name) => TryGet(name, out _);

    /// <summary>Gets a non-null value.</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        if (_obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>A string, or null when absent.</summary>
    public string? String(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            RequestParseException.ThrowType(name, "string");
        }

        return v.GetString();
    }

    /// <summary>A required string.</summary>
    public string RequiredString(string name) => String(name) ?? throw new RequestParseException($"Required field '{name}' missing");

    /// <summary>A boolean (true/false only), or null.</summary>
    public bool? Bool(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RequestParseException($"Invalid value given for '{name}': expected boolean"),
        };
    }

    /// <summary>An unsigned integer literal, or null.</summary>
    public ulong? UInt(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (!TryReadUInt(v, out var value))
        {
            RequestParseException.ThrowType(name, "positive integer");
        }

        return value;
    }

    /// <summary>A signed 32-bit integer literal, or null.</summary>
    public int? Int32(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (!TryReadInt(v, out var value) || value is < int.MinValue or > int.MaxValue)
        {
            RequestParseException.ThrowType(name, "integer");
        }

        return (int)value;
    }

    /// <summary>A signed 64-bit integer literal, or null.</summary>
    public long? Int64(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (!TryReadInt(v, out var value))
        {
            RequestParseException.ThrowType(name, "integer");
        }

        return value;
    }

    /// <summary>A millisecond timestamp (unsigned, at least 1e9), or null.</summary>
    public long? Timestamp(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (!TryReadUInt(v, out var value))
        {
            RequestParseException.ThrowType(name, "integer timestamp (in milliseconds)");
        }

        // Upstream reads the unsigned literal as a signed 64-bit count of ms: past long.MaxValue it wraps
        // negative and so fails the same "in milliseconds" floor as a small value.
        if (value is < 1_000_000_000 or > long.MaxValue)
        {
            RequestParseException.Throw($"Invalid timestamp for '{name}': timestamp must be in milliseconds");
        }

        return (long)value;
    }

    /// <summary>A required timestamp.</summary>
    public long RequiredTimestamp(string name) => Timestamp(name) ?? throw new RequestParseException($"Required field '{name}' missing");

    /// <summary>An int16 namespace, or null.</summary>
    public short? Namespace(string name = "namespace")
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (!TryReadWrappedInt(v, out var value))
        {
            RequestParseException.ThrowType(name, "16-bit integer");
        }

        if (value is < short.MinValue or > short.MaxValue)
        {
            RequestParseException.Throw($"Invalid value given for '{name}': value out of range");
        }

        return (short)value;
    }

    /// <summary>An int16 namespace or the string "all" (returned as <c>(null, true)</c>); absent → <c>(null, false)</c>.</summary>
    public (short? Value, bool All) NamespaceOrAll(string name = "namespace")
    {
        if (!TryGet(name, out var v))
        {
            return (null, false);
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            if (v.ValueEquals("all"))
            {
                return (null, true);
            }

            RequestParseException.ThrowType(name, "integer or \"all\"");
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            RequestParseException.ThrowType(name, "integer or \"all\"");
        }

        if (!TryReadWrappedInt(v, out var value))
        {
            RequestParseException.ThrowType(name, "integer or \"all\"");
        }

        if (value is < short.MinValue or > short.MaxValue)
        {
            RequestParseException.Throw($"Invalid value given for '{name}': value out of range");
        }

        return ((short)value, false);
    }

    /// <summary>A list of strings (array, or a single string), or null.</summary>
    public List<string>? StringList(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            return [v.GetString()!];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            RequestParseException.ThrowType(name, "string array");
        }

        var list = new List<string>(v.GetArrayLength());
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String)
            {
                RequestParseException.ThrowType(name, "string array");
            }

            list.Add(e.GetString()!);
        }

        return list;
    }

    /// <summary>A list of timestamps (array of unsigned integers, or one), or null; the 1e9 floor is not applied.</summary>
    public List<long>? TimestampList(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            if (!TryReadUInt(v, out var single) || single > long.MaxValue)
            {
                RequestParseException.ThrowType(name, "timestamp array");
            }

            return [(long)single];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            RequestParseException.ThrowType(name, "timestamp array");
        }

        var list = new List<long>(v.GetArrayLength());
        foreach (var e in v.EnumerateArray())
        {
            if (!TryReadUInt(e, out var value) || value > long.MaxValue)
            {
                RequestParseException.ThrowType(name, "timestamp array");
            }

            list.Add((long)value);
        }

        return list;
    }

    /// <summary>A list of integers (array of integer literals, or one), or null.</summary>
    public List<long>? IntList(string name)
    {
        if (!TryGet(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            if (!TryReadInt(v, out var single) || single is < int.MinValue or > int.MaxValue)
            {
                RequestParseException.ThrowType(name, "integer array");
            }

            return [single];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            RequestParseException.ThrowType(name, "integer array");
        }

        var list = new List<long>(v.GetArrayLength());
        foreach (var e in v.EnumerateArray())
        {
            if (!TryReadInt(e, out var value) || value is < int.MinValue or > int.MaxValue)
            {
                RequestParseException.ThrowType(name, "integer array");
            }

            list.Add(value);
        }

        return list;
    }

    /// <summary>True if the number token is a plain integer literal (no fraction or exponent).</summary>
    public static bool IsIntegerLiteral(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(v);
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;
    }

    /// <summary>Reads an integer literal that fits in int64.</summary>
    public static bool TryReadInt(JsonElement v, out long value)
    {
        value = 0;
        return IsIntegerLiteral(v) && v.TryGetInt64(out value);
    }

    /// <summary>
    /// Reads an integer literal the way upstream's JSON library types it: any literal within int64 or uint64
    /// is an integer (larger ones are floats, hence a type error), and a uint64 above long.MaxValue is read
    /// as int64 with two's-complement wrap-around (so 18446744073709551615 reads as -1).
    /// </summary>
    public static bool TryReadWrappedInt(JsonElement v, out long value)
    {
        if (TryReadInt(v, out value))
        {
            return true;
        }

        if (TryReadUInt(v, out var unsigned))
        {
            value = unchecked((long)unsigned);
            return true;
        }

        return false;
    }

    /// <summary>Reads a non-negative integer literal that fits in uint64.</summary>
    public static bool TryReadUInt(JsonElement v, out ulong value)
    {
        value = 0;
        if (!IsIntegerLiteral(v))
        {
            return false;
        }

        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(v);
        return raw.Length > 0 && raw[0] != (byte)'-' && v.TryGetUInt64(out value);
    }
}
