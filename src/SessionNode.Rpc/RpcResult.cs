using System.Text;

namespace SessionNode.Rpc;

/// <summary>
/// The outcome of one RPC: an HTTP status and a body that is either JSON (serialized UTF-8) or a
/// plain string (client-rpc.md §2.5). A body may live in a pooled buffer (<see cref="PooledBody"/>);
/// whoever sends the result last calls <see cref="ReleaseBody"/>, after which the body must not be read.
/// </summary>
public readonly struct RpcResult
{
    private readonly PooledBody? _pooled;

    private RpcResult(int status, ReadOnlyMemory<byte> body, bool isJson, PooledBody? pooled = null)
    {
        Status = status;
        Body = body;
        IsJson = isJson;
        _pooled = pooled;
    }

    /// <summary>HTTP status code.</summary>
    public int Status { get; }

    /// <summary>UTF-8 body bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>True when <see cref="Body"/> is a JSON value; false for text/plain.</summary>
    public bool IsJson { get; }

    /// <summary>True when <see cref="Body"/> lives in a pooled buffer (it must be copied before <see cref="ReleaseBody"/>).</summary>
    internal bool IsPooled => _pooled is not null;

    /// <summary>True for 2xx.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>A JSON result.</summary>
    public static RpcResult Json(int status, byte[] json) => new(status, json, isJson: true);

    /// <summary>A 200 JSON result.</summary>
    public static RpcResult Ok(byte[] json) => new(200, json, isJson: true);

    /// <summary>A 200 JSON result whose body is a pooled buffer, returned by <see cref="ReleaseBody"/>.</summary>
    internal static RpcResult Ok(PooledBody json) => new(200, json.Memory, isJson: true, json);

    /// <summary>A plain-text result.</summary>
    public static RpcResult Text(int status, string text) => new(status, Encoding.UTF8.GetBytes(text), isJson: false);

    /// <summary>The body as a string (tests and diagnostics).</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Returns a pooled body's buffer to the pool (idempotent; nothing for ordinary bodies).</summary>
    public void ReleaseBody() => _pooled?.Release();
}
