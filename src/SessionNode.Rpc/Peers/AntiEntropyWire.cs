using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using SessionNode.Core;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>Encodings and limits of the anti-entropy protocol (antientropy.proto), shared by both sides. Stateless.</summary>
internal static class AntiEntropyWire
{
    /// <summary>Bytes per group digest: XOR(16) ‖ count(8).</summary>
    public const int DigestBytes = 24;

    /// <summary>Bytes per compact item: id(8) ‖ kind(1) ‖ expiry(8).</summary>
    public const int ItemBytes = 17;

    /// <summary>Most leaves per GetItems/FetchItems request.</summary>
    public const int MaxLeavesPerRequest = 4096;

    /// <summary>Most ids per FetchItems request and items per PushItems request.</summary>
    public const int MaxItemsPerRequest = 20_000;

    /// <summary>A FetchItems answer stops adding messages beyond this many data bytes.</summary>
    public const int MaxFetchBytes = 4 * 1024 * 1024;

    public static ByteString PackDigests(ReadOnlySpan<ItemDigest> groups)
    {
        var bytes = new byte[groups.Length * DigestBytes];
        for (var i = 0; i < groups.Length; i++)
        {
            var slot = bytes.AsSpan(i * DigestBytes, DigestBytes);
            groups[i].WriteHash(slot);
            BinaryPrimitives.WriteInt64BigEndian(slot[16..], groups[i].Count);
        }

        return ByteString.CopyFrom(bytes);
    }

    public static ItemDigest[] UnpackDigests(ByteString packed, int expected)
    {
        var span = packed.Span;
        if (span.Length != expected * DigestBytes)
        {
            throw new InvalidDataException($"expected {expected} digests, got {span.Length} bytes");
        }

        var result = new ItemDigest[expected];
        for (var i = 0; i < expected; i++)
        {
            var slot = span.Slice(i * DigestBytes, DigestBytes);
            result[i] = new ItemDigest(ItemDigest.ReadHash(slot), BinaryPrimitives.ReadInt64BigEndian(slot[16..]));
        }

        return result;
    }

    /// <summary>Combines consecutive leaf digests into groups of <paramref name="groupSize"/> (the last may be shorter).</summary>
    public static ItemDigest[] Group(ItemDigest[] leaves, int groupSize)
    {
        var groups = new ItemDigest[(leaves.Length + groupSize - 1) / groupSize];
        for (var i = 0; i < leaves.Length; i++)
        {
            var g = groups[i / groupSize];
            groups[i / groupSize] = new ItemDigest(g.Hash ^ leaves[i].Hash, g.Count + leaves[i].Count);
        }

        return groups;
    }

    public static ByteString PackItems(List<SyncItem> items)
    {
        var bytes = new byte[items.Count * ItemBytes];
        for (var i = 0; i < items.Count; i++)
        {
            var slot = bytes.AsSpan(i * ItemBytes, ItemBytes);
            BinaryPrimitives.WriteUInt64BigEndian(slot, items[i].Id);
            slot[8] = (byte)items[i].Kind;
            BinaryPrimitives.WriteInt64BigEndian(slot[9..], items[i].ExpiryMs);
        }

        return ByteString.CopyFrom(bytes);
    }

    public static List<(ulong Id, SyncItemKind Kind, long ExpiryMs)> UnpackItems(ByteString packed)
    {
        var span = packed.Span;
        if (span.Length % ItemBytes != 0)
        {
            throw new InvalidDataException("item list length is not a multiple of 17");
        }

        var result = new List<(ulong, SyncItemKind, long)>(span.Length / ItemBytes);
        for (var offset = 0; offset < span.Length; offset += ItemBytes)
        {
            var slot = span.Slice(offset, ItemBytes);
            result.Add((BinaryPrimitives.ReadUInt64BigEndian(slot), (SyncItemKind)slot[8], BinaryPrimitives.ReadInt64BigEndian(slot[9..])));
        }

        return result;
    }

    public static RepairItem ToProto(SyncItem item) => new()
    {
        Kind = (int)item.Kind,
        Account = ByteString.CopyFrom(item.Account.Span),
        Namespace = item.Namespace.Id,
        Key = ByteString.CopyFrom(item.Key),
        ExpiryMs = item.ExpiryMs,
        TimeMs = item.TimeMs,
        TimestampMs = item.TimestampMs,
        Data = item.Data is { } data ? ByteString.CopyFrom(data) : ByteString.Empty,
    };

    /// <summary>Decodes a received item; null when malformed (wrong sizes, unknown kind).</summary>
    public static SyncItem? FromProto(RepairItem item)
    {
        if (item.Account.Length != AccountId.Length || item.Kind is < 1 or > 4 || item.Key.Length is 0 or > 128
            || item.Namespace is < short.MinValue or > short.MaxValue || item.Data.Length > Limits.MaxMessageBytes)
        {
            return null;
        }

        var kind = (SyncItemKind)item.Kind;
        return new SyncItem(kind, AccountId.FromBytes(item.Account.Span), new Namespace((short)item.Namespace), item.Key.ToByteArray(), item.ExpiryMs, item.TimeMs)
        {
            TimestampMs = item.TimestampMs,
            Data = kind == SyncItemKind.Message ? item.Data.ToByteArray() : null,
        };
    }

    /// <summary>Validates a leaf list (each &lt; 65536, at most <see cref="MaxLeavesPerRequest"/>).</summary>
    public static HashSet<int> Leaves(IList<uint> leaves)
    {
        if (leaves.Count > MaxLeavesPerRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"at most {MaxLeavesPerRequest} leaves per request"));
        }

        var set = new HashSet<int>(leaves.Count);
        foreach (var leaf in leaves)
        {
            if (leaf >= MessageStore.LeafCount)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "leaf out of range"));
            }

            set.Add((int)leaf);
        }

        return set;
    }

    /// <summary>
    /// The contiguous (wrapping) leaf range holding the accounts of <paramref name="swarmId"/>: its ring
    /// range of swarm space, widened to whole leaves. The whole ring for a single swarm.
    /// </summary>
    public static (int First, int Count) SwarmLeafRange(MembershipSnapshot snapshot, ulong swarmId)
    {
        var ids = snapshot.SwarmIds;
        if (ids.Length <= 1)
        {
            return (0, MessageStore.LeafCount);
        }

        var mask = new bool[MessageStore.LeafCount];
        var inside = 0;
        for (var leaf = 0; leaf < MessageStore.LeafCount; leaf++)
        {
            var start = (ulong)leaf << 48;
            mask[leaf] = (SwarmMapping.TryGetSwarm(start, ids, out var a) && a == swarmId)
                || (SwarmMapping.TryGetSwarm(start | 0xFFFF_FFFF_FFFFUL, ids, out var b) && b == swarmId)
                || (int)(swarmId >> 48) == leaf;
            inside += mask[leaf] ? 1 : 0;
        }

        if (inside == MessageStore.LeafCount)
        {
            return (0, MessageStore.LeafCount);
        }

        for (var leaf = 0; leaf < MessageStore.LeafCount; leaf++)
        {
            if (mask[leaf] && !mask[(leaf + MessageStore.LeafCount - 1) % MessageStore.LeafCount])
            {
                var count = 0;
                while (count < MessageStore.LeafCount && mask[(leaf + count) % MessageStore.LeafCount])
                {
                    count++;
                }

                // A swarm's range is contiguous; anything else (never expected) falls back to the whole ring.
                return count == inside ? (leaf, count) : (0, MessageStore.LeafCount);
            }
        }

        return (0, MessageStore.LeafCount);
    }
}
