using SessionNode.Crypto;

namespace SessionNode.Client;

/// <summary>
/// One service node of an onion path (onion.md §12): its Ed25519 key (how the previous hop names it), its X25519
/// key (what its layer is encrypted to; converted from the Ed25519 key when not given, §2.1) and, for the edge,
/// the address of its HTTPS storage port. Immutable.
/// </summary>
public sealed class OnionHop
{
    private readonly byte[] _ed25519;
    private readonly byte[] _x25519;

    /// <summary>Creates a hop.</summary>
    /// <param name="ed25519PublicKey">The node's Ed25519 public key (32 bytes).</param>
    /// <param name="host">IP address or host name of the node's HTTPS port; only needed for the first hop (the edge).</param>
    /// <param name="httpsPort">The node's HTTPS storage port; only needed for the edge.</param>
    /// <param name="x25519PublicKey">
    /// The node's X25519 key (32 bytes); null converts <paramref name="ed25519PublicKey"/> as libsession does (§2.1).
    /// </param>
    /// <param name="encType">The encryption of this node's layer; null uses <see cref="OnionRequestOptions.EncType"/>.</param>
    /// <exception cref="ArgumentException">A key has the wrong length, or the Ed25519 key does not convert.</exception>
    public OnionHop(
        ReadOnlySpan<byte> ed25519PublicKey,
        string? host = null,
        int httpsPort = 0,
        ReadOnlySpan<byte> x25519PublicKey = default,
        EncryptionType? encType = null)
    {
        if (ed25519PublicKey.Length != Ed25519.PublicKeySize)
        {
            throw new ArgumentException("An Ed25519 public key is exactly 32 bytes.", nameof(ed25519PublicKey));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(httpsPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(httpsPort, 65535);
        _ed25519 = ed25519PublicKey.ToArray();
        _x25519 = new byte[X25519KeyPair.KeySize];
        if (x25519PublicKey.IsEmpty)
        {
            if (!Ed25519.TryConvertPublicKeyToX25519(ed25519PublicKey, _x25519))
            {
                throw new ArgumentException("The Ed25519 public key does not convert to an X25519 key.", nameof(ed25519PublicKey));
            }
        }
        else if (x25519PublicKey.Length == X25519KeyPair.KeySize)
        {
            x25519PublicKey.CopyTo(_x25519);
        }
        else
        {
            throw new ArgumentException("An X25519 public key is exactly 32 bytes.", nameof(x25519PublicKey));
        }

        Host = host ?? string.Empty;
        HttpsPort = httpsPort;
        EncType = encType;
        Ed25519Hex = Convert.ToHexStringLower(_ed25519);
    }

    /// <summary>The node's Ed25519 public key.</summary>
    public ReadOnlySpan<byte> Ed25519PublicKey => _ed25519;

    /// <summary>The Ed25519 key as 64 lowercase hex digits (the <c>destination</c> value of the previous layer).</summary>
    public string Ed25519Hex { get; }

    /// <summary>The X25519 key this node's layer is encrypted to.</summary>
    public ReadOnlySpan<byte> X25519PublicKey => _x25519;

    /// <summary>IP address or host name of the HTTPS port; empty when unknown (fine for every hop but the edge).</summary>
    public string Host { get; }

    /// <summary>The HTTPS storage port; 0 when unknown.</summary>
    public int HttpsPort { get; }

    /// <summary>The encryption of this node's layer; null means the request's default.</summary>
    public EncryptionType? EncType { get; }

    /// <summary>
    /// <c>https://host:port/onion_req/v2</c> (IPv6 literals bracketed), or null when <see cref="Host"/> or
    /// <see cref="HttpsPort"/> is unknown.
    /// </summary>
    public Uri? OnionRequestUri => Host.Length == 0 || HttpsPort == 0
        ? null
        : new UriBuilder(Uri.UriSchemeHttps, Host, HttpsPort, "/onion_req/v2").Uri;

    /// <summary>Creates a hop from hex keys.</summary>
    /// <param name="ed25519Hex">64 hex digits.</param>
    /// <param name="host">Host of the HTTPS port (edge only).</param>
    /// <param name="httpsPort">HTTPS port (edge only).</param>
    /// <param name="x25519Hex">64 hex digits, or null to convert the Ed25519 key.</param>
    /// <param name="encType">This layer's encryption, or null for the request's default.</param>
    /// <exception cref="FormatException">A key is not hex.</exception>
    public static OnionHop FromHex(string ed25519Hex, string? host = null, int httpsPort = 0, string? x25519Hex = null, EncryptionType? encType = null)
    {
        ArgumentNullException.ThrowIfNull(ed25519Hex);
        return new OnionHop(
            Convert.FromHexString(ed25519Hex),
            host,
            httpsPort,
            x25519Hex is null ? default : Convert.FromHexString(x25519Hex),
            encType);
    }

    /// <summary>Creates a hop from a swarm-list entry (its advertised X25519 key, IP and HTTPS port).</summary>
    /// <param name="node">An entry of <see cref="SwarmInfo.Snodes"/>.</param>
    /// <param name="encType">This layer's encryption, or null for the request's default.</param>
    public static OnionHop FromServiceNode(ServiceNodeInfo node, EncryptionType? encType = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return FromHex(node.PubkeyEd25519, node.Ip, node.PortHttps, node.PubkeyX25519, encType);
    }

    /// <inheritdoc />
    public override string ToString() => Host.Length == 0 ? Ed25519Hex : $"{Ed25519Hex}@{Host}:{HttpsPort}";
}
