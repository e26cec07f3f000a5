using System.Text.Json;

namespace SessionNode.Client;

/// <summary>Strict accessors for response JSON; shape violations become <see cref="SessionNodeProtocolException"/>.</summary>
internal static class JsonRead
{
    public static JsonElement Object(JsonElement e, string what)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"{what} is not a JSON object");
        }

        return e;
    }

    public static JsonElement Required(JsonElement obj, string key)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            throw Bad($"missing '{key}'");
        }

        return v;
    }

    public static bool TryGet(JsonElement obj, string key, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static string String(JsonElement obj, string key)
    {
        var v = Required(obj, key);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad($"'{key}' is not a string");
    }

    public static string? OptionalString(JsonElement obj, string key) =>
        TryGet(obj, key, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : throw Bad($"'{key}' is not a string")) : null;

    public static long Int64(JsonElement obj, string key) => Int64Value(Required(obj, key), key);

    public static long Int64Value(JsonElement v, string what) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : throw Bad($"'{what}' is not an integer");

    public static long? OptionalInt64(JsonElement obj, string key) => TryGet(obj, key, out var v) ? Int64Value(v, key) : null;

    /// <summary>
    /// Booleans in per-node entries may arrive as <c>true</c> or, from peers relayed through bencode, as <c>1</c>
    /// (§8.6): any non-zero number counts as true.
    /// </summary>
    public static bool Truthy(JsonElement obj, string key)
    {
        if (!TryGet(obj, key, out var v))
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetInt64(out var n) ? n != 0 : v.GetDouble() != 0,
            _ => throw Bad($"'{key}' is not a boolean"),
        };
    }

    public static bool Bool(JsonElement obj, string key)
    {
        var v = Required(obj, key);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad($"'{key}' is not a boolean"),
        };
    }

    public static List<string> StringList(JsonElement v, string what)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"'{what}' is not an array");
        }

        var list = new List<string>(v.GetArrayLength());
        foreach (var item in v.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Bad($"'{what}' has a non-string element"));
        }

        return list;
    }

    public static int[] IntArray(JsonElement obj, string key)
    {
        var v = Required(obj, key);
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"'{key}' is not an array");
        }

        var result = new int[v.GetArrayLength()];
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            result[i++] = item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var n) ? n : throw Bad($"'{key}' has a non-integer element");
        }

        return result;
    }

    public static HardFork HardFork(JsonElement obj)
    {
        var hf = IntArray(obj, "hf");
        return hf.Length == 2 ? new HardFork(hf[0], hf[1]) : throw Bad("'hf' does not have two elements");
    }

    public static SessionNodeProtocolException Bad(string what) => new($"Unexpected node response: {what}.");
}
