using System.Text.Json;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>
/// An external server reached through an exit node (onion.md §9, §11): where the exit POSTs to and the
/// server's X25519 key, which the innermost layer is encrypted to. Immutable.
/// </summary>
public sealed class OnionServerDestination
{
    /// <summary>The v4 target libsession always uses (§11.2).</summary>
    public const string V4Target = "/oxen/v4/lsrpc";

    /// <summary>The deprecated v3 target Desktop still emits (§11.3).</summary>
    public const string V3Target = "/loki/v3/lsrpc";

    private readonly byte[] _x25519;

    /// <summary>Creates a destination.</summary>
    /// <param name="host">Host name or IP literal the exit connects to.</param>
    /// <param name="x25519PublicKey">The server's X25519 public key (32 bytes).</param>
    /// <param name="protocol"><c>https</c> (default) or <c>http</c>.</param>
    /// <param name="port">TCP port; null means 443 for https and 80 for http (always sent explicitly, §12).</param>
    /// <param name="target">
    /// The request path: <see cref="V4Target"/> (default) or a v3 path such as <see cref="V3Target"/>; exits accept
    /// only <c>/loki/…/lsrpc</c> and <c>/oxen/…/lsrpc</c> without a query.
    /// </param>
    /// <param name="encType">The encryption of the server's layer; null uses <see cref="OnionRequestOptions.EncType"/>.</param>
    /// <exception cref="ArgumentException">Bad host, key length, protocol or port.</exception>
    public OnionServerDestination(
        string host,
        ReadOnlySpan<byte> x25519PublicKey,
        string protocol = "https",
        int? port = null,
        string target = V4Target,
        EncryptionType? encType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (x25519PublicKey.Length != X25519KeyPair.KeySize)
        {
            throw new ArgumentException("An X25519 public key is exactly 32 bytes.", nameof(x25519PublicKey));
        }

        if (protocol is not ("http" or "https"))
        {
            throw new ArgumentException("The protocol is 'http' or 'https'.", nameof(protocol));
        }

        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0-65535.");
        }

        Host = host;
        _x25519 = x25519PublicKey.ToArray();
        Protocol = protocol;
        Port = port ?? (protocol == "http" ? 80 : 443);
        Target = target;
        EncType = encType;
    }

    /// <summary>Host name or IP literal.</summary>
    public string Host { get; }

    /// <summary>The server's X25519 public key.</summary>
    public ReadOnlySpan<byte> X25519PublicKey => _x25519;

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Protocol { get; }

    /// <summary>TCP port (defaults applied).</summary>
    public int Port { get; }

    /// <summary>Request path at the server.</summary>
    public string Target { get; }

    /// <summary>The encryption of the server's layer; null means the request's default.</summary>
    public EncryptionType? EncType { get; }

    /// <summary>True when <see cref="Target"/> is a v4 path (<c>…/v4/…</c>): bencoded request and response.</summary>
    public bool IsV4 => Target.Contains("/v4/", StringComparison.Ordinal);
}

/// <summary>
/// An HTTP request for an external server, carried in the innermost layer (onion.md §11): v4 as a bencoded list
/// <c>[request-info JSON, body]</c>, v3 as JSON <c>{"body","endpoint","headers","method"}</c>. Keys are written in
/// sorted order, compact (libsession style, vectors <c>end_to_end</c>). Immutable.
/// </summary>
public sealed class OnionServerRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="method">HTTP method, e.g. <c>GET</c>, <c>POST</c>.</param>
    /// <param name="endpoint">Path at the server; must start with <c>/</c>, may carry a query.</param>
    /// <param name="body">Request body, or null for none.</param>
    /// <param name="headers">Request headers in the order to write; for a body without a content type,
    /// <c>Content-Type: application/json</c> is added (as libsession does).</param>
    public OnionServerRequest(string method, string endpoint, ReadOnlyMemory<byte>? body = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        if (endpoint[0] != '/')
        {
            throw new ArgumentException("The endpoint starts with '/'.", nameof(endpoint));
        }

        Method = method;
        Endpoint = endpoint;
        Body = body;
        var list = new List<KeyValuePair<string, string>>(headers ?? []);
        if (body is not null && !list.Exists(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            list.Add(new("Content-Type", "application/json"));
        }

        Headers = list;
    }

    /// <summary>HTTP method.</summary>
    public string Method { get; }

    /// <summary>Path at the server.</summary>
    public string Endpoint { get; }

    /// <summary>Body, or null.</summary>
    public ReadOnlyMemory<byte>? Body { get; }

    /// <summary>Headers as written (including an added content type).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The v4 request-info JSON: <c>{"endpoint","headers","method"}</c>.</summary>
    public byte[] ToV4RequestInfo() => RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("endpoint", Endpoint);
        WriteHeaders(w);
        w.WriteString("method", Method);
        w.WriteEndObject();
    });

    /// <summary>The v4 plaintext: bencoded <c>[request-info, body]</c> (body omitted when null).</summary>
    public byte[] ToV4Bytes() => Body is { } body
        ? BencodedList.Encode([ToV4RequestInfo(), body])
        : BencodedList.Encode([ToV4RequestInfo()]);

    /// <summary>The v3 plaintext: <c>{"body":"&lt;UTF-8 body&gt;","endpoint","headers","method"}</c>.</summary>
    public byte[] ToV3Bytes() => RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("body", Body is { } body ? System.Text.Encoding.UTF8.GetString(body.Span) : string.Empty);
        w.WriteString("endpoint", Endpoint);
        WriteHeaders(w);
        w.WriteString("method", Method);
        w.WriteEndObject();
    });

    private void WriteHeaders(Utf8JsonWriter w)
    {
        w.WriteStartObject("headers");
        foreach (var (name, value) in Headers)
        {
            w.WriteString(name, value);
        }

        w.WriteEndObject();
    }
}
