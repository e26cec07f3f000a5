using System.Buffers;
using System.Text.Json;
using SessionNode.Protocol;

namespace SessionNode.Rpc;

/// <summary>
/// Writes a JSON response into <see cref="ArrayPool{T}"/> buffers that the response then owns, so a large
/// body (retrieve) is neither built from intermediate objects nor copied into a final array. One writer is
/// cached per thread; it is taken out between <see cref="Rent"/> and <see cref="Complete"/>/<see cref="Abandon"/>,
/// which must run on the same thread without awaiting in between.
/// </summary>
internal sealed class PooledJsonWriter : IBufferWriter<byte>
{
    [ThreadStatic]
    private static PooledJsonWriter? _cached;

    private byte[] _buffer = [];
    private int _written;

    private PooledJsonWriter() => Json = new Utf8JsonWriter(this, RpcJson.WriterOptions);

    /// <summary>The JSON writer over the pooled buffer.</summary>
    public Utf8JsonWriter Json { get; }

    /// <summary>Takes this thread's writer with a buffer of at least <paramref name="sizeHint"/> bytes.</summary>
    public static PooledJsonWriter Rent(int sizeHint)
    {
        var writer = _cached ?? new PooledJsonWriter();
        _cached = null;
        writer._buffer = ArrayPool<byte>.Shared.Rent(sizeHint);
        writer._written = 0;
        writer.Json.Reset(writer);
        return writer;
    }

    /// <summary>Flushes and hands the written bytes to a <see cref="PooledBody"/>; the writer goes back to the cache.</summary>
    public PooledBody Complete()
    {
        Json.Flush();
        var body = new PooledBody(_buffer, _written);
        _buffer = [];
        Recycle();
        return body;
    }

    /// <summary>Drops what was written (the request failed) and returns the buffer.</summary>
    public void Abandon()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Recycle();
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the buffer.");
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, _buffer.Length * 2L)));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void Recycle()
    {
        _written = 0;
        Json.Reset(this);
        _cached = this;
    }
}

/// <summary>A response body in a rented buffer; <see cref="Release"/> returns it (at most once).</summary>
internal sealed class PooledBody
{
    private byte[]? _buffer;

    /// <summary>Takes ownership of <paramref name="buffer"/>, of which the first <paramref name="length"/> bytes are the body.</summary>
    public PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Memory = buffer.AsMemory(0, length);
    }

    /// <summary>The body (invalid after <see cref="Release"/>).</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>Returns the buffer to the pool; later calls do nothing.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
