namespace SessionNode.Client;

/// <summary>
/// An onion request failed on the path instead of reaching its destination (onion.md §10, §13.3): a node answered
/// with a plain-text error (e.g. 502 <c>Next node not found: …</c>, 400 <c>Invalid ciphertext</c>, 504
/// <c>Request time out</c>), or a path node encrypted an error to its own layer's key (400 <c>Invalid json</c> /
/// <c>Invalid url</c>, §13.4).
/// </summary>
public sealed class OnionPathException : Exception
{
    private static readonly string[] NodeKeyPrefixes = ["Next node not found: ", "Next node is currently unreachable: ", "Snode not ready: "];

    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The status: the HTTP status of a plain-text error, or the inner status of an encrypted one.</param>
    /// <param name="text">The error text exactly as sent.</param>
    /// <param name="layer">For encrypted errors, the index of the path node that sent it (0 = edge); null for plain-text errors.</param>
    public OnionPathException(int statusCode, string text, int? layer = null)
        : base(layer is null ? $"Onion path error {statusCode}: {text}" : $"Onion path node {layer} answered {statusCode}: {text}")
    {
        StatusCode = statusCode;
        Text = text ?? string.Empty;
        Layer = layer;
        foreach (var prefix in NodeKeyPrefixes)
        {
            if (Text.StartsWith(prefix, StringComparison.Ordinal) && Text.Length >= prefix.Length + 64)
            {
                NodeEd25519Hex = Text.Substring(prefix.Length, 64);
                break;
            }
        }
    }

    /// <summary>Creates the exception with only a message (status 0).</summary>
    public OnionPathException()
        : this(0, string.Empty)
    {
    }

    /// <summary>Creates the exception with a message (status 0).</summary>
    public OnionPathException(string message)
        : base(message)
    {
        Text = string.Empty;
    }

    /// <summary>Creates the exception with a message and inner exception (status 0).</summary>
    public OnionPathException(string message, Exception innerException)
        : base(message, innerException)
    {
        Text = string.Empty;
    }

    /// <summary>The status code (e.g. 400, 502, 503, 504).</summary>
    public int StatusCode { get; }

    /// <summary>The error text exactly as sent.</summary>
    public string Text { get; }

    /// <summary>For errors encrypted by a path node, that node's index in the path (0 = edge); otherwise null.</summary>
    public int? Layer { get; }

    /// <summary>
    /// The node the error names (<c>Next node not found: </c>, <c>Next node is currently unreachable: </c>,
    /// <c>Snode not ready: </c> followed by 64 hex digits), so a client can evict exactly that node; otherwise null.
    /// </summary>
    public string? NodeEd25519Hex { get; }
}
