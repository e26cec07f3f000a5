using System.Text;

namespace SessionNode.Rpc;

/// <summary>
/// The outcome of one RPC: an HTTP status and a body that is either JSON (serialized UTF-8) or a
/// plain string (client-rpc.md §2.5).
/// </summary>
public readonly struct RpcResult
{
    private RpcResult(int status, byte[] body, bool isJson)
    {
        Status = status;
        Body = body;
        IsJson = isJson;
    }

    /// <summary>HTTP status code.</summary>
    public int Status { get; }

    /// <summary>UTF-8 body bytes.</summary>
    public byte[] Body { get; }

    /// <summary>True when <see cref="Body"/> is a JSON value; false for text/plain.</summary>
    public bool IsJson { get; }

    /// <summary>True for 2xx.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>A JSON result.</summary>
    public static RpcResult Json(int status, byte[] json) => new(status, json, isJson: true);

    /// <summary>A 200 JSON result.</summary>
    public static RpcResult Ok(byte[] json) => new(200, json, isJson: true);

    /// <summary>A plain-text result.</summary>
    public static RpcResult Text(int status, string text) => new(status, Encoding.UTF8.GetBytes(text), isJson: false);

    /// <summary>The body as a string (tests and diagnostics).</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);
}
