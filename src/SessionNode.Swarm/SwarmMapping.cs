namespace SessionNode.Swarm;

/// <summary>The pubkey→swarm rule of client-rpc.md §7.1 / swarm.md §5.</summary>
public static class SwarmMapping
{
    /// <summary>oxend's "no swarm" id; never a valid swarm.</summary>
    public const ulong InvalidSwarmId = ulong.MaxValue;

    /// <summary>
    /// Picks the swarm closest to <paramref name="space"/> on the 64-bit ring among
    /// <paramref name="sortedIds"/> (ascending); ties go to the lower (left) neighbour.
    /// </summary>
    public static bool TryGetSwarm(ulong space, ReadOnlySpan<ulong> sortedIds, out ulong swarmId)
    {
        swarmId = InvalidSwarmId;
        if (sortedIds.IsEmpty)
        {
            return false;
        }

        if (sortedIds.Length == 1)
        {
            swarmId = sortedIds[0];
            return true;
        }

        // First id >= space, wrapping to the first id.
        var idx = LowerBound(sortedIds, space);
        var rIdx = idx == sortedIds.Length ? 0 : idx;
        var lIdx = rIdx == 0 ? sortedIds.Length - 1 : rIdx - 1;
        var r = sortedIds[rIdx];
        var l = sortedIds[lIdx];
        var dR = unchecked(r - space);
        var dL = unchecked(space - l);
        swarmId = dR < dL ? r : l;
        return true;
    }

    private static int LowerBound(ReadOnlySpan<ulong> sorted, ulong value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
