using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Rpc.Tests;

/// <summary>client-rpc.md §15, byte for byte, through the request handler on a real store.</summary>
public sealed class WorkedExampleTests : IDisposable
{
    private const string Pubkey = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string Ed = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private const string Hash0 = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";
    private const string Hash2 = "gCn7E6Szqo/oChGehi2gQWVkm9nnERWRusWy/R/7pbI";

    private const string Store0 = """{"method":"store","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","timestamp":1700000000000,"ttl":86400000,"data":"SGVsbG8sIFNlc3Npb24h"}}""";
    private const string Store2 = """{"method":"store","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","pubkey_ed25519":"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8","namespace":2,"timestamp":1700000000000,"ttl":2592000000,"data":"AAECY29uZmlnLWJsb2I=","signature":"4Ky0fUtkfoO1FXiC4EajtUfuze4UbM+Ob/gbBgzN4SelP6H/QNmrG523BCqldf8yKZDJ3yYffdYp6/cyUf8YCg=="}}""";

    private readonly HandlerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Store_PublicInbox_MatchesWorkedExampleExactly()
    {
        var r = await _f.CallAsync(Store0);
        Assert.Equal(200, r.Status);
        Assert.True(r.IsJson);
        Assert.Equal(
            """{"hash":"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc","hf":[19,4],"swarm":{"2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12":{"expiry":1700086400000,"hash":"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc","signature":"XBqS8jVJV4P0e3pusfYLF/pBJWywj/FS9i9qUXCByZVE1vkQI6QaZEbWIrhqcWOYBzUE4poTfPXCLae17xC3DA==","t":1700000000012}},"t":1700000000012}""",
            r.BodyText);
    }

    [Fact]
    public async Task Store_SameRequestTwice_ReportsAlready()
    {
        await _f.CallAsync(Store0);
        var r = await _f.CallAsync(Store0);
        Assert.Equal(
            """{"hash":"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc","hf":[19,4],"swarm":{"2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12":{"already":true,"expiry":1700086400000,"hash":"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc","signature":"XBqS8jVJV4P0e3pusfYLF/pBJWywj/FS9i9qUXCByZVE1vkQI6QaZEbWIrhqcWOYBzUE4poTfPXCLae17xC3DA==","t":1700000000012}},"t":1700000000012}""",
            r.BodyText);
    }

    [Fact]
    public async Task Store_PrivateNamespaceSigned_MatchesWorkedExample()
    {
        var r = await _f.CallAsync(Store2);
        Assert.Equal(200, r.Status);
        Assert.Equal(
            """{"hash":"gCn7E6Szqo/oChGehi2gQWVkm9nnERWRusWy/R/7pbI","hf":[19,4],"swarm":{"2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12":{"expiry":1702592000000,"hash":"gCn7E6Szqo/oChGehi2gQWVkm9nnERWRusWy/R/7pbI","signature":"6L3Z/DzUIlPqLfn6i3a9Uaz3s+bqEUNrgvzq34pfAXVLESVQWADKRlO1p1G9UOMoZwvkfnKUpUvcOkLFljQkBg==","t":1700000000012}},"t":1700000000012}""",
            r.BodyText);
    }

    [Fact]
    public async Task Retrieve_SignedNamespace0_MatchesWorkedExample()
    {
        await _f.CallAsync(Store0);
        _f.SetNow(1_700_000_005_009);
        var r = await _f.CallAsync("""{"method":"retrieve","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","pubkey_ed25519":"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8","timestamp":1700000005000,"last_hash":"","max_size":-2,"signature":"gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg=="}}""");
        Assert.Equal(200, r.Status);
        Assert.Equal(
            """{"hf":[19,4],"messages":[{"data":"SGVsbG8sIFNlc3Npb24h","expiration":1700086400000,"hash":"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc","timestamp":1700000000000}],"more":false,"t":1700000005009}""",
            r.BodyText);
    }

