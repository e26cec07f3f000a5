using System.Collections.Frozen;
using SessionNode.Core;

namespace SessionNode.Swarm;

/// <summary>
/// An immutable, versioned view of the network: every known node, the swarms, this node's own
/// record, the hard fork and height. Readers take no locks; a new view replaces the old one whole.
/// </summary>
public sealed class MembershipSnapshot
{
    private readonly ulong[] _swarmIds;
    private readonly FrozenDictionary<ulong, ServiceNodeRecord[]> _swarms;
    private readonly FrozenDictionary<string, ServiceNodeRecord> _byEd25519;

    /// <summary>Builds a snapshot.</summary>
    public MembershipSnapshot(long version, IReadOnlyList<ServiceNodeRecord> nodes, ServiceNodeRecord? self, (int Major, int Minor) hardFork, long height)
    {
        Version = version;
        Nodes = nodes;
        Self = self;
        HardFork = hardFork;
        Height = height;
        _swarms = nodes
            .Where(n => n.SwarmId != SwarmMapping.InvalidSwarmId)
            .GroupBy(n => n.SwarmId)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray()); // GroupBy keeps the source's order (swarm.md §2.2: oxend's order)
        _swarmIds = [.. _swarms.Keys.Order()];
        _byEd25519 = nodes.GroupBy(n => n.Ed25519Hex).ToFrozenDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
    }

    /// <summary>Monotonic version of this view.</summary>
    public long Version { get; }

    /// <summary>All known nodes (active and decommissioned).</summary>
    public IReadOnlyList<ServiceNodeRecord> Nodes { get; }

    /// <summary>This node's record, if it is in the list.</summary>
    public ServiceNodeRecord? Self { get; }

    /// <summary>Current network hard fork.</summary>
    public (int Major, int Minor) HardFork { get; }

    /// <summary>Current chain height.</summary>
    public long Height { get; }

    /// <summary>Valid swarm ids, ascending.</summary>
    public ReadOnlySpan<ulong> SwarmIds => _swarmIds;

    /// <summary>True if this node is an active member of a swarm.</summary>
    public bool SelfInSwarm => Self is { } s && s.SwarmId != SwarmMapping.InvalidSwarmId && _swarms.ContainsKey(s.SwarmId);

    /// <summary>The swarm an account belongs to.</summary>
    public bool TryGetSwarm(in AccountId account, out ulong swarmId) => SwarmMapping.TryGetSwarm(account.SwarmSpace, _swarmIds, out swarmId);

    /// <summary>Members of a swarm in the order the source listed them (oxend's order, swarm.md §2.2; the network file's), empty if unknown.</summary>
    public IReadOnlyList<ServiceNodeRecord> Members(ulong swarmId) => _swarms.TryGetValue(swarmId, out var m) ? m : [];

    /// <summary>True if this node's swarm is the account's swarm.</summary>
    public bool ServesAccount(in AccountId account) =>
        Self is { } s && TryGetSwarm(account, out var id) && id == s.SwarmId;

    /// <summary>Looks a node up by its lowercase Ed25519 hex.</summary>
    public ServiceNodeRecord? FindByEd25519(string hex) => _byEd25519.GetValueOrDefault(hex);
}
