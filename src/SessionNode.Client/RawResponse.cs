using System.Text;
using System.Text.Json;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>
/// An HTTP answer as received: status code, content type and body bytes, without interpretation. Returned by the
/// raw calls, which never throw for non-2xx statuses.
/// </summary>
public sealed class RawResponse
{
    /// <summary>Creates a response.</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="contentType">The media type of <c>Content-Type</c>, or null when absent.</param>
    /// <param name="body">The body bytes.</param>
    /// <param name="server">The <c>Server</c> header, or null when absent.</param>
    public RawResponse(int statusCode, string? contentType, ReadOnlyMemory<byte> body, string? server = null)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
        Server = server;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>True for 200–299.</summary>
    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    /// <summary>The media type of <c>Content-Type</c> (e.g. <c>application/json</c>, <c>text/plain</c>), or null.</summary>
    public string? ContentType { get; }

    /// <summary>The <c>Server</c> header, or null.</summary>
    public string? Server { get; }

    /// <summary>The body bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>True when the body is JSON according to <c>Content-Type</c>.</summary>
    public bool IsJson => string.Equals(ContentType, "application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses the body as JSON; the caller disposes the document.</summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public JsonDocument ParseJson() => JsonDocument.Parse(Body, RpcJson.DocumentOptions);

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode} {BodyText}";
}
