using SessionNode.Crypto;

namespace SessionNode.Onion;

/// <summary>
/// A <c>(status, body)</c> pair travelling back towards the client (onion.md §10). <see cref="ContentType"/>
/// is only set by an exit proxy and only honoured when this node is also the edge (§5.4).
/// </summary>
public readonly record struct OnionReply(int Status, ReadOnlyMemory<byte> Body, string? ContentType = null)
{
    /// <summary>A plain-text reply produced by this node.</summary>
    public static OnionReply Text(int status, string text) => new(status, System.Text.Encoding.UTF8.GetBytes(text));
}

/// <summary>The next node of a relay, already resolved from the membership (onion.md §7.1).</summary>
/// <param name="Ed25519Hex">64 lowercase hex characters of the next node's Ed25519 key.</param>
/// <param name="Host">Its IP address or host name.</param>
/// <param name="PeerPort">Its node-to-node (gRPC) port.</param>
public readonly record struct OnionNextHop(string Ed25519Hex, string Host, int PeerPort);

/// <summary>What the next node needs to process the remaining layer (onion.md §7.2).</summary>
/// <param name="NextHop">Where to send it.</param>
/// <param name="EphemeralKey">32 raw bytes from this layer's JSON.</param>
/// <param name="EncType">The remaining layer's encryption type.</param>
/// <param name="HopNo">This layer's hop number + 1.</param>
/// <param name="Ciphertext">The layer blob, unchanged. Valid only until the returned task completes.</param>
public readonly record struct OnionRelayRequest(
    OnionNextHop NextHop,
    ReadOnlyMemory<byte> EphemeralKey,
    EncryptionType EncType,
    int HopNo,
    ReadOnlyMemory<byte> Ciphertext);

/// <summary>
/// Seam: relays the remaining layer to another service node and returns its <c>(status, body)</c>
/// unchanged (onion.md §7). The Rpc library implements it over gRPC.
/// </summary>
public interface IOnionForwarder
{
    /// <summary>
    /// Sends <paramref name="request"/> to <see cref="OnionRelayRequest.NextHop"/>. Implementations map
    /// deadline/unavailable to 504 <c>Request time out</c> and malformed replies to 500
    /// <c>Invalid response from snode</c> (onion.md §7.3) instead of throwing. The returned body must not
    /// alias <see cref="OnionRelayRequest.Ciphertext"/>.
    /// </summary>
    Task<OnionReply> ForwardAsync(OnionRelayRequest request, CancellationToken cancellationToken);
}

/// <summary>An exit-node POST to an external server (onion.md §9.3).</summary>
/// <param name="Url">The URL built per §9.3 (see <see cref="OnionProxyTargets.BuildUrl"/>).</param>
/// <param name="Body">The entire decrypted layer (prefix, blob and JSON). Valid only until the returned task completes.</param>
public readonly record struct OnionProxyRequest(string Url, ReadOnlyMemory<byte> Body);

/// <summary>An external server's answer: its status, headers and body, passed back unchanged (onion.md §9.4).</summary>
public sealed record OnionProxyResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, ReadOnlyMemory<byte> Body);

/// <summary>
/// Seam: performs the exit node's HTTP(S) POST (onion.md §9.3: <c>Content-Type: application/octet-stream</c>,
/// certificate validation on, no redirects, 25 s timeout).
/// </summary>
public interface IOnionServerProxy
{
    /// <summary>
    /// Posts <paramref name="request"/>. Transport failures are answered as 502 (timeout 504) with the error
    /// text as body (§9.4), not thrown.
    /// </summary>
    Task<OnionProxyResponse> PostAsync(OnionProxyRequest request, CancellationToken cancellationToken);
}
