using System.Text.Json;

namespace SessionNode.Swarm;

/// <summary>The JSON-RPC 2.0 envelope of every call to oxend (swarm.md §2): request bodies and answer unwrapping.</summary>
public static class OxendJsonRpc
{
    /// <summary><c>{"jsonrpc":"2.0","id":"0","method":…}</c>, with a <c>params</c> object when <paramref name="writeParams"/> is given.</summary>
    public static byte[] Request(string method, Action<Utf8JsonWriter>? writeParams = null) =>
        Envelope(method, writeParams is null ? null : w =>
        {
            w.WriteStartObject();
            writeParams(w);
            w.WriteEndObject();
        });

    /// <summary>The same envelope with <paramref name="paramsJson"/> (already validated JSON, any kind) as <c>params</c>.</summary>
    public static byte[] RequestWithRawParams(string method, string? paramsJson) =>
        Envelope(method, paramsJson is null ? null : w => w.WriteRawValue(paramsJson, skipInputValidation: true));

    private static byte[] Envelope(string method, Action<Utf8JsonWriter>? writeParamsValue)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteString("id", "0");
            w.WriteString("method", method);
            if (writeParamsValue is not null)
            {
                w.WritePropertyName("params");
                writeParamsValue(w);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The answer's <c>result</c> object (or the answer itself when it is a bare object without one).
    /// </summary>
    /// <exception cref="FormatException">Not a JSON object, or a JSON-RPC error answer.</exception>
    public static JsonElement Result(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("answer is not a JSON object");
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw new FormatException("oxend error: " + error.GetRawText());
        }

        return root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object ? result : root;
    }
}
