using System.Text;
using System.Text.Json;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>
/// A built onion request: the HTTP body for the edge's <c>/onion_req/v2</c> and the layer secrets needed to read
/// the answer (onion.md §12, §13). Keeps every layer's ephemeral secret, not only the innermost, so errors that a
/// path node encrypted to its own layer can be read (§13.4 decision). Dispose to wipe them. Not thread-safe for
/// disposal; decoding is read-only.
/// </summary>
public sealed class OnionRequest : IDisposable
{
    private readonly X25519KeyPair[] _keys;
    private bool _disposed;

    internal OnionRequest(OnionRequestKind kind, OnionHop edge, byte[] body, OnionLayer[] layers, X25519KeyPair[] keys, OnionRequestOptions options)
    {
        Kind = kind;
        Edge = edge;
        Body = body;
        Layers = layers;
        _keys = keys;
        Options = options;
    }

    /// <summary>What the innermost layer is addressed to.</summary>
    public OnionRequestKind Kind { get; }

    /// <summary>The first node of the path, which receives <see cref="Body"/>.</summary>
    public OnionHop Edge { get; }

    /// <summary>The edge's <c>/onion_req/v2</c> URI, or null when the edge's address is unknown.</summary>
    public Uri? EdgeUri => Edge.OnionRequestUri;

    /// <summary>The HTTP body: <c>u32le(len(C1)) ‖ C1 ‖ {"enc_type","ephemeral_key"[,"hop_no"]}</c> (§5.2).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The layers from the edge's (index 0) to the destination's or server's (last).</summary>
    public IReadOnlyList<OnionLayer> Layers { get; }

    /// <summary>The options the request was built with.</summary>
    public OnionRequestOptions Options { get; }

    /// <summary>
    /// Reads the edge's answer (§13). A status other than 200 is a plain-text path error. Otherwise the body is
    /// decrypted with the innermost layer's key (base64 or raw per the request kind and flags; a legacy
    /// <c>{"result": …}</c> wrapper is accepted) and, failing that, with the path layers' keys from the exit
    /// outwards, which reveals <c>Invalid json</c>/<c>Invalid url</c> errors of path nodes.
    /// </summary>
    /// <param name="httpStatus">The HTTP status of the edge's answer.</param>
    /// <param name="body">The answer's body.</param>
    /// <exception cref="SessionNodeProtocolException">A 200 answer that no layer key decrypts, or whose plaintext is malformed.</exception>
    /// <exception cref="ObjectDisposedException">The request was disposed.</exception>
    public OnionResponse Decode(int httpStatus, ReadOnlyMemory<byte> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (httpStatus != 200)
        {
            return OnionResponse.PathError(httpStatus, body);
        }

        var inner = Layers.Count - 1;
        byte[]? plaintext;
        if (Kind == OnionRequestKind.ServerV4 && TryDecrypt(inner, body.Span, out plaintext))
        {
            return ParseV4(plaintext!, inner);
        }

        var unwrapped = TryUnwrapBase64(body.Span);
        if (Kind == OnionRequestKind.ServiceNode)
        {
            if (Options.Base64 == false && TryDecrypt(inner, body.Span, out plaintext))
            {
                return ParseWrapped(plaintext!, inner, inner);
            }

            if (unwrapped is not null && TryDecrypt(inner, unwrapped, out plaintext))
            {
                return ParseWrapped(plaintext!, inner, inner);
            }
        }
        else if (Kind == OnionRequestKind.ServerV3 && unwrapped is not null && TryDecrypt(inner, unwrapped, out plaintext))
        {
            return ParseV3(plaintext!, inner);
        }

        if (unwrapped is not null)
        {
            for (var i = inner - 1; i >= 0; i--)
            {
                if (TryDecrypt(i, unwrapped, out plaintext))
                {
                    return ParseWrapped(plaintext!, i, inner);
                }
            }
        }

        throw new SessionNodeProtocolException("The onion response does not decrypt with any of the request's layer keys.");
    }

    /// <summary>Wipes the layer secrets.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    private bool TryDecrypt(int layer, ReadOnlySpan<byte> ciphertext, out byte[]? plaintext)
    {
        var l = Layers[layer];
        return new ChannelEncryption(_keys[layer], isServer: false).TryDecrypt(l.EncType, ciphertext, l.RecipientPublicKey.Span, out plaintext);
    }

    /// <summary>Base64 (padded or not) of the body, or of the string <c>result</c> of a JSON object body; null otherwise.</summary>
    private static byte[]? TryUnwrapBase64(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text, RpcJson.DocumentOptions);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.String)
                {
                    text = result.GetString()!;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        if (text.Length % 4 != 0)
        {
            text = text.PadRight(text.Length + (4 - (text.Length % 4)), '=');
        }

        var buffer = new byte[text.Length / 4 * 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    private static OnionResponse ParseWrapped(byte[] plaintext, int layer, int inner)
    {
        try
        {
            using var doc = JsonDocument.Parse(plaintext, RpcJson.DocumentOptions);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SessionNodeProtocolException("The decrypted onion response is not a JSON object.");
            }

            int status;
            if (root.TryGetProperty("status_code", out var code) && code.ValueKind == JsonValueKind.Number)
            {
                status = code.GetInt32();
            }
            else if (root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number)
            {
                status = s.GetInt32();
            }
            else
            {
                throw new SessionNodeProtocolException("The decrypted onion response has no numeric status.");
            }

            ReadOnlyMemory<byte> body = root.TryGetProperty("body", out var b)
                ? b.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(b.GetString()!) : Encoding.UTF8.GetBytes(b.GetRawText())
                : plaintext;
            return new OnionResponse(200, status, body, OnionResponse.NoHeaders, layer, layer == inner);
        }
        catch (JsonException e)
        {
            throw new SessionNodeProtocolException("The decrypted onion response is not JSON.", e);
        }
        catch (FormatException e)
        {
            throw new SessionNodeProtocolException("The decrypted onion response's status is not an integer.", e);
        }
    }

    private static OnionResponse ParseV4(byte[] plaintext, int inner)
    {
        if (!BencodedList.TryDecode(plaintext, out var parts) || parts.Count is < 1 or > 2)
        {
            throw new SessionNodeProtocolException("The decrypted v4 response is not a bencoded list of one or two strings.");
        }

        try
        {
            using var doc = JsonDocument.Parse(parts[0], RpcJson.DocumentOptions);
            var info = doc.RootElement;
            if (info.ValueKind != JsonValueKind.Object || !info.TryGetProperty("code", out var code) || !code.TryGetInt32(out var status))
            {
                throw new SessionNodeProtocolException("The v4 response info has no integer 'code'.");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (info.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in h.EnumerateObject())
                {
                    headers[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }

            return new OnionResponse(200, status, parts.Count > 1 ? parts[1] : ReadOnlyMemory<byte>.Empty, headers, inner, fromDestination: true);
        }
        catch (JsonException e)
        {
            throw new SessionNodeProtocolException("The v4 response info is not JSON.", e);
        }
    }

    private static OnionResponse ParseV3(byte[] plaintext, int inner)
    {
        var status = 200;
        try
        {
            using var doc = JsonDocument.Parse(plaintext, RpcJson.DocumentOptions);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("status_code", out var code) && code.TryGetInt32(out var s))
            {
                status = s;
            }
        }
        catch (JsonException)
        {
            // A non-JSON endpoint body is a valid v3 answer.
        }

        return new OnionResponse(200, status, plaintext, OnionResponse.NoHeaders, inner, fromDestination: true);
    }
}
