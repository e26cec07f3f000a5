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

    /// <summary>Buffers grown past this by a large response are dropped instead of kept per thread.</summary>
    private const int MaxRetainedBytes = 64 * 1024;

    /// <summary>Per-thread buffer + writer for <see cref="Write(Action{Utf8JsonWriter})"/>; taken out while in use.</summary>
    [ThreadStatic]
    private static PooledWriter? _threadPooled;

    /// <summary>
    /// Serializes with a callback into a new array (the only allocation: the buffer and writer are reused per
    /// thread). Safe to nest: a call made from inside <paramref name="write"/> gets its own writer.
    /// </summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var pooled = _threadPooled ?? new PooledWriter();
        _threadPooled = null;
        try
        {
            pooled.Writer.Reset(pooled.Buffer);
            write(pooled.Writer);
            pooled.Writer.Flush();
            return pooled.Buffer.WrittenSpan.ToArray();
        }
        finally
        {
            pooled.Writer.Reset();
            pooled.Buffer.ResetWrittenCount();
            if (pooled.Buffer.Capacity <= MaxRetainedBytes)
            {
                _threadPooled = pooled;
            }
        }
    }

    /// <summary>Serializes with a callback into <paramref name="buffer"/>.</summary>
    public static void Write(IBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        write(writer);
    }

    private sealed class PooledWriter
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(256);

        public Utf8JsonWriter Writer { get; } = new(System.IO.Stream.Null, WriterOptions);
    }
}
