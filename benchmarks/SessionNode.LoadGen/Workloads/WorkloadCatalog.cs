namespace SessionNode.LoadGen.Workloads;

/// <summary>The workloads <c>--workload</c> accepts, by name. Stateless.</summary>
internal static class WorkloadCatalog
{
    /// <summary>Name, one-line description and factory of every workload, in help order.</summary>
    public static IReadOnlyList<WorkloadInfo> All { get; } =
    [
        new("store-100b", "unauthenticated store of 100-byte messages to namespace 0 of random 05 Session IDs", () => new StoreWorkload("store-100b", 100)),
        new("replicated-store", "store-100b against a swarm of 2 or more (repeat --target for its members): each answer waits for every member's", () => new StoreWorkload("replicated-store", 100, minSwarm: 2)),
        new("store-10kb", "the same with 10 KB (10 240-byte) messages", () => new StoreWorkload("store-10kb", 10 * 1024)),
        new("retrieve-50", "signed retrieve of mailboxes pre-filled with 50 messages of 100 bytes", () => new RetrieveWorkload()),
        new("info", "the info method: a transport baseline (TLS, HTTP, JSON envelope) without storage or signatures", () => new InfoWorkload()),
        new("onion-1hop-store", "store-100b wrapped in a 1-hop onion request (target = destination), own ephemeral key per request", () => new OnionStoreWorkload("onion-1hop-store", hops: 1)),
        new("onion-3hop-store", "the same over 3 nodes: target -> another node -> the recipient's node (needs 3 nodes in different swarms)", () => new OnionStoreWorkload("onion-3hop-store", hops: 3)),
    ];

    /// <summary>The workload called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static WorkloadInfo? Find(string name) =>
        All.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A registered workload.</summary>
/// <param name="Name">The <c>--workload</c> value.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
/// <param name="Create">Makes a fresh instance for one run.</param>
internal sealed record WorkloadInfo(string Name, string Description, Func<IWorkload> Create);
