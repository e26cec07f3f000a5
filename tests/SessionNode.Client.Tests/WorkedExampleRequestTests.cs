using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Core;

namespace SessionNode.Client.Tests;

/// <summary>
/// The requests the client builds for client-rpc.md §15.3–§15.8 carry exactly the published signatures and
/// parameters (timestamps injected through the builder's clock or explicitly).
/// </summary>
public sealed class WorkedExampleRequestTests
{
    [Fact]
    public void Store_Section15_3_PrivateNamespace_SignedAsPublished()
    {
        using var user = Vectors.User();
        var builder = new RequestBuilder(new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)));

        var request = builder.Store(user, Vectors.ConfigBlob, new Namespace(2), ttl: TimeSpan.FromMilliseconds(2_592_000_000));

        Assert.Equal("store", request.Method);
        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = Vectors.SessionIdHex,
            ["pubkey_ed25519"] = Vectors.UserEd25519Hex,
            ["namespace"] = 2,
            ["timestamp"] = 1_700_000_000_000,
            ["ttl"] = 2_592_000_000,
            ["data"] = "AAECY29uZmlnLWJsb2I=",
            ["signature"] = "4Ky0fUtkfoO1FXiC4EajtUfuze4UbM+Ob/gbBgzN4SelP6H/QNmrG523BCqldf8yKZDJ3yYffdYp6/cyUf8YCg==",
        });
    }

    [Fact]
    public void Store_PublicInbox_IsNotSignedByDefault()
    {
        using var user = Vectors.User();
        var builder = new RequestBuilder(new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)));

        var request = builder.Store(user, Vectors.HelloSession, ttl: TimeSpan.FromMilliseconds(86_400_000));

        // Exactly the §15.2 request.
        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = Vectors.SessionIdHex,
            ["timestamp"] = 1_700_000_000_000,
            ["ttl"] = 86_400_000,
            ["data"] = "SGVsbG8sIFNlc3Npb24h",
        });
        Assert.Equal(
            """{"method":"store","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01","timestamp":1700000000000,"ttl":86400000,"data":"SGVsbG8sIFNlc3Npb24h"}}""",
            request.ToString());
    }

    [Fact]
    public void Retrieve_Section15_4_SignedAsPublished()
    {
        using var user = Vectors.User();
        var builder = new RequestBuilder(new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_005_000)));

        var request = builder.Retrieve(user, lastHash: "", maxSize: -2);

        Assert.Equal("retrieve", request.Method);
        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = Vectors.SessionIdHex,
            ["pubkey_ed25519"] = Vectors.UserEd25519Hex,
            ["timestamp"] = 1_700_000_005_000,
            ["last_hash"] = "",
            ["max_size"] = -2,
            ["signature"] = "gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg==",
        });
    }

    [Fact]
    public void Retrieve_Section15_4_Namespace2_SignedAsPublished()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Retrieve(user, new Namespace(2), timestamp: 1_700_000_005_000);

        Assert.Equal("2", request.Params["namespace"]!.ToJsonString());
        Assert.Equal(
            "c2ENR5SMVuF8Pm48ON8ohVIGNgWXQZUwhfg5ZBZmA7B9AeFUU+4cpjoP68SnQ6C+JbFv7NO0RUIjEWOQ2nUuCg==",
            (string)request.Params["signature"]!);
    }

    [Fact]
    public void Delete_Section15_5_SignedAsPublished()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Delete(user, [Vectors.Hash0]);

        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = Vectors.SessionIdHex,
            ["pubkey_ed25519"] = Vectors.UserEd25519Hex,
            ["messages"] = new JsonArray(Vectors.Hash0),
            ["signature"] = "1w2+GJNwyQc4fZdfo/NKVDCMtXjfI4kQY4c/XBcsvo6gWHsW9noc9gjw0Bn74t0xJnDZUVB8TS8jM4iFCzDSAw==",
        });
    }

    [Fact]
    public void DeleteAll_Section15_6_AllNamespaces_SignedAsPublished()
    {
        using var user = Vectors.User();
        var builder = new RequestBuilder(new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_005_000)));

        var request = builder.DeleteAll(user, NamespaceScope.All);

        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = Vectors.SessionIdHex,
            ["pubkey_ed25519"] = Vectors.UserEd25519Hex,
            ["namespace"] = "all",
            ["timestamp"] = 1_700_000_005_000,
            ["signature"] = "Up9NTPahx6C+W390xYGKcIO7YVlBTTDyGC+XobBDG9M7QK2mjduCjnr5UKqHun6H/l0XCFDf14lBVNXYs6aSBg==",
        });
    }

    [Fact]
    public void Expire_Section15_7_Extend_SignedAsPublished()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Expire(user, [Vectors.Hash0, Vectors.Hash2], 1_700_172_800_000, ExpireMode.Extend);

        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = Vectors.SessionIdHex,
            ["pubkey_ed25519"] = Vectors.UserEd25519Hex,
            ["messages"] = new JsonArray(Vectors.Hash0, Vectors.Hash2),
            ["expiry"] = 1_700_172_800_000,
            ["extend"] = true,
            ["signature"] = "V3GceuxB6GD3e1hgJmEReXx/Tk91IeFke169I4EmdD3HRI3s23bA708bOXMBQjV3RHgUxbtO5w5xhYklXwL9AQ==",
        });
    }

    [Fact]
    public void Subaccount_Section15_8_TokenAndSignaturesAsPublished()
    {
        using var group = SessionAccount.FromGroupSeed(Bytes.Repeat(0x03, 32));
        Assert.Equal("03ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1", group.PubkeyHex);
        Assert.Null(group.PubkeyEd25519Hex);

        using var member = group.CreateSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, Bytes.Repeat(0x11, 32));
        Assert.Equal("d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737", Convert.ToHexStringLower(member.SigningPublicKey));
        Assert.Equal("03030000d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737", Convert.ToHexStringLower(member.Subaccount!.Span));

        var builder = new RequestBuilder(new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_005_000)));
        var request = builder.Retrieve(member, new Namespace(11));

        AssertParams(request.Params, new JsonObject
        {
            ["pubkey"] = "03ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1",
            ["namespace"] = 11,
            ["timestamp"] = 1_700_000_005_000,
            ["signature"] = "0wWAUrOO+rRtua5FNS3xQiP/sY1En6mr6io5KOOmgrRuBUx2FzwmVmUWlCTTaC+SibdIyjJG/D+SVN6GkmmeDw==",
            ["subaccount"] = "AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3",
            ["subaccount_sig"] = "ZFDLv1okdgHFrjDPSJZkjyWWJsn8js4C8aAPNwsN/A5y8/b3anKfGEMAO27s5bVX4BY7IbI7YWUxRfwwcx+MBA==",
        });
    }

    [Fact]
    public void Subaccount_ForSubaccountFromGrant_SignsLikeCreateSubaccount()
    {
        using var group = SessionAccount.FromGroupSeed(Bytes.Repeat(0x03, 32));
        using var memberKeys = SessionAccount.FromSeed(0x00, Bytes.Repeat(0x11, 32));
        var grant = group.IssueSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, memberKeys.SigningPublicKey);

        using var member = SessionAccount.ForSubaccount(group.Id, grant.Token, grant.Signature.Span, Bytes.Repeat(0x11, 32));
        var request = new RequestBuilder().Retrieve(member, new Namespace(11), timestamp: 1_700_000_005_000);

        Assert.Equal("0wWAUrOO+rRtua5FNS3xQiP/sY1En6mr6io5KOOmgrRuBUx2FzwmVmUWlCTTaC+SibdIyjJG/D+SVN6GkmmeDw==", (string)request.Params["signature"]!);
    }

    [Fact]
    public void ClockOffset_ShiftsDefaultTimestamps()
    {
        using var user = Vectors.User();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var builder = new RequestBuilder(clock, TimeSpan.FromMilliseconds(5_000));

        Assert.Equal(1_700_000_005_000, builder.NowMs);
        var request = builder.Retrieve(user, lastHash: "", maxSize: -2);
        Assert.Equal("gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg==", (string)request.Params["signature"]!);
    }

    [Fact]
    public void ToJsonBytes_DoesNotEscapePlusOrSlash()
    {
        using var user = Vectors.User();
        var json = Encoding.UTF8.GetString(new RequestBuilder().Delete(user, [Vectors.Hash0, Vectors.Hash2]).ToJsonBytes());

        Assert.Contains(Vectors.Hash0, json, StringComparison.Ordinal);
        Assert.Contains(Vectors.Hash2, json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
    }

    /// <summary>The params object has exactly the expected keys and values.</summary>
    private static void AssertParams(JsonObject actual, JsonObject expected)
    {
        Assert.Equal(
            expected.Select(p => p.Key).Order(StringComparer.Ordinal),
            actual.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[key]), $"'{key}': expected {value?.ToJsonString()}, got {actual[key]?.ToJsonString()}");
        }
    }
}
