using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>
/// Seam through which the entry node forwards a validated replicated request to another swarm
/// member. Implementations return that member's per-node entry as JSON: its signed result, or a
/// failure entry (<c>{"failed":true,...}</c>, client-rpc.md §8.3). They must not throw for peer
/// faults and must honour the timeout carried by the cancellation token.
/// </summary>
public interface IPeerForwarder
{
    /// <summary>Forwards <paramref name="rawParams"/> of <paramref name="method"/> to <paramref name="peer"/>.</summary>
    Task<byte[]> ForwardAsync(ServiceNodeRecord peer, string method, ReadOnlyMemory<byte> rawParams, CancellationToken cancellationToken);
}
