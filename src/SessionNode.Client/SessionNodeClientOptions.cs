namespace SessionNode.Client;

/// <summary>
/// How a <see cref="SessionNodeClient"/> connects to one node and where it takes time from.
/// All properties are init-only; a client copies what it needs at construction.
/// </summary>
public sealed record SessionNodeClientOptions
{
    /// <summary>
    /// The node's base address, e.g. <c>https://203.0.113.5:22021/</c>. Requests go to
    /// <c>storage_rpc/v1</c> relative to it. Required unless <see cref="HttpClient"/> has a
    /// <see cref="System.Net.Http.HttpClient.BaseAddress"/>. Default: null.
    /// </summary>
    public Uri? BaseAddress { get; init; }

    /// <summary>
    /// An HTTP client to use instead of one the client builds (for example one that pins the node's
    /// certificate). It is not disposed by <see cref="SessionNodeClient"/>, its timeout is left as is,
    /// and <see cref="Handler"/> and <see cref="AcceptAnyServerCertificate"/> are ignored.
    /// Default: null (the client builds and owns one).
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// The message handler for the client-built <see cref="System.Net.Http.HttpClient"/> (tests inject
    /// fakes here). It is not disposed by <see cref="SessionNodeClient"/>, and
    /// <see cref="AcceptAnyServerCertificate"/> is ignored. Default: null (a keep-alive
    /// <see cref="SocketsHttpHandler"/> owned by the client).
    /// </summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>
    /// Accept any TLS certificate from the node. Default: true, because service nodes serve a
    /// self-signed certificate that no CA vouches for, and Session clients do not validate it
    /// (client-rpc.md §2.1): a node's identity is its Ed25519 key, which the client checks through
    /// the node signatures in responses (and, in real clients, through onion encryption to the node's
    /// X25519 key). Set to false only for a node behind a CA-signed certificate.
    /// </summary>
    public bool AcceptAnyServerCertificate { get; init; } = true;

    /// <summary>
    /// Time limit for one request including reading the response body. Default: 30 s, well above
    /// the 5 s a node waits for each swarm peer before answering a replicated request (§8.1).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The clock for request timestamps and signatures (<c>timestamp</c>, <c>sig_timestamp</c>) and
    /// for default message timestamps. Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Added to <see cref="TimeProvider"/>'s time to get the node's time (node minus local). Nodes
    /// reject signatures more than 60 s away from their clock (§6.7); clients sync this from the
    /// <c>t</c> field of any response. Default: zero.
    /// </summary>
    public TimeSpan ClockOffset { get; init; }

    /// <summary>
    /// Ephemeral X25519 keys for onion layers (<see cref="SessionNodeClient.Onion"/>). Default: null, fresh random
    /// keys (<see cref="RandomEphemeralKeySource.Instance"/>); tests inject fixed keys.
    /// </summary>
    public IEphemeralKeySource? OnionEphemeralKeys { get; init; }

    /// <summary>
    /// AEAD nonces for onion layers. Default: null, random nonces (<see cref="SessionNode.Crypto.RandomNonceSource.Instance"/>);
    /// tests inject fixed nonces.
    /// </summary>
    public SessionNode.Crypto.INonceSource? OnionNonces { get; init; }
}
