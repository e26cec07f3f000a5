using System.Text;

namespace SessionNode.Client;

/// <summary>
/// The decoded answer to an onion request (onion.md §13): either a plain-text path error
/// (<see cref="IsPathError"/>), or the destination's (or a path node's encrypted) status and body.
/// </summary>
public sealed class OnionResponse
{
    internal static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Creates a response.</summary>
    /// <param name="httpStatus">The edge's HTTP status.</param>
    /// <param name="status">The inner status (the HTTP status for path errors).</param>
    /// <param name="body">The inner body (the error text for path errors).</param>
    /// <param name="headers">v4 response headers; empty otherwise.</param>
    /// <param name="layer">Index of the layer whose key decrypted the answer; null for path errors.</param>
    /// <param name="fromDestination">True when the destination (node or server) produced it.</param>
    public OnionResponse(int httpStatus, int status, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, int? layer, bool fromDestination)
    {
        HttpStatus = httpStatus;
        Status = status;
        Body = body;
        Headers = headers ?? NoHeaders;
        Layer = layer;
        FromDestination = fromDestination;
    }

    /// <summary>The edge's HTTP status: 200 when some node or server answered through the layers.</summary>
    public int HttpStatus { get; }

    /// <summary>
    /// True when a node on the path answered with a plain-text error (HTTP status not 200, e.g. 502 <c>Next node not
    /// found: …</c>); <see cref="Status"/> and <see cref="BodyText"/> then hold it.
    /// </summary>
    public bool IsPathError => Layer is null;

    /// <summary>
    /// True when the destination answered (not a path error and not an error a path node encrypted to its own
    /// layer, §13.4).
    /// </summary>
    public bool FromDestination { get; }

    /// <summary>
    /// Index of the layer whose key decrypted the answer: the last layer for the destination, a smaller index for a
    /// path node's encrypted error; null for plain-text path errors.
    /// </summary>
    public int? Layer { get; }

    /// <summary>The inner status: the RPC's or server's status (v4 <c>code</c>), or the path error's HTTP status.</summary>
    public int Status { get; }

    /// <summary>True when the destination answered with 200–299.</summary>
    public bool IsSuccess => FromDestination && Status is >= 200 and <= 299;

    /// <summary>The inner body: the RPC result (JSON text or string), the server's body, or the error text.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary><see cref="Body"/> decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Response headers of a v4 server (case-insensitive names); empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>
    /// Throws <see cref="OnionPathException"/> when the answer did not come from the destination (a plain-text path
    /// error, or an error a path node encrypted to its own layer).
    /// </summary>
    /// <exception cref="OnionPathException">The request failed on the path.</exception>
    public OnionResponse EnsureDelivered()
    {
        if (!FromDestination)
        {
            throw new OnionPathException(Status, BodyText, Layer);
        }

        return this;
    }

    /// <inheritdoc />
    public override string ToString() => IsPathError ? $"path error {Status}: {BodyText}" : $"{Status} {BodyText}";

    internal static OnionResponse PathError(int httpStatus, ReadOnlyMemory<byte> body) =>
        new(httpStatus, httpStatus, body, NoHeaders, layer: null, fromDestination: false);
}
