using System.Runtime.InteropServices;
using SessionNode.Crypto;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Receiving side of the peer <c>Relay</c> RPC: validates the relayed fields (onion.md §7.3, 400
/// <c>Invalid internal onion request: …</c>), clamps <c>hop_no</c> to at least 1 (§7.4) and runs the layer through
/// <see cref="OnionEndpoint.ProcessLayerAsync"/>, which applies the hop limit. Stateless; owned by DI.
/// </summary>
internal sealed class OnionRelayHandler : IOnionRelayHandler
{
    private const string InvalidRequest = "Invalid internal onion request: ";

    private readonly OnionEndpoint _endpoint;

    public OnionRelayHandler(OnionEndpoint endpoint) => _endpoint = endpoint;

    public async Task<OnionRelayResult> RelayAsync(
        ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> ephemeralKey, string encType, int hopNo, ServiceNodeRecord caller, CancellationToken cancellationToken)
    {
        if (ephemeralKey.Length != X25519KeyPair.KeySize)
        {
            return Text(400, InvalidRequest + "ephemeral_key must be 32 bytes");
        }

        var type = EncryptionType.AesGcm; // absent (proto default "") means aes-gcm, as in a layer's JSON (§6)
        if (!string.IsNullOrEmpty(encType) && !EncryptionTypes.TryParse(encType, out type))
        {
            return Text(400, InvalidRequest + "unknown enc_type");
        }

        var reply = await _endpoint.ProcessLayerAsync(data, ephemeralKey, type, Math.Max(hopNo, 1), cancellationToken);
        return new OnionRelayResult(reply.Status, ToArray(reply.Body));
    }

    private static OnionRelayResult Text(int status, string text) => new(status, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>The reply body as an array, without a copy when it already is a whole one (the common case).</summary>
    private static byte[] ToArray(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();
}
