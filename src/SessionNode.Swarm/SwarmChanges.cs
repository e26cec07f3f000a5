namespace SessionNode.Swarm;

/// <summary>
/// What changed for this node between two views (swarm.md §6.1, by Ed25519 key): members that joined
/// our (unchanged) swarm, and whether account placement may have moved (the swarm id list or our
/// own swarm changed). Nothing is derived when we were not in a swarm before (first activation or
/// returning: peers push to us) or are not in one now.
/// </summary>
public sealed record SwarmChanges(IReadOnlyList<ServiceNodeRecord> NewMembers, bool PlacementChanged)
{
    /// <summary>No change to act on.</summary>
    public static readonly SwarmChanges None = new([], false);

    /// <summary>True if there is something to push.</summary>
    public bool Any => NewMembers.Count > 0 || PlacementChanged;

    /// <summary>Derives the changes from <paramref name="previous"/> to <paramref name="next"/>.</summary>
    public static SwarmChanges Derive(MembershipSnapshot previous, MembershipSnapshot next)
    {
        if (!previous.SelfInSwarm || !next.SelfInSwarm)
        {
            return None;
        }

        var oldSwarm = previous.Self!.SwarmId;
        var newSwarm = next.Self!.SwarmId;
        var placementChanged = oldSwarm != newSwarm || !previous.SwarmIds.SequenceEqual(next.SwarmIds);
        if (oldSwarm != newSwarm)
        {
            return new SwarmChanges([], placementChanged);
        }

        var before = previous.Members(oldSwarm).Select(m => m.Ed25519Hex).ToHashSet(StringComparer.Ordinal);
        var joined = next.Members(newSwarm)
            .Where(m => m.Ed25519Hex != next.Self.Ed25519Hex && !before.Contains(m.Ed25519Hex))
            .ToArray();
        return new SwarmChanges(joined, placementChanged);
    }

    /// <summary>
    /// For an account we held under <paramref name="previous"/>: the swarm it must be pushed to under
    /// <paramref name="next"/>, or null if it stays with us (or we did not serve it before).
    /// </summary>
    public static ulong? MovedTo(MembershipSnapshot previous, MembershipSnapshot next, ulong swarmSpace)
    {
        if (!SwarmMapping.TryGetSwarm(swarmSpace, previous.SwarmIds, out var before) || before != previous.Self?.SwarmId)
        {
            return null;
        }

        if (!SwarmMapping.TryGetSwarm(swarmSpace, next.SwarmIds, out var after) || after == next.Self?.SwarmId)
        {
            return null;
        }

        return after;
    }
}
