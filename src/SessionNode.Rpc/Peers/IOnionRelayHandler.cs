using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>The answer to a relayed onion hop: an HTTP-style status and the body bytes.</summary>
public readonly record struct OnionRelayResult(int Status, byte[] Body);

/// <summary>
/// Seam for the server side of the peer <c>Relay</c> RPC: processes one onion hop that another node
/// forwarded to us (onion.md). Registered by the onion composition; when none is registered the RPC
/// answers status 501. Implementations must not throw for hostile input.
/// </summary>
public interface IOnionRelayHandler
{
    /// <summary>Handles a hop: <paramref name="data"/> is the onion blob, <paramref name="ephemeralKey"/> 32 bytes.</summary>
    Task<OnionRelayResult> RelayAsync(ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> ephemeralKey, string encType, int hopNo, ServiceNodeRecord caller, CancellationToken cancellationToken);
}
