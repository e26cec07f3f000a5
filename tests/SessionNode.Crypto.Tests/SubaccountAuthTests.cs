using SessionNode.Core;

namespace SessionNode.Crypto.Tests;

/// <summary>client-rpc.md §15.8 (closed-group subaccount) and the §6.4 checks.</summary>
public sealed class SubaccountAuthTests
{
    private const string TokenHex = "03030000d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737";
    private const string SubaccountSig = "ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA==";

    private static Ed25519KeyPair Group() => Ed25519KeyPair.FromSeed(Bytes.Repeat(0x03, 32));

    private static Ed25519KeyPair Member() => Ed25519KeyPair.FromSeed(Bytes.Repeat(0x11, 32));

    private static SubaccountToken Token() => SubaccountToken.FromBytes(Convert.FromHexString(TokenHex));

    [Fact]
    public void Vector_Section15_8_KeysTokenAndSignaturesMatch()
    {
        using var group = Group();
        using var member = Member();
        Assert.Equal("03ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1", "03" + group.PublicKeyHex);
        Assert.Equal("d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737", member.PublicKeyHex);

        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read | SubaccountFlags.Write, member.PublicKey);
        Assert.Equal(TokenHex, Convert.ToHexStringLower(token.Span));
        Assert.Equal("AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3", Convert.ToBase64String(token.Span));

        Assert.Equal(SubaccountSig, Convert.ToBase64String(group.Sign(token.Span)));

        var signed = Bytes.Ascii("retrieve111700000005000");
        var signature = member.Sign(signed);
        Assert.Equal("0wWAUrOO+rRtua5FNS3xQiP/sY1En6mr6io5KOOmgrRuBUx2FzwmVmUWlCTTaC+SibdIyjJG/D+SVN6GkmmeDw==", Convert.ToBase64String(signature));
        Assert.True(Ed25519.Verify(token.PublicKey, signed, signature));
    }

    [Fact]
    public void VerifyToken_Section15_8Retrieve_Succeeds()
    {
        using var group = Group();
        Assert.True(SubaccountAuth.VerifyToken(Token(), 0x03, group.PublicKey, Convert.FromBase64String(SubaccountSig), SubaccountFlags.Read));
        Assert.True(SubaccountAuth.VerifyToken(Token(), 0x03, group.PublicKey, Convert.FromBase64String(SubaccountSig), SubaccountFlags.Read | SubaccountFlags.Write));
        Assert.True(SubaccountAuth.VerifyToken(Token(), 0x03, group.PublicKey, Convert.FromBase64String(SubaccountSig), SubaccountFlags.None));
    }

    [Fact]
    public void VerifyToken_PrefixMismatch_Fails()
    {
        using var group = Group();
        Assert.False(SubaccountAuth.VerifyToken(Token(), 0x05, group.PublicKey, Convert.FromBase64String(SubaccountSig), SubaccountFlags.Read));
    }

    [Theory]
    [InlineData(SubaccountFlags.Delete)]
    [InlineData(SubaccountFlags.Write | SubaccountFlags.Delete)]
    [InlineData(SubaccountFlags.Read | SubaccountFlags.Delete)]
    public void VerifyToken_MissingFlag_Fails(SubaccountFlags required)
    {
        using var group = Group();
        Assert.False(SubaccountAuth.VerifyToken(Token(), 0x03, group.PublicKey, Convert.FromBase64String(SubaccountSig), required));
    }

    [Fact]
    public void VerifyToken_BadSignature_Fails()
    {
        using var group = Group();
        using var member = Member();
        var signature = Convert.FromBase64String(SubaccountSig);
        signature[10] ^= 0x01;
        Assert.False(SubaccountAuth.VerifyToken(Token(), 0x03, group.PublicKey, signature, SubaccountFlags.Read));

        // Signed by the wrong key (the member signing its own token).
        Assert.False(SubaccountAuth.VerifyToken(Token(), 0x03, group.PublicKey, member.Sign(Token().Span), SubaccountFlags.Read));

        // Verified against the wrong account key.
        Assert.False(SubaccountAuth.VerifyToken(Token(), 0x03, member.PublicKey, Convert.FromBase64String(SubaccountSig), SubaccountFlags.Read));
    }

    [Fact]
    public void VerifyToken_SignatureOverDifferentFlags_Fails()
    {
        using var group = Group();
        using var member = Member();
        var upgraded = SubaccountToken.Create(0x03, SubaccountFlags.Read | SubaccountFlags.Write | SubaccountFlags.Delete, member.PublicKey);
        Assert.False(SubaccountAuth.VerifyToken(upgraded, 0x03, group.PublicKey, Convert.FromBase64String(SubaccountSig), SubaccountFlags.Delete));
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(32, 0)]
    [InlineData(31, 64)]
    [InlineData(32, 63)]
    public void VerifyToken_BadLengths_FailsWithoutThrowing(int keyLength, int signatureLength)
    {
        Assert.False(SubaccountAuth.VerifyToken(Token(), 0x03, new byte[keyLength], new byte[signatureLength], SubaccountFlags.Read));
    }

    [Fact]
    public void VerifyToken_AnyPrefix_AcceptsOtherPrefixes()
    {
        using var group = Group();
        using var member = Member();
        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read | SubaccountFlags.AnyPrefix, member.PublicKey);
        var signature = group.Sign(token.Span);

        Assert.True(SubaccountAuth.VerifyToken(token, 0x03, group.PublicKey, signature, SubaccountFlags.Read));
        Assert.True(SubaccountAuth.VerifyToken(token, 0x05, group.PublicKey, signature, SubaccountFlags.Read));
        Assert.True(SubaccountAuth.VerifyToken(token, 0xff, group.PublicKey, signature, SubaccountFlags.Read));
        Assert.False(SubaccountAuth.VerifyToken(token, 0x05, group.PublicKey, signature, SubaccountFlags.Write));
    }
}
