using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Rpc.Tests;

/// <summary>
/// Every timestamp window of client-rpc.md §6.7 at its exact edges (bounds are inclusive), for direct and
/// peer-forwarded requests, with the status and text of the failure. Requests are correctly signed, so the
/// window is the only thing that can fail.
/// </summary>
public sealed class TimestampWindowTests : IDisposable
{
    private const string Pk = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string Ed = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private const string Hash = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";

    private readonly HandlerFixture _f = new();
    private readonly Ed25519KeyPair _user = Ed25519KeyPair.FromSeed(Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

    public void Dispose()
    {
        _user.Dispose();
        _f.Dispose();
    }

    [Theory]
    [InlineData("delete_all", 60_000, false, 200, null)]
    [InlineData("delete_all", -60_000, false, 200, null)]
    [InlineData("delete_all", 60_001, false, 406, "delete_all timestamp too far from current time")]
    [InlineData("delete_all", -60_001, false, 406, "delete_all timestamp too far from current time")]
    [InlineData("delete_all", 70_000, true, 200, null)]
    [InlineData("delete_all", -70_000, true, 200, null)]
    [InlineData("delete_all", 70_001, true, 406, "delete_all timestamp too far from current time")]
    [InlineData("delete_all", -70_001, true, 406, "delete_all timestamp too far from current time")]
    [InlineData("get_expiries", 60_000, false, 200, null)]
    [InlineData("get_expiries", -60_000, false, 200, null)]
    [InlineData("get_expiries", 60_001, false, 406, "get_expiries timestamp too far from current time")]
    [InlineData("get_expiries", -60_001, false, 406, "get_expiries timestamp too far from current time")]
    [InlineData("revoke_subaccount", 60_000, false, 200, null)]
    [InlineData("revoke_subaccount", -60_000, false, 200, null)]
    [InlineData("revoke_subaccount", 60_001, false, 406, "revoke_subaccount timestamp too far from current time")]
    [InlineData("revoke_subaccount", -60_001, true, 406, "revoke_subaccount timestamp too far from current time")]
    [InlineData("unrevoke_subaccount", -60_000, false, 200, null)]
    [InlineData("unrevoke_subaccount", 60_001, true, 406, "unrevoke_subaccount timestamp too far from current time")]
    [InlineData("unrevoke_subaccount", -60_001, false, 406, "unrevoke_subaccount timestamp too far from current time")]
    [InlineData("delete_before", 60_000, false, 200, null)]
    [InlineData("delete_before", -600_000_000_000, false, 200, null)]
    [InlineData("delete_before", 60_001, false, 401, "delete_before timestamp too far in the future")]
    [InlineData("delete_before", 60_001, true, 401, "delete_before timestamp too far in the future")]
    [InlineData("expire_all", -60_000, false, 200, null)]
    [InlineData("expire_all", -60_001, false, 406, "expire_all timestamp should be >= current time")]
    [InlineData("expire_all", -70_000, true, 200, null)]
    [InlineData("expire_all", -70_001, true, 406, "expire_all timestamp should be >= current time")]
    [InlineData("expire", -60_000, false, 200, null)]
    [InlineData("expire", -60_001, false, 401, "expire: timestamp should be >= current time")]
    [InlineData("expire", -60_001, true, 401, "expire: timestamp should be >= current time")]
    public async Task Window_EdgesInclusive(string method, long offset, bool forwarded, int status, string? error)
    {
        var t = Now + offset;
        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read, new byte[32]);
        var tokenHex = Convert.ToHexStringLower(token.Span);
        var json = method switch
        {
            "delete_all" => Auth(SignedMessages.DeleteAll(Namespace.Default, t)) + $$""","timestamp":{{t}}}""",
            "get_expiries" => Auth(SignedMessages.GetExpiries(t, [Hash])) + $$""","timestamp":{{t}},"messages":["{{Hash}}"]}""",
            "revoke_subaccount" => Auth(SignedMessages.RevokeSubaccount(t, [token])) + $$""","timestamp":{{t}},"revoke":["{{tokenHex}}"]}""",
            "unrevoke_subaccount" => Auth(SignedMessages.UnrevokeSubaccount(t, [token])) + $$""","timestamp":{{t}},"unrevoke":["{{tokenHex}}"]}""",
            "delete_before" => Auth(SignedMessages.DeleteBefore(Namespace.Default, t)) + $$""","before":{{t}}}""",
            "expire_all" => Auth(SignedMessages.ExpireAll(Namespace.Default, t)) + $$""","expiry":{{t}}}""",
            "expire" => Auth(SignedMessages.Expire(shorten: false, extend: false, [t], [Hash])) + $$""","expiry":{{t}},"messages":["{{Hash}}"]}""",
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };

        var r = await _f.CallAsync(method, json, forwarded);

        Assert.True(status == r.Status, r.BodyText);
        if (error is not null)
        {
            Assert.False(r.IsJson);
            Assert.Equal(error, r.BodyText);
        }
    }

    [Theory]
    [InlineData(10_000, 10_000, 200)]
    [InlineData(10_001, 10_000, 406)]
    [InlineData(-30_000, 20_000, 200)] // expiry exactly now - 10 s
    [InlineData(-30_000, 19_999, 406)] // expiry 1 ms earlier
    public async Task Store_TimestampAndExpiryTolerance_Inclusive(long timestampOffset, long ttl, int status)
    {
        var ts = Now + timestampOffset;
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":{{ts}},"ttl":{{ttl}},"data":"AAAA"}""");

        Assert.True(status == r.Status, r.BodyText);
        if (status == 406)
        {
            Assert.Equal("Timestamp error: check your clock", r.BodyText);
        }
    }

    private long Now => _f.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The opening of a params object with the account, its Ed25519 key and the signature over <paramref name="message"/>.</summary>
    private string Auth(byte[] message) =>
        $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","signature":"{{Convert.ToBase64String(_user.Sign(message))}}" """.TrimEnd();
}
