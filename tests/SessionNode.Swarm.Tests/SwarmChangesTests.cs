namespace SessionNode.Swarm.Tests;

/// <summary>Deriving swarm events between two views (swarm.md §6.1).</summary>
public sealed class SwarmChangesTests
{
    private static readonly ServiceNodeRecord A = Node(1, 10);
    private static readonly ServiceNodeRecord B = Node(2, 10);
    private static readonly ServiceNodeRecord C = Node(3, 10);
    private static readonly ServiceNodeRecord D = Node(4, 1000);

    [Fact]
    public void FirstActivation_NoEvents()
    {
        var before = View(null, A, B);
        Assert.False(SwarmChanges.Derive(before, View(A, A, B, C)).Any);
    }

    [Fact]
    public void MemberJoinsOurSwarm_IsNew_PlacementUnchanged()
    {
        var changes = SwarmChanges.Derive(View(A, A, B), View(A, A, B, C));

        Assert.Equal([C.Ed25519Hex], changes.NewMembers.Select(m => m.Ed25519Hex));
        Assert.False(changes.PlacementChanged);
    }

    [Fact]
    public void NewSwarm_PlacementChanged_AccountsNearItMove()
    {
        var before = View(A, A, B);
        var after = View(A, A, B, D);

        var changes = SwarmChanges.Derive(before, after);

        Assert.Empty(changes.NewMembers);
        Assert.True(changes.PlacementChanged);
        Assert.Equal(1000UL, SwarmChanges.MovedTo(before, after, 900));
        Assert.Null(SwarmChanges.MovedTo(before, after, 11));
        Assert.Null(SwarmChanges.MovedTo(View(D, A, D), View(D, A, B, D), 900)); // not ours before
    }

    [Fact]
    public void OurSwarmChanged_NoNewMembers_PlacementChanged()
    {
        var movedA = A with { SwarmId = 1000 };
        var changes = SwarmChanges.Derive(View(A, A, B, D), View(movedA, movedA, B, D));
        Assert.Empty(changes.NewMembers);
        Assert.True(changes.PlacementChanged);
    }

    private static MembershipSnapshot View(ServiceNodeRecord? self, params ServiceNodeRecord[] nodes) =>
        new(1, nodes, self, (19, 4), 0);

    private static ServiceNodeRecord Node(byte key, ulong swarm)
    {
        var k = Enumerable.Repeat(key, 32).ToArray();
        return new ServiceNodeRecord(k, k, k, "127.0.0.1", 1, 2, swarm);
    }
}
