using Grpc.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The server side of anti-entropy (antientropy.proto): answers digests and item lists from the store
/// and applies pushed items. Only accounts our swarm serves are listed or accepted. Callers are members
/// of our swarm (checked by <see cref="PeerAuthInterceptor"/>). Stateless; one instance per call.
/// </summary>
internal sealed class AntiEntropyPeerService : Proto.AntiEntropy.AntiEntropyBase
{
    private readonly NodeState _node;
    private readonly MessageStore _store;
    private readonly AntiEntropyStats _stats;

    public AntiEntropyPeerService(NodeState node, MessageStore store, AntiEntropyStats stats)
    {
        _node = node;
        _store = store;
        _stats = stats;
    }

    public override Task<DigestResponse> GetDigests(DigestRequest request, ServerCallContext context)
    {
        if (request.FirstLeaf >= MessageStore.LeafCount || request.LeafCount is 0 or > MessageStore.LeafCount
            || request.GroupSize is 0 or > MessageStore.LeafCount)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "leaf range or group size out of range"));
        }

        var leaves = _store.LeafDigests((int)request.FirstLeaf, (int)request.LeafCount, request.AsOfMs);
        var response = new DigestResponse { Digests = AntiEntropyWire.PackDigests(AntiEntropyWire.Group(leaves, (int)request.GroupSize)) };
        _stats.Served(request.CalculateSize(), response.CalculateSize());
        return Task.FromResult(response);
    }

    public override Task<ItemsResponse> GetItems(ItemsRequest request, ServerCallContext context)
    {
        var leaves = AntiEntropyWire.Leaves(request.Leaves);
        var snapshot = _node.Membership.Current;
        var items = _store.ListLeafItems(leaves, request.AsOfMs, a => snapshot.ServesAccount(a));
        var response = new ItemsResponse { Items = AntiEntropyWire.PackItems(items) };
        _stats.Served(request.CalculateSize(), response.CalculateSize());
        return Task.FromResult(response);
    }

    public override Task<FetchResponse> FetchItems(FetchRequest request, ServerCallContext context)
    {
        var leaves = AntiEntropyWire.Leaves(request.Leaves);
        if (request.Ids.Count > AntiEntropyWire.MaxItemsPerRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {AntiEntropyWire.MaxItemsPerRequest} ids per request"));
        }

        var wanted = request.Ids.ToHashSet();
        var snapshot = _node.Membership.Current;
        var response = new FetchResponse();
        long bytes = 0;
        foreach (var item in _store.ListLeafItems(leaves, request.AsOfMs, a => snapshot.ServesAccount(a)))
        {
            if (!wanted.Contains(item.Id) || _store.WithData(item) is not { } full)
            {
                continue;
            }

            response.Items.Add(AntiEntropyWire.ToProto(full));
            bytes += (full.Data?.Length ?? 0) + full.Key.Length;
            if (bytes > AntiEntropyWire.MaxFetchBytes)
            {
                break; // the caller fetches the rest in a later round
            }
        }

        _stats.Served(request.CalculateSize(), response.CalculateSize());
        return Task.FromResult(response);
    }

    public override Task<PushItemsResponse> PushItems(PushItemsRequest request, ServerCallContext context)
    {
        if (request.Items.Count > AntiEntropyWire.MaxItemsPerRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {AntiEntropyWire.MaxItemsPerRequest} items per request"));
        }

        var snapshot = _node.Membership.Current;
        var items = new List<SyncItem>(request.Items.Count);
        var rejected = 0;
        foreach (var proto in request.Items)
        {
            if (AntiEntropyWire.FromProto(proto) is { } item && snapshot.ServesAccount(item.Account))
            {
                items.Add(item);
            }
            else
            {
                rejected++;
            }
        }

        var result = _store.ApplyRepair(items);
        _stats.Applied(result.Applied);
        var response = new PushItemsResponse { Applied = result.Applied, Skipped = result.Skipped + rejected };
        _stats.Served(request.CalculateSize(), response.CalculateSize());
        return Task.FromResult(response);
    }
}
