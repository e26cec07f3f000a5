namespace SessionNode.Storage;

/// <summary>
/// Compares two nodes' item lists for the same leaves and decides what to exchange. Items are matched
/// by <see cref="SyncItem.Id"/> (a message and its tombstone share one, as do a revocation and its
/// unrevocation); equal kind and expiry means in sync (change times may differ). Anything else is sent
/// both ways — the receiver's <see cref="MessageStore.ApplyRepair"/> resolves conflicts by time, so the
/// loser's copy is simply refused. Stateless.
/// </summary>
public static class SyncPlanner
{
    /// <summary>
    /// Returns the remote ids to fetch (their version is missing or differs here) and our items to send
    /// (missing or different there).
    /// </summary>
    public static (List<ulong> Pull, List<SyncItem> Push) Plan(IEnumerable<SyncItem> local, IEnumerable<(ulong Id, SyncItemKind Kind, long ExpiryMs)> remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var mine = new Dictionary<ulong, SyncItem>();
        foreach (var item in local)
        {
            mine[item.Id] = item;
        }

        var pull = new List<ulong>();
        var pulled = new HashSet<ulong>();
        var matched = new HashSet<ulong>();
        foreach (var (id, kind, expiry) in remote)
        {
            if (!matched.Add(id))
            {
                continue;
            }

            if (mine.TryGetValue(id, out var ours) && ours.Kind == kind && ours.ExpiryMs == expiry)
            {
                continue;
            }

            pull.Add(id);
            pulled.Add(id);
        }

        var push = new List<SyncItem>();
        foreach (var (id, item) in mine)
        {
            if (!matched.Contains(id) || pulled.Contains(id))
            {
                push.Add(item);
            }
        }

        return (pull, push);
    }
}
