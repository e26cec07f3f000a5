using SessionNode.Crypto;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>
/// What the request handler needs to know about this node: its identity, clock, membership view
/// and readiness. Owned by DI as a singleton; the only mutable state is the shutting-down flag.
/// </summary>
public sealed class NodeState
{
    /// <summary>The upstream version whose behaviour we match (client-rpc.md §9.3, Q9).</summary>
    public static readonly int[] ReportedVersion = [2, 8, 0];

    /// <summary>Dotted form of <see cref="ReportedVersion"/>.</summary>
    public const string ReportedVersionString = "2.8.0";

    /// <summary>Value of the <c>Server</c> header on every response.</summary>
    public const string ServerHeader = "Oxen Storage Server/" + ReportedVersionString;

    private readonly string? _oxendLegacyBase64;
    private volatile bool _shuttingDown;

    /// <summary>Creates the state.</summary>
    /// <param name="keys">The node's Ed25519 identity.</param>
    /// <param name="membership">The membership holder.</param>
    /// <param name="time">The clock.</param>
    /// <param name="forceStart">Bypass readiness checks.</param>
    /// <param name="legacyPublicKey">The legacy (primary) service-node key when it differs from the Ed25519 key
    /// (keys from oxend, swarm.md §1); null means the Ed25519 key, as for every modern registration.</param>
    public NodeState(Ed25519KeyPair keys, Membership membership, TimeProvider time, bool forceStart, byte[]? legacyPublicKey = null)
    {
        Keys = keys;
        Membership = membership;
        Time = time;
        ForceStart = forceStart;
        _oxendLegacyBase64 = legacyPublicKey is null ? null : Convert.ToBase64String(legacyPublicKey);
    }

    /// <summary>The node's Ed25519 identity (signs results).</summary>
    public Ed25519KeyPair Keys { get; }

    /// <summary>
    /// Padded base64 of the node's legacy (primary) service-node key, the <c>X-Oxen-Snode-Pubkey</c> header
    /// (client-rpc.md §2, swarm.md §12.3): the one derived from oxend's keys when they came from oxend, else the
    /// one the current view lists for this node, else the Ed25519 key (which it equals for newer registrations).
    /// </summary>
    public string LegacyPublicKeyBase64 =>
        _oxendLegacyBase64 ?? Convert.ToBase64String(Membership.Current.Self?.Legacy ?? Keys.PublicKey.ToArray());

    /// <summary>The membership holder.</summary>
    public Membership Membership { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Bypass readiness checks.</summary>
    public bool ForceStart { get; }

    /// <summary>Set once the host begins stopping.</summary>
    public bool ShuttingDown => _shuttingDown;

    /// <summary>Current time in ms since the Unix epoch.</summary>
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Marks the node as shutting down (readiness turns false).</summary>
    public void BeginShutdown() => _shuttingDown = true;

    /// <summary>
    /// Null when ready, else the reasons joined by "; " (client-rpc.md §2.3 step 1).
    /// </summary>
    public string? NotReadyReasons()
    {
        if (_shuttingDown)
        {
            return "shutting down";
        }

        if (ForceStart)
        {
            return null;
        }

        var snapshot = Membership.Current;
        List<string>? reasons = null;
        if (snapshot.HardFork.CompareTo((19, 3)) < 0)
        {
            (reasons ??= []).Add("not yet on hardfork 19.3");
        }

        if (!snapshot.SelfInSwarm)
        {
            (reasons ??= []).Add("not in any swarm");
        }

        return reasons is null ? null : string.Join("; ", reasons);
    }
}

/// <summary>
/// The node's legacy (primary) public key when it is not its Ed25519 key: registered by the host when the
/// keys come from oxend (swarm.md §1). Absent otherwise.
/// </summary>
/// <param name="PublicKey">32 bytes.</param>
public sealed record NodeLegacyKey(byte[] PublicKey);
