using System.Globalization;
using System.Text.Json;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>
/// Builds onion requests (onion.md §12): one layer per path node plus, for servers, one for the server; each layer
/// encrypted with a fresh ephemeral key to its recipient's X25519 key. Control JSON is compact with keys in sorted
/// order (libsession style). Thread-safe if its key and nonce sources are.
/// </summary>
/// <remarks>
/// Keys and nonces are drawn innermost layer first, then outwards to the edge, one of each per layer; so fixed
/// sources reproduce the vectors' HTTP bodies byte for byte.
/// </remarks>
public sealed class OnionRequestBuilder
{
    /// <summary>Most path nodes in one request: nodes refuse layers with a hop number above 15 (§7.4).</summary>
    public const int MaxPathLength = 16;

    private readonly IEphemeralKeySource _keys;
    private readonly INonceSource _nonces;

    /// <summary>Creates a builder.</summary>
    /// <param name="keys">Ephemeral key source; default <see cref="RandomEphemeralKeySource.Instance"/>.</param>
    /// <param name="nonces">AEAD nonce source; default <see cref="RandomNonceSource.Instance"/>.</param>
    public OnionRequestBuilder(IEphemeralKeySource? keys = null, INonceSource? nonces = null)
    {
        _keys = keys ?? RandomEphemeralKeySource.Instance;
        _nonces = nonces ?? RandomNonceSource.Instance;
    }

    /// <summary>
    /// Builds a request whose destination is the last node of <paramref name="path"/>, which runs
    /// <paramref name="rpcRequest"/> (a <c>/storage_rpc/v1</c> body) and answers v3-style (§8). A one-node path
    /// makes the edge the destination.
    /// </summary>
    /// <param name="path">1 to <see cref="MaxPathLength"/> nodes: edge first, destination last.</param>
    /// <param name="rpcRequest">The storage RPC JSON, e.g. <see cref="RpcRequest.ToJsonBytes"/>.</param>
    /// <param name="options">Encryption and flags; default <see cref="OnionRequestOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The path is empty or too long.</exception>
    public OnionRequest BuildForNode(IReadOnlyList<OnionHop> path, ReadOnlySpan<byte> rpcRequest, OnionRequestOptions? options = null)
    {
        CheckPath(path, minimum: 1);
        options ??= OnionRequestOptions.Default;
        var recipients = new Recipient[path.Count];
        for (var i = 0; i < path.Count; i++)
        {
            recipients[i] = new Recipient(path[i].X25519PublicKey.ToArray(), path[i].EncType ?? options.EncType);
        }

        var control = options.ControlJson is { } raw ? System.Text.Encoding.UTF8.GetBytes(raw) : DefaultControlJson(options);
        var innermost = OnionPayload.Build(rpcRequest, control);
        return Build(path, recipients, innermost, OnionRequestKind.ServiceNode, options, (w, ephemeral, type) =>
        {
            w.WriteString("destination", path[^1].Ed25519Hex);
            WriteEncType(w, type, options);
            w.WriteString("ephemeral_key", Convert.ToHexStringLower(ephemeral));
        });
    }

    /// <summary>
    /// Builds a request that the last node of <paramref name="path"/> (the exit) POSTs to an external server
    /// (§9, §11). The innermost layer is <paramref name="serverPayload"/> unframed, encrypted to the server.
    /// </summary>
    /// <param name="path">1 to <see cref="MaxPathLength"/> nodes: edge first, exit last.</param>
    /// <param name="server">The server and its key.</param>
    /// <param name="serverPayload">The server's plaintext: a v4 bencoded list or v3 JSON (see <see cref="OnionServerRequest"/>).</param>
    /// <param name="options">Encryption; default <see cref="OnionRequestOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">The path is empty or too long.</exception>
    public OnionRequest BuildForServer(
        IReadOnlyList<OnionHop> path, OnionServerDestination server, ReadOnlySpan<byte> serverPayload, OnionRequestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        CheckPath(path, minimum: 1);
        options ??= OnionRequestOptions.Default;
        var recipients = new Recipient[path.Count + 1];
        for (var i = 0; i < path.Count; i++)
        {
            recipients[i] = new Recipient(path[i].X25519PublicKey.ToArray(), path[i].EncType ?? options.EncType);
        }

        recipients[^1] = new Recipient(server.X25519PublicKey.ToArray(), server.EncType ?? options.EncType);
        var kind = server.IsV4 ? OnionRequestKind.ServerV4 : OnionRequestKind.ServerV3;
        return Build(path, recipients, serverPayload.ToArray(), kind, options, (w, ephemeral, type) =>
        {
            WriteEncType(w, type, options);
            w.WriteString("ephemeral_key", Convert.ToHexStringLower(ephemeral));
            w.WriteString("host", server.Host);
            w.WriteString("method", "POST");
            w.WriteNumber("port", server.Port);
            w.WriteString("protocol", server.Protocol);
            w.WriteString("target", server.Target);
        });
    }

    /// <summary>
    /// Builds a server request from <paramref name="request"/>: v4 bencoding for v4 targets, v3 JSON otherwise.
    /// </summary>
    /// <param name="path">1 to <see cref="MaxPathLength"/> nodes: edge first, exit last.</param>
    /// <param name="server">The server and its key.</param>
    /// <param name="request">The HTTP request for the server.</param>
    /// <param name="options">Encryption; default <see cref="OnionRequestOptions.Default"/>.</param>
    public OnionRequest BuildForServer(IReadOnlyList<OnionHop> path, OnionServerDestination server, OnionServerRequest request, OnionRequestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        return BuildForServer(path, server, server.IsV4 ? request.ToV4Bytes() : request.ToV3Bytes(), options);
    }

