using SessionNode.Protocol;

namespace SessionNode.Swarm;

/// <summary>One service node of the network as the membership source describes it (immutable).</summary>
public sealed record ServiceNodeRecord
{
    /// <summary>Creates a record; keys are 32 bytes each.</summary>
    public ServiceNodeRecord(byte[] ed25519, byte[] x25519, byte[] legacy, string ip, int httpsPort, int peerPort, ulong swarmId)
    {
        Ed25519 = ed25519;
        X25519 = x25519;
        Legacy = legacy;
        Ip = ip;
        HttpsPort = httpsPort;
        PeerPort = peerPort;
        SwarmId = swarmId;
        Ed25519Hex = Convert.ToHexStringLower(ed25519);
        X25519Hex = Convert.ToHexStringLower(x25519);
        LegacyHex = Convert.ToHexStringLower(legacy);
        SnodeAddress = ZBase32.Encode(legacy) + ".snode";
    }

    /// <summary>Ed25519 identity key (the map key of per-node results).</summary>
    public byte[] Ed25519 { get; }

    /// <summary>X25519 key (onion layers); the conversion of <see cref="Ed25519"/> for our nodes.</summary>
    public byte[] X25519 { get; }

    /// <summary>Legacy (primary) key; equal to the Ed25519 key for modern registrations.</summary>
    public byte[] Legacy { get; }

    /// <summary>Advertised IPv4 address.</summary>
    public string Ip { get; init; }

    /// <summary>Client HTTPS port.</summary>
    public int HttpsPort { get; init; }

    /// <summary>Peer (gRPC) port, advertised as port_omq and port_quic.</summary>
    public int PeerPort { get; init; }

    /// <summary>The swarm this node belongs to (<see cref="SwarmMapping.InvalidSwarmId"/> if none).</summary>
    public ulong SwarmId { get; init; }

    /// <summary>Lowercase hex of <see cref="Ed25519"/>.</summary>
    public string Ed25519Hex { get; }

    /// <summary>Lowercase hex of <see cref="X25519"/>.</summary>
    public string X25519Hex { get; }

    /// <summary>Lowercase hex of <see cref="Legacy"/>.</summary>
    public string LegacyHex { get; }

    /// <summary>z-base-32 of the legacy key plus ".snode".</summary>
    public string SnodeAddress { get; }
}
