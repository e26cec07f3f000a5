using SessionNode.Core;

namespace SessionNode.Swarm.Tests;

/// <summary>The vectors of swarm.md §5.2–§5.4.</summary>
public sealed class SwarmMappingTests
{
    [Theory]
    [InlineData("053506f4a71324b7dd114eddbf4e311f39dde243e1f2cb97c40db1961f70ebaae8", 17589930838143112648UL)]
    [InlineData("05cf27da303a50ac8c4b2d43d27259505c9bcd73fc21cf2a57902c3d050730b604", 10370619079776428163UL)]
    [InlineData("03d3511706b8b34f6e8411bf07bd22ba6b2435ca56846fbccf6eb1e166a6cd15cc", 2144983569669512198UL)]
    [InlineData("ff0f06693428fca9102a451e3f28d9cc743d8ea60a89ab6aa69eb119470c11cbd3", 9690840703409570833UL)]
    [InlineData("05ffba630924aa1224bb930dde21c0d11bf004608f2812217f8ac812d6c7e3ad48", 4532060000165252872UL)]
    [InlineData("05eeeeeeeeeeeeeeee777777777777777711111111111111118888888888888888", 0UL)]
    [InlineData("050123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0UL)]
    [InlineData("05fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe", 1UL)]
    [InlineData("05ffffffffffffffffffffffffffffffffffffffffffffffff7fffffffffffffff", 9223372036854775808UL)]
    [InlineData("05000000000000000000000000000000000000000000000000ffffffffffffffff", 18446744073709551615UL)]
    [InlineData("050000000000000000000000000000000000000000000000000123456789abcdef", 81985529216486895UL)]
    public void SwarmSpace_Vectors(string account, ulong expected) =>
        Assert.Equal(expected, AccountId.ParseHex(account).SwarmSpace);

    [Theory]
    [InlineData(0x64UL, 100UL)]
    [InlineData(0xc8UL, 200UL)]
    [InlineData(0x1f2UL, 498UL)]
    [InlineData(0x0UL, 100UL)]
    [InlineData(0x1UL, 100UL)]
    [InlineData(0x8000000000000000UL, 694UL)]
    [InlineData(0xa000000000000000UL, 100UL)]
    [InlineData(0xffffffffffffffffUL, 100UL)]
    [InlineData(0xfffffffffffffffeUL, 100UL)]
    [InlineData(0x95UL, 100UL)]
    [InlineData(0x96UL, 100UL)]
    [InlineData(0x97UL, 200UL)]
    [InlineData(0xf9UL, 200UL)]
    [InlineData(0xfaUL, 200UL)]
    [InlineData(0xfbUL, 300UL)]
    [InlineData(0x15dUL, 300UL)]
    [InlineData(0x15eUL, 399UL)]
    [InlineData(0x1c0UL, 399UL)]
    [InlineData(0x1c1UL, 498UL)]
    [InlineData(0x222UL, 498UL)]
    [InlineData(0x223UL, 498UL)]
    [InlineData(0x224UL, 596UL)]
    [InlineData(0x285UL, 596UL)]
    [InlineData(0x286UL, 694UL)]
    [InlineData(0x800000000000018cUL, 694UL)]
    [InlineData(0x800000000000018dUL, 694UL)]
    [InlineData(0x800000000000018eUL, 100UL)]
    public void NearestSwarm_SevenSwarms(ulong lastChunk, ulong expected) =>
        Assert.Equal(expected, Map(lastChunk, [100, 200, 300, 399, 498, 596, 694]));

    [Theory]
    [InlineData(0x27UL, ulong.MaxValue - 19)]
    [InlineData(0x28UL, ulong.MaxValue - 19)]
    [InlineData(0x29UL, 100UL)]
    public void NearestSwarm_WithTopSwarm_TieGoesLeft(ulong lastChunk, ulong expected) =>
        Assert.Equal(expected, Map(lastChunk, [100, 200, 300, 399, 498, 596, 694, ulong.MaxValue - 19]));

    [Theory]
    [InlineData(0xffffffffffffffffUL)]
    [InlineData(0xfffffffffffffffeUL)]
    public void NearestSwarm_WithZeroSwarm_WrapsToZero(ulong lastChunk) =>
        Assert.Equal(0UL, Map(lastChunk, [0, 100, 200, 300, 399, 498, 596, 694, ulong.MaxValue - 19]));

    [Fact]
    public void WorkedExample_MapsToSwarmZero()
    {
        var account = AccountId.ParseHex("053506f4a71324b7dd114eddbf4e311f39dde243e1f2cb97c40db1961f70ebaae8");
        Assert.True(SwarmMapping.TryGetSwarm(account.SwarmSpace, [0x0, 0x3fffffffffffffff, 0x7ffffffffffffffe, 0xbffffffffffffffd], out var id));
        Assert.Equal(0UL, id);
    }

    [Fact]
    public void NoSwarms_NoAnswer_OneSwarm_Always()
    {
        Assert.False(SwarmMapping.TryGetSwarm(5, [], out _));
        Assert.True(SwarmMapping.TryGetSwarm(5, [77], out var id));
        Assert.Equal(77UL, id);
    }

    private static ulong Map(ulong lastChunk, ulong[] ids)
    {
        // "05" + 48 zero hex digits + the last 8-byte chunk: its value is the swarm-space position.
        var account = AccountId.ParseHex("05" + new string('0', 48) + lastChunk.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(lastChunk, account.SwarmSpace);
        Assert.True(SwarmMapping.TryGetSwarm(account.SwarmSpace, ids, out var id));
        return id;
    }
}