    private static void CheckPath(IReadOnlyList<OnionHop> path, int minimum)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Count < minimum || path.Count > MaxPathLength)
        {
            throw new ArgumentException($"An onion path has 1 to {MaxPathLength} nodes.", nameof(path));
        }
    }

    private static byte[] DefaultControlJson(OnionRequestOptions options) => RpcJson.Write(w =>
    {
        w.WriteStartObject();
        if (options.Base64 is { } base64)
        {
            w.WriteBoolean("base64", base64);
        }

        w.WriteStartObject("headers");
        w.WriteEndObject();
        if (options.Json is { } json)
        {
            w.WriteBoolean("json", json);
        }

        w.WriteEndObject();
    });

    private static void WriteEncType(Utf8JsonWriter w, EncryptionType type, OnionRequestOptions options)
    {
        if (type != EncryptionType.AesGcm || options.EmitAesGcmEncType)
        {
            w.WriteString("enc_type", EncryptionTypes.ToWireName(type));
        }
    }

    private OnionRequest Build(
        IReadOnlyList<OnionHop> path,
        Recipient[] recipients,
        byte[] innermostPlaintext,
        OnionRequestKind kind,
        OnionRequestOptions options,
        Action<Utf8JsonWriter, byte[], EncryptionType> writeInnermostRoute)
    {
        var count = recipients.Length;
        var layers = new OnionLayer[count];
        var keys = new X25519KeyPair[count];
        var built = 0;
        try
        {
            // Innermost first: each layer's ciphertext is the blob of the layer outside it.
            var plaintext = innermostPlaintext;
            for (var i = count - 1; i >= 0; i--)
            {
                var key = _keys.Next();
                keys[i] = key;
                built++;
                var ciphertext = new ChannelEncryption(key, isServer: false)
                    .Encrypt(recipients[i].Type, plaintext, recipients[i].PublicKey, _nonces);
                var ephemeral = key.PublicKey.ToArray();
                layers[i] = new OnionLayer(recipients[i].PublicKey, recipients[i].Type, ephemeral, plaintext, ciphertext);
                if (i == 0)
                {
                    break;
                }

                // The JSON for the node that peels layer i-1 says where layer i goes.
                var index = i;
                var route = i == count - 1
                    ? RpcJson.Write(w =>
                    {
                        w.WriteStartObject();
                        writeInnermostRoute(w, ephemeral, recipients[index].Type);
                        w.WriteEndObject();
                    })
                    : RpcJson.Write(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("destination", path[index].Ed25519Hex);
                        WriteEncType(w, recipients[index].Type, options);
                        w.WriteString("ephemeral_key", Convert.ToHexStringLower(ephemeral));
                        w.WriteEndObject();
                    });
                plaintext = OnionPayload.Build(ciphertext, route);
            }

            var outer = RpcJson.Write(w =>
            {
                w.WriteStartObject();
                WriteEncType(w, recipients[0].Type, options);
                w.WriteString("ephemeral_key", Convert.ToHexStringLower(layers[0].EphemeralPublicKey.Span));
                if (options.HopNo is { } hopNo)
                {
                    w.WriteNumber("hop_no", hopNo);
                }

                w.WriteEndObject();
            });
            var body = OnionPayload.Build(layers[0].Ciphertext.Span, outer);
            return new OnionRequest(kind, path[0], body, layers, keys, options);
        }
        catch
        {
            for (var i = count - built; i < count; i++)
            {
                keys[i]?.Dispose();
            }

            throw;
        }
    }

    private readonly record struct Recipient(byte[] PublicKey, EncryptionType Type);
}

/// <summary>What the innermost layer is addressed to, which decides how the response is decoded (onion.md §13).</summary>
public enum OnionRequestKind
{
    /// <summary>A service node running a storage RPC: v3-style <c>{"body","status"}</c> response, base64 by default.</summary>
    ServiceNode,

    /// <summary>An external v4 server: raw encrypted bencoded <c>[{"code","headers"}, body]</c> response.</summary>
    ServerV4,

    /// <summary>An external v3 server: base64 of the encrypted endpoint response (optionally in <c>{"result": …}</c>).</summary>
    ServerV3,
}

/// <summary>One built layer (for inspection and tests; it holds no secrets).</summary>
/// <param name="RecipientPublicKey">The X25519 key the layer is encrypted to.</param>
/// <param name="EncType">The layer's encryption.</param>
/// <param name="EphemeralPublicKey">The layer's ephemeral public key.</param>
/// <param name="Plaintext">What the recipient decrypts: <c>u32le(N) ‖ blob ‖ JSON</c>, or the server payload.</param>
/// <param name="Ciphertext">nonce ‖ ciphertext ‖ tag.</param>
public sealed record OnionLayer(
    ReadOnlyMemory<byte> RecipientPublicKey,
    EncryptionType EncType,
    ReadOnlyMemory<byte> EphemeralPublicKey,
    ReadOnlyMemory<byte> Plaintext,
    ReadOnlyMemory<byte> Ciphertext)
{
    /// <summary>The layer's encryption as its wire name.</summary>
    public string EncTypeName => EncryptionTypes.ToWireName(EncType);

    /// <summary>The ephemeral public key as 64 lowercase hex digits.</summary>
    public string EphemeralPublicKeyHex => Convert.ToHexStringLower(EphemeralPublicKey.Span);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{EncTypeName} layer, {Plaintext.Length} -> {Ciphertext.Length} bytes");
}