    [Fact]
    public async Task Retrieve_Namespace2Signature_Verifies()
    {
        await _f.CallAsync(Store2);
        _f.SetNow(1_700_000_005_009);
        var r = await _f.CallAsync("""{"method":"retrieve","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","pubkey_ed25519":"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8","namespace":2,"timestamp":1700000005000,"signature":"c2ENR5SMVuF8Pm48ON8ohVIGNgWXQZUwhfg5ZBZmA7B9AeFUU+4cpjoP68SnQ6C+JbFv7NO0RUIjEWOQ2nUuCg=="}}""");
        Assert.Equal(200, r.Status);
        Assert.Contains(Hash2, r.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_MatchesWorkedExampleEntry()
    {
        await _f.CallAsync(Store0);
        var r = await _f.CallAsync("delete", $$"""{"pubkey":"{{Pubkey}}","pubkey_ed25519":"{{Ed}}","messages":["{{Hash0}}"],"signature":"1w2+GJNwyQc4fZdfo/NKVDCMtXjfI4kQY4c/XBcsvo6gWHsW9noc9gjw0Bn74t0xJnDZUVB8TS8jM4iFCzDSAw=="}""");
        Assert.Equal(200, r.Status);
        Assert.Equal(
            $$$"""{"hf":[19,4],"swarm":{"{{{HandlerFixture.NodeKeyHex}}}":{"deleted":["{{{Hash0}}}"],"signature":"h0A0rzaDc9vuPM+6e2sbiYtVw9JC1jxI7QBKzhdA0CQx46HGihKg2poP92baHefvFCJEkQPd92krSGRyyBbFBA=="}},"t":1700000000012}""",
            r.BodyText);
    }

    [Fact]
    public async Task DeleteAll_AllNamespaces_MatchesWorkedExampleEntry()
    {
        await _f.CallAsync(Store0);
        await _f.CallAsync(Store2);
        _f.SetNow(1_700_000_005_009);
        var r = await _f.CallAsync("delete_all", $$"""{"pubkey":"{{Pubkey}}","pubkey_ed25519":"{{Ed}}","namespace":"all","timestamp":1700000005000,"signature":"Up9NTPahx6C+W390xYGKcIO7YVlBTTDyGC+XobBDG9M7QK2mjduCjnr5UKqHun6H/l0XCFDf14lBVNXYs6aSBg=="}""");
        Assert.Equal(200, r.Status);
        Assert.Equal(
            $$$"""{"hf":[19,4],"swarm":{"{{{HandlerFixture.NodeKeyHex}}}":{"deleted":{"0":["{{{Hash0}}}"],"2":["{{{Hash2}}}"]},"signature":"8KsDexQ8+/HSX28eGXEziaL/PTqjusJ51Atb4Ly5qvYdc5Sai/tnOAY0HGE/ux8X85KVvpjm0jRrue/nXjn1Dg=="}},"t":1700000005009}""",
            r.BodyText);
    }

    [Fact]
    public async Task Expire_Extend_MatchesWorkedExampleEntry()
    {
        await _f.CallAsync(Store0);
        await _f.CallAsync(Store2);
        var r = await _f.CallAsync("expire", $$"""{"pubkey":"{{Pubkey}}","pubkey_ed25519":"{{Ed}}","messages":["{{Hash0}}","{{Hash2}}"],"expiry":1700172800000,"extend":true,"signature":"V3GceuxB6GD3e1hgJmEReXx/Tk91IeFke169I4EmdD3HRI3s23bA708bOXMBQjV3RHgUxbtO5w5xhYklXwL9AQ=="}""");
        Assert.Equal(200, r.Status);
        Assert.Equal(
            $$$"""{"hf":[19,4],"swarm":{"{{{HandlerFixture.NodeKeyHex}}}":{"expiry":1700172800000,"signature":"LYWY1sVxTFZ9MKu89lnt68cK8/dkym+B27qQYVvPQZI4KjwqzPh3ucS1k9Yk9AjfhcTZcHKMpYmAJOmzxQh/BQ==","unchanged":{"{{{Hash2}}}":1702592000000},"updated":["{{{Hash0}}}"]}},"t":1700000000012}""",
            r.BodyText);
    }

    [Fact]
    public async Task Retrieve_SubaccountOfGroup_VerifiesAndRevocationRefuses()
    {
        const string Group = "03ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";
        const string Token = "AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";
        var retrieve = $$"""{"pubkey":"{{Group}}","namespace":11,"timestamp":1700000005000,"subaccount":"{{Token}}","subaccount_sig":"ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA==","signature":"0wWAUrOO+rRtua5FNS3xQiP/sY1En6mr6io5KOOmgrRuBUx2FzwmVmUWlCTTaC+SibdIyjJG/D+SVN6GkmmeDw=="}""";
        _f.SetNow(1_700_000_005_009);
        var ok = await _f.CallAsync("retrieve", retrieve);
        Assert.Equal(200, ok.Status);
        Assert.Equal("""{"hf":[19,4],"messages":[],"more":false,"t":1700000005009}""", ok.BodyText);

        using var groupKey = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)0x03, 32).ToArray());
        Assert.True(SubaccountToken.TryParse(Token, out var parsed));
        var revokeSig = Convert.ToBase64String(groupKey.Sign(SignedMessages.RevokeSubaccount(1_700_000_005_000, [parsed!])));
        var revoke = await _f.CallAsync("revoke_subaccount", $$"""{"pubkey":"{{Group}}","revoke":["{{Token}}"],"timestamp":1700000005000,"signature":"{{revokeSig}}"}""");
        Assert.Equal(200, revoke.Status);

        var refused = await _f.CallAsync("retrieve", retrieve);
        Assert.Equal(401, refused.Status);
        Assert.Equal("retrieve signature verification failed", refused.BodyText);
    }
}
