using System.Net;
using System.Text.Json;

namespace SessionNode.Client;

/// <summary>
/// The node answered with a status outside 200–299 (client-rpc.md §14). <see cref="Body"/> is the node's text
/// (e.g. <c>store signature verification failed</c>) or, for JSON answers such as 421 and <c>delete</c> with
/// <c>required</c>, the JSON text.
/// </summary>
public sealed class SessionNodeRpcException : Exception
{
    /// <summary>Creates the exception for a failed answer.</summary>
    /// <param name="statusCode">The HTTP (or sub-request) status code.</param>
    /// <param name="body">The answer's body text.</param>
    /// <param name="method">The RPC method, when known.</param>
    public SessionNodeRpcException(int statusCode, string body, string? method = null)
        : base(FormatMessage(statusCode, body, method))
    {
        StatusCode = statusCode;
        Body = body;
        Method = method;
        if (statusCode == (int)HttpStatusCode.MisdirectedRequest)
        {
            Swarm = TryParseSwarm(body);
        }
    }

    /// <summary>Creates the exception with only a message (status 0, empty body).</summary>
    public SessionNodeRpcException()
        : this(0, string.Empty)
    {
    }

    /// <summary>Creates the exception with a message (status 0).</summary>
    public SessionNodeRpcException(string message)
        : base(message)
    {
        Body = string.Empty;
    }

    /// <summary>Creates the exception with a message and inner exception (status 0).</summary>
    public SessionNodeRpcException(string message, Exception innerException)
        : base(message, innerException)
    {
        Body = string.Empty;
    }

    /// <summary>The status code, e.g. 401, 406, 421.</summary>
    public int StatusCode { get; }

    /// <summary>The body text as sent by the node.</summary>
    public string Body { get; }

    /// <summary>The RPC method that failed, when known.</summary>
    public string? Method { get; }

    /// <summary>
    /// For 421 (wrong swarm, §7.2): the account's correct swarm from the body (<c>snodes</c>), so a caller can
    /// retry there. Null for other statuses or an unparsable body.
    /// </summary>
    public SwarmInfo? Swarm { get; }

    private static string FormatMessage(int statusCode, string body, string? method)
    {
        // Keep the message short: bodies of JSON errors (421) can be long.
        const int MaxBodyInMessage = 200;
        var shown = body.Length > MaxBodyInMessage ? string.Concat(body.AsSpan(0, MaxBodyInMessage), "\u2026") : body;
        return method is null ? $"Node answered {statusCode}: {shown}" : $"Node answered {statusCode} to {method}: {shown}";
    }

    private static SwarmInfo? TryParseSwarm(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? SwarmInfo.Parse(doc.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (SessionNodeProtocolException)
        {
            return null;
        }
    }
}

/// <summary>A node's answer did not have the shape the protocol prescribes (a node bug or a non-node endpoint).</summary>
public sealed class SessionNodeProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionNodeProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SessionNodeProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public SessionNodeProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
