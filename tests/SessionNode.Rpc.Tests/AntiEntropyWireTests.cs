using System.Security.Cryptography;
using SessionNode.Core;
using SessionNode.Rpc.Peers;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>Anti-entropy encodings and the swarm's leaf range (Rpc Peers README).</summary>
public sealed class AntiEntropyWireTests
{
    [Fact]
    public void SwarmLeafRange_ContainsTheLeafOfEveryAccountTheSwarmServes_AndLittleElse()
    {
        ulong[] ids = [0x1000_0000_0000_0000, 0x5555_0000_0000_0000, 0x9000_0000_0000_0000, 0xF000_0000_0000_0000];
        var nodes = ids.Select((id, i) => Node(i, id)).ToList();
        foreach (var self in nodes)
        {
            var snapshot = new MembershipSnapshot(1, nodes, self, (19, 4), 0);
            var (first, count) = AntiEntropyWire.SwarmLeafRange(snapshot, self.SwarmId);
            Assert.InRange(count, 1, MessageStore.LeafCount / 2);
            for (var i = 0; i < 2000; i++)
            {
                var account = AccountId.FromBytes([0x05, .. RandomNumberGenerator.GetBytes(32)]);
                var leaf = MessageStore.LeafOf(account);
                var inRange = (leaf - first + MessageStore.LeafCount) % MessageStore.LeafCount < count;
                Assert.Equal((int)(account.SwarmSpace >> 48), leaf);
                if (snapshot.ServesAccount(account))
                {
                    Assert.True(inRange, $"swarm {self.SwarmId:x}: leaf {leaf} outside [{first}, +{count})");
                }
            }
        }
    }

    [Fact]
    public void SwarmLeafRange_SingleSwarm_IsTheWholeRing()
    {
        var self = Node(0, 7);
        Assert.Equal((0, MessageStore.LeafCount), AntiEntropyWire.SwarmLeafRange(new MembershipSnapshot(1, [self, Node(1, 7)], self, (19, 4), 0), 7));
    }

    [Fact]
    public void Digests_And_Items_RoundTrip()
    {
        ItemDigest[] leaves = [new(1, 1), new(2, 2), new(UInt128.MaxValue, 3), new(4, 4), new(8, 5)];
        var groups = AntiEntropyWire.Group(leaves, 2);
        Assert.Equal([new ItemDigest(3, 3), new ItemDigest(UInt128.MaxValue ^ 4, 7), new ItemDigest(8, 5)], groups);
        Assert.Equal(groups, AntiEntropyWire.UnpackDigests(AntiEntropyWire.PackDigests(groups), 3));
        Assert.Throws<InvalidDataException>(() => AntiEntropyWire.UnpackDigests(AntiEntropyWire.PackDigests(groups), 4));

        var account = AccountId.FromBytes([0x05, .. new byte[32]]);
        var item = new SyncItem(SyncItemKind.Message, account, new Namespace(-5), "abc"u8.ToArray(), 123, 45) { TimestampMs = 6, Data = [9, 9] };
        var unpacked = Assert.Single(AntiEntropyWire.UnpackItems(AntiEntropyWire.PackItems([item])));
        Assert.Equal((item.Id, SyncItemKind.Message, 123L), unpacked);
        var back = AntiEntropyWire.FromProto(AntiEntropyWire.ToProto(item))!;
        Assert.Equal((item.Kind, item.Account, item.Namespace, item.ExpiryMs, item.TimeMs, item.TimestampMs), (back.Kind, back.Account, back.Namespace, back.ExpiryMs, back.TimeMs, back.TimestampMs));
        Assert.Equal(item.Key, back.Key);
        Assert.Equal(item.Data, back.Data);
        Assert.Null(AntiEntropyWire.FromProto(new Peers.Proto.RepairItem { Kind = 1, Account = Google.Protobuf.ByteString.CopyFrom(new byte[32]) }));
    }

    private static ServiceNodeRecord Node(int i, ulong swarm)
    {
        var key = new byte[32];
        key[0] = (byte)(i + 1);
        return new ServiceNodeRecord(key, key, key, "127.0.0.1", 1000 + i, 2000 + i, swarm);
    }
}
