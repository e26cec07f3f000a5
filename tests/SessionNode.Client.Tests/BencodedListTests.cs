using System.Text;
using SessionNode.Protocol;

namespace SessionNode.Client.Tests;

/// <summary>onion.md §11.2: vectors <c>v4_encoding_examples</c> and malformed lists.</summary>
public sealed class BencodedListTests
{
    public static TheoryData<int> ExampleIndexes()
    {
        var data = new TheoryData<int>();
        var count = OnionVectors.Root.GetProperty("v4_encoding_examples").GetProperty("cases").GetArrayLength();
        for (var i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleIndexes))]
    public void Encode_Example_MatchesAndRoundTrips(int index)
    {
        var example = OnionVectors.Root.GetProperty("v4_encoding_examples").GetProperty("cases")[index];
        var parts = example.GetProperty("parts_utf8").EnumerateArray().Select(p => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(p.GetString()!)).ToArray();

        var encoded = BencodedList.Encode(parts);

        Assert.Equal(example.Str("encoded_utf8"), Encoding.UTF8.GetString(encoded));
        Assert.True(BencodedList.TryDecode(encoded, out var decoded));
        Assert.Equal(parts.Select(p => p.ToArray()), decoded.Select(p => p.ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("l")]
    [InlineData("le ")]
    [InlineData("l3:abe")]
    [InlineData("l03:abce")]
    [InlineData("li3ee")]
    [InlineData("d3:abce")]
    [InlineData("l3:abc")]
    [InlineData("l99999999999:ae")]
    public void TryDecode_Malformed_False(string text) =>
        Assert.False(BencodedList.TryDecode(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void TryDecode_EmptyListAndEmptyString_Accepted()
    {
        Assert.True(BencodedList.TryDecode("le"u8.ToArray(), out var none));
        Assert.Empty(none);
        Assert.True(BencodedList.TryDecode("l0:e"u8.ToArray(), out var one));
        Assert.Equal(0, Assert.Single(one).Length);
    }
}
