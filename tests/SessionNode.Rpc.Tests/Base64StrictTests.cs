using System.Text;
using SessionNode.Core;

namespace SessionNode.Rpc.Tests;

/// <summary>The strict base64 rules of client-rpc.md §3.3, on UTF-16 and on UTF-8 input alike.</summary>
public sealed class Base64StrictTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("QQ", true)]
    [InlineData("QQ==", true)]
    [InlineData("QUE", true)]
    [InlineData("QUE=", true)]
    [InlineData("QUFB", true)]
    [InlineData("QR", true)] // non-zero spare bits tolerated
    [InlineData("Q", false)] // 4n+1
    [InlineData("QQ=", false)] // padding must complete a quad
    [InlineData("Q===", false)]
    [InlineData("QQ==QQ==", false)]
    [InlineData("QU E", false)]
    [InlineData("QU-_", false)] // URL-safe alphabet is not accepted
    [InlineData("QUé=", false)]
    public void IsValid_FollowsTheRules_ForBothEncodings(string text, bool valid)
    {
        Assert.Equal(valid, Base64Strict.IsValid(text));
        Assert.Equal(valid, Base64Strict.IsValid(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void IsValid_Utf8AgreesWithUtf16_OnRandomInput()
    {
        const string Pool = "AZaz09+/==  -_\u00e9\\";
        var random = new Random(20261126);
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 24)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Pool[random.Next(Pool.Length)];
            }

            var text = new string(chars);
            Assert.True(Base64Strict.IsValid(text) == Base64Strict.IsValid(Encoding.UTF8.GetBytes(text)), text);
        }
    }
}
