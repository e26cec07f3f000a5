using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SessionNode.Protocol;

/// <summary>
/// JSON settings shared by the node and the client: compact output, no escaping of <c>+</c> or
/// <c>/</c> (client-rpc.md §2.5), strict RFC 8259 input.
/// </summary>
public static class RpcJson
{
    /// <summary>Writer options: relaxed escaping, no indentation, UTF-8 validation on.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Document options: no comments, no trailing commas; nesting bounded.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        // Hostile input guard: each nested ifelse adds 3 JSON levels, so 128 leaves room for the
        // meta-request cap (RequestParser.MaxMetaDepth = 16) while bounding parser recursion.
        MaxDepth = 128,
    };

    /// <summary>Serializes with a callback into a new array.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes with a callback into <paramref name="buffer"/>.</summary>
    public static void Write(IBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        write(writer);
    }
}
