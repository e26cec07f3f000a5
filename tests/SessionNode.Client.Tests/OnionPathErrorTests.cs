using System.Text;

namespace SessionNode.Client.Tests;

/// <summary>onion.md §10, §13.3: plain-text errors from path nodes (vectors <c>path_errors</c>).</summary>
public sealed class OnionPathErrorTests
{
    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        foreach (var c in OnionVectors.Root.GetProperty("path_errors").GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("http_status").GetInt32(), c.Str("example"));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_PlainTextError_IsTypedPathError(int status, string text)
    {
        var node = OnionVectors.Identity("destination");
        using var request = new OnionRequestBuilder().BuildForNode([OnionHop.FromHex(node.Str("ed25519_pubkey"))], "{}"u8);

        var response = request.Decode(status, Encoding.UTF8.GetBytes(text));

        Assert.True(response.IsPathError);
        Assert.False(response.FromDestination);
        Assert.Equal(status, response.Status);
        Assert.Equal(text, response.BodyText);
        var e = Assert.Throws<OnionPathException>(() => response.EnsureDelivered());
        Assert.Equal(status, e.StatusCode);
        Assert.Equal(text, e.Text);
        Assert.Null(e.Layer);
        if (text.StartsWith("Next node", StringComparison.Ordinal) || text.StartsWith("Snode not ready", StringComparison.Ordinal))
        {
            Assert.Equal(text[^64..], e.NodeEd25519Hex);
        }
        else
        {
            Assert.Null(e.NodeEd25519Hex);
        }
    }
}
