namespace SessionNode.Rpc.Tests;

/// <summary>
/// The accepted spellings of authentication values (client-rpc.md §3.4–§3.8, §6.4) on the worked examples
/// of §15.4 and §15.8: every variant must verify exactly like the canonical form.
/// </summary>
public sealed class AuthEncodingTests : IDisposable
{
    private const string Session = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string Ed = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private const string RetrieveSig = "gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg==";

    private const string Group = "03ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";
    private const string TokenB64 = "AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";
    private const string TokenHex = "03030000d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737";
    private const string TokenSig = "ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA==";
    private const string MemberSig = "0wWAUrOO+rRtua5FNS3xQiP/sY1En6mr6io5KOOmgrRuBUx2FzwmVmUWlCTTaC+SibdIyjJG/D+SVN6GkmmeDw==";

    private readonly HandlerFixture _f = new();

    public AuthEncodingTests() => _f.SetNow(1_700_000_005_009);

    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData(Session, Ed, RetrieveSig, "")]
    [InlineData("054701D08488451F545A409FB58AE3E58581CA40AC3F7F114698CD71DEAC73CA01", "03A107BFF3CE10BE1D70DD18E74BC09967E4D6309BA50D5F1DDC8664125531B8", RetrieveSig, "")]
    [InlineData(Session, Ed, "gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg", "")]
    [InlineData(Session, Ed, RetrieveSig, ",\"subaccount\":\"\",\"subaccount_sig\":\"not a signature\"")] // empty subaccount: sig ignored
    [InlineData(Session, Ed, RetrieveSig, ",\"subaccount\":null,\"subaccount_sig\":\"xyz\"")]
    public async Task SessionRetrieve_Spellings_Verify(string pubkey, string ed, string signature, string extra)
    {
        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{pubkey}}","pubkey_ed25519":"{{ed}}","timestamp":1700000005000,"signature":"{{signature}}"{{extra}}}""");

        Assert.True(r.Status == 200, r.BodyText);
    }

    [Theory]
    [InlineData(TokenB64, TokenSig, MemberSig)]
    [InlineData(TokenHex, TokenSig, MemberSig)]
    [InlineData("03030000D04AB232742BB4AB3A1368BD4615E4E6D0224AB71A016BAF8520A332C9778737", TokenSig, MemberSig)]
    [InlineData(TokenB64, "ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA", "0wWAUrOO+rRtua5FNS3xQiP/sY1En6mr6io5KOOmgrRuBUx2FzwmVmUWlCTTaC+SibdIyjJG/D+SVN6GkmmeDw")]
    public async Task SubaccountRetrieve_Spellings_Verify(string token, string tokenSig, string signature)
    {
        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Group}}","namespace":11,"timestamp":1700000005000,"subaccount":"{{token}}","subaccount_sig":"{{tokenSig}}","signature":"{{signature}}"}""");

        Assert.True(r.Status == 200, r.BodyText);
    }

    [Theory]
    [InlineData("AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c", "invalid subaccount: expected base64 or hex-encoded subaccount token")] // 47 chars
    [InlineData("AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3A", "invalid subaccount: expected base64 or hex-encoded subaccount token")] // 49 chars
    [InlineData("AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c_", "invalid subaccount: expected base64 or hex-encoded subaccount token")] // URL-safe alphabet
    [InlineData("03030000d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c97787", "invalid subaccount: expected base64 or hex-encoded subaccount token")] // 70 hex
    [InlineData("03030000d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c977873g", "invalid subaccount: expected base64 or hex-encoded subaccount token")]
    public async Task SubaccountToken_Malformed_400(string token, string error)
    {
        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Group}}","namespace":11,"timestamp":1700000005000,"subaccount":"{{token}}","subaccount_sig":"{{TokenSig}}","signature":"{{MemberSig}}"}""");

        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: " + error, r.BodyText);
    }

    [Theory]
    [InlineData("ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA=")] // 87: one pad char
    [InlineData("ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA=A")] // 88 not ending ==
    [InlineData("ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN-A5y8_b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA==")] // URL-safe
    [InlineData("6450cbbf5a247601c5ae30cf4896648f259626c9fc8ece02f1a00f370b0dfc0e72f3f6f76a729f1843003b6eece5b557e0163b21b23b61653145fc30731f8c04")] // hex
    public async Task SubaccountSig_Malformed_400(string tokenSig)
    {
        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Group}}","namespace":11,"timestamp":1700000005000,"subaccount":"{{TokenB64}}","subaccount_sig":"{{tokenSig}}","signature":"{{MemberSig}}"}""");

        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: invalid subaccount signature: expected base64 encoded Ed25519 signature", r.BodyText);
    }
}
