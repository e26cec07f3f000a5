using SessionNode.Core;

namespace SessionNode.Crypto.Tests;

/// <summary>storage.md §1.3 and client-rpc.md §5.</summary>
public sealed class MessageHasherTests
{
    private const string Account = "05ffba630924aa1224bb930dde21c0d11bf004608f2812217f8ac812d6c7e3ad48";

    private const string Data =
        "CAES1gIKA1BVVBIPL2FwaS92MS9tZXNzYWdlGrsCCAYovfqZv4YvQq8CVwutUBbhRzZw80TvR6uTYMKg9DSagrtpeEpY31L7" +
        "VxawfS8aSya0SiDa4J025SkjP13YX8g5pxgQ8Z6hgfNArMqr/tSijJ9miVKVDJ63YWE85O8kyWF8tdtZR5j0Vxb+JH5U8Rg1" +
        "bp7ftKk3OSf7JJMcrUUrDnctQHe540zJ2OTDJ03DfubkX5NmKqEu5nhXGxeeDv3mTiL63fjtCvZYcikfjf6Nh1AX++HTgJ9S" +
        "GoEIMastGUorFrmmXb2sbjHxNiJn0Radj/VzcA9VxYwBW5+AbGQ2d9+vvm7X+8vh+jIenJfjxf+8CWER+9adNfb4YUH07I+g" +
        "odNCV0O0J05gzqfKdT7J8MBZzFBtKrbk8oCagPpTsq/wZyYFKFKKD+q+zh704dYBILvs5yXUA96pIAA=";

    [Theory]
    [InlineData(0, "4sMyAuaZlMwww3oFvfhazfw7ASx/7TDtO+TVc8aAjHs")]
    [InlineData(42, "OByVojQzLXCPV2NnOOZHGQSvLD5+YqDkngDnNHqG6JA")]
    [InlineData(-10, "RKfzPoxgrGv0+bnaytg85gAqKN+/g2sRHtNB1ZrkTkE")]
    public void Compute_StorageSection1_3_MatchesVector(short ns, string expected)
    {
        var data = Convert.FromBase64String(Data);
        Assert.Equal(347, data.Length);
        Assert.Equal(expected, MessageHasher.Compute(AccountId.ParseHex(Account), new Namespace(ns), data));
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(42, "42")]
    [InlineData(-10, "-10")]
    [InlineData(short.MinValue, "-32768")]
    [InlineData(short.MaxValue, "32767")]
    public void Compute_AnyNamespace_EqualsBlake2bOfConcatenation(short ns, string nsStr)
    {
        var account = AccountId.ParseHex(Account);
        var data = Bytes.Ascii("some message");
        var digest = new byte[32];
        Blake2b.Hash256(Bytes.Concat(account.Span.ToArray(), Bytes.Ascii(nsStr), data), digest);

        var hash = MessageHasher.Compute(account, new Namespace(ns), data);
        Assert.Equal(Convert.ToBase64String(digest).TrimEnd('='), hash);
        Assert.Equal(Limits.HashLength, hash.Length);
        Assert.True(MessageHash.IsValidSyntax(hash));

        var raw = new byte[32];
        MessageHasher.ComputeRaw(account, new Namespace(ns), data, raw);
        Assert.Equal(digest, raw);
    }

    [Fact]
    public void Compute_EmptyData_HashesAccountOnly()
    {
        var account = AccountId.ParseHex(Account);
        var digest = new byte[32];
        Blake2b.Hash256(account.Span, digest);
        Assert.Equal(Convert.ToBase64String(digest).TrimEnd('='), MessageHasher.Compute(account, Namespace.Default, []));
    }

    [Fact]
    public void Blake2b_EmptyInput_MatchesRfc7693Digest()
    {
        // BLAKE2b-256("") as published for libsodium crypto_generichash(outlen 32).
        var digest = new byte[32];
        Blake2b.Hash256([], digest);
        Assert.Equal("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Blake2b_WrongDestinationLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => Blake2b.Hash256([1, 2, 3], new byte[31]));
    }
}
