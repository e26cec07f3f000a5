namespace SessionNode.Swarm;

/// <summary>
/// This node's identity and its listeners' real ports as the membership sources need them. The
/// ports are set once, after Kestrel has bound (port 0 in tests), by the Rpc lifecycle hook.
/// </summary>
public sealed class LocalNode
{
    private readonly TaskCompletionSource<(int Https, int Peer)> _ports = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the identity; keys are 32 bytes.</summary>
    public LocalNode(byte[] ed25519, byte[] x25519, string advertisedIp)
    {
        Ed25519 = ed25519;
        X25519 = x25519;
        Ed25519Hex = Convert.ToHexStringLower(ed25519);
        AdvertisedIp = advertisedIp;
    }

    /// <summary>Our Ed25519 public key.</summary>
    public byte[] Ed25519 { get; }

    /// <summary>Our X25519 public key.</summary>
    public byte[] X25519 { get; }

    /// <summary>Lowercase hex of <see cref="Ed25519"/>.</summary>
    public string Ed25519Hex { get; }

    /// <summary>IPv4 we advertise for ourselves when the source does not know it.</summary>
    public string AdvertisedIp { get; }

    /// <summary>Completes with the bound (HTTPS, peer) ports.</summary>
    public Task<(int Https, int Peer)> PortsAsync(CancellationToken cancellationToken) => _ports.Task.WaitAsync(cancellationToken);

    /// <summary>The bound ports, or (0, 0) before the listeners are up.</summary>
    public (int Https, int Peer) Ports => _ports.Task.IsCompletedSuccessfully ? _ports.Task.Result : (0, 0);

    /// <summary>Records the bound ports (first call wins).</summary>
    public void SetPorts(int https, int peer) => _ports.TrySetResult((https, peer));
}
