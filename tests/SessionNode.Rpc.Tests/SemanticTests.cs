using System.Text.Json;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>Post-parse checks of client-rpc.md §9: windows, TTLs, auth, 421, effects.</summary>
public sealed class SemanticTests : IDisposable
{
    private readonly HandlerFixture _f = new();
    private readonly Ed25519KeyPair _user = Ed25519KeyPair.FromSeed(Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

    private const string Pk = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string Ed = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

    public void Dispose()
    {
        _user.Dispose();
        _f.Dispose();
    }

    private long Now => _f.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private string SignB64(byte[] message) => Convert.ToBase64String(_user.Sign(message));

    private Task<RpcResult> StorePublicAsync(string data, long ts, long ttl, int ns = 0) =>
        _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":{{ts}},"ttl":{{ttl}},"data":"{{data}}","namespace":{{ns}}}""");

    [Theory]
    [InlineData(9_999, 0, 403)]
    [InlineData(10_000, 0, 200)]
    [InlineData(1_209_600_000, 0, 200)]
    [InlineData(1_209_600_001, 0, 403)]
    [InlineData(1_209_600_001, -30, 403)]
    public async Task Store_TtlBounds_PublicInbox(long ttl, int ns, int status)
    {
        var r = await StorePublicAsync("AAAA", Now, ttl, ns);
        Assert.Equal(status, r.Status);
        if (status == 403)
        {
            Assert.Equal("Provided expiry/TTL is not valid.", r.BodyText);
        }
    }

    [Theory]
    [InlineData("9223372036854775808", 403, "Provided expiry/TTL is not valid.")]
    [InlineData("18446744073709551615", 403, "Provided expiry/TTL is not valid.")]
    [InlineData("\"18446744073709551615\"", 403, "Provided expiry/TTL is not valid.")]
    [InlineData("18446744073709551616", 400, "invalid request: Invalid value given for 'ttl': expected positive integer")]
    [InlineData("\"18446744073709551616\"", 400, "invalid request: Invalid value given for 'ttl': \"18446744073709551616\"")]
    public async Task Store_TtlBeyondInt64_AnyUInt64IsATtlTheTtlCheckRefuses(string ttl, int status, string body)
    {
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":{{Now}},"ttl":{{ttl}},"data":"AAAA"}""");
        Assert.Equal(status, r.Status);
        Assert.Equal(body, r.BodyText);
    }

    [Fact]
    public async Task Store_TimestampStringAtInt64Minimum_ParsedThenRefusedByTheClockCheck()
    {
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":"-9223372036854775808","ttl":86400000,"data":"AAAA"}""");
        Assert.Equal(406, r.Status);
        Assert.Equal("Timestamp error: check your clock", r.BodyText);
    }

    [Theory]
    [InlineData("", 15, true)] // neither limit: max_size −5 → 1 560 000, room for 15 × 102 543
    [InlineData(",\"max_count\":0,\"max_size\":0", 15, true)] // zeros count as absent
    [InlineData(",\"max_count\":100", 16, false)] // a count alone leaves the 7 800 000 cap
    [InlineData(",\"max_count\":-3", 15, true)] // negative count ignored: the default budget again
    [InlineData(",\"max_size\":-5", 15, true)]
    [InlineData(",\"max_size\":99999999", 16, false)] // above the cap: 7 800 000
    public async Task Retrieve_DefaultSizeBudget_IsAFifthOfTheMaximum(string limits, int expected, bool more)
    {
        for (var i = 0; i < 16; i++)
        {
            // Distinct 76 800-byte messages, each costing 100 + 43 + 102 400 = 102 543.
            var body = Convert.ToBase64String([(byte)i, .. new byte[Limits.MaxMessageBytes - 1]]);
            Assert.Equal(200, (await StorePublicAsync(body, Now + i, 86_400_000, ns: -10)).Status);
        }

        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10{{limits}}}""");
        Assert.Equal(200, r.Status);
        using var doc = JsonDocument.Parse(r.Body);
        Assert.Equal(expected, doc.RootElement.GetProperty("messages").GetArrayLength());
        Assert.Equal(more, doc.RootElement.GetProperty("more").GetBoolean());
    }

    [Theory]
    [InlineData(10_000, 200)]
    [InlineData(10_001, 406)]
    public async Task Store_TimestampInFuture_Boundary(long ahead, int status)
    {
        var r = await StorePublicAsync("AAAA", Now + ahead, 86_400_000);
        Assert.Equal(status, r.Status);
        if (status == 406)
        {
            Assert.Equal("Timestamp error: check your clock", r.BodyText);
        }
    }

    [Fact]
    public async Task Store_ExpiryTooFarInPast_406()
    {
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":{{Now - 100_000}},"expiry":{{Now - 10_001}},"data":"AAAA"}""");
        Assert.Equal(406, r.Status);
    }

    [Fact]
    public async Task Store_PrivateNamespace_NeedsValidSignature()
    {
        var unsigned = await StorePublicAsync("AAAA", Now, 86_400_000, ns: 5);
        Assert.Equal(401, unsigned.Status);
        Assert.Equal("store: signature required to store to namespace 5", unsigned.BodyText);

        var ts = Now;
        var badSig = SignB64(SignedMessages.Store(new Namespace(6), ts));
        var bad = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","timestamp":{{ts}},"ttl":86400000,"data":"AAAA","namespace":5,"signature":"{{badSig}}"}""");
        Assert.Equal(401, bad.Status);
        Assert.Equal("store signature verification failed", bad.BodyText);

        var oldSigTs = ts - 60_001;
        var old = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","timestamp":{{ts}},"sig_timestamp":{{oldSigTs}},"ttl":86400000,"data":"AAAA","namespace":5,"signature":"{{SignB64(SignedMessages.Store(new Namespace(5), oldSigTs))}}"}""");
        Assert.Equal(406, old.Status);
        Assert.Equal("store signature timestamp too far from current time", old.BodyText);

        var good = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","timestamp":{{ts}},"ttl":2592000000,"data":"AAAA","namespace":5,"signature":"{{SignB64(SignedMessages.Store(new Namespace(5), ts))}}"}""");
        Assert.Equal(200, good.Status);
    }

    [Fact]
    public async Task Store_WrongEd25519ForSessionId_401()
    {
        using var other = Ed25519KeyPair.Generate();
        var ts = Now;
        var sig = Convert.ToBase64String(other.Sign(SignedMessages.Store(new Namespace(5), ts)));
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{other.PublicKeyHex}}","timestamp":{{ts}},"ttl":86400000,"data":"AAAA","namespace":5,"signature":"{{sig}}"}""");
        Assert.Equal(401, r.Status);
    }

    [Fact]
    public async Task Retrieve_Unsigned_DefaultNamespace_401_ButLegacyGroupNamespaceOpen()
    {
        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}"}""");
        Assert.Equal(401, r.Status);
        Assert.Equal("retrieve: request signature required", r.BodyText);

        await StorePublicAsync("AAAA", Now, 86_400_000, ns: -10);
        var open = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10}""");
        Assert.Equal(200, open.Status);
        Assert.Contains("\"data\":\"AAAA\"", open.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60_000, 200)]
    [InlineData(60_001, 406)]
    [InlineData(-60_000, 200)]
    [InlineData(-60_001, 406)]
    public async Task Retrieve_TimestampWindow(long offset, int status)
    {
        var ts = Now + offset;
        var r = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","timestamp":{{ts}},"signature":"{{SignB64(SignedMessages.Retrieve(Namespace.Default, ts))}}"}""");
        Assert.Equal(status, r.Status);
        if (status == 406)
        {
            Assert.Equal("retrieve timestamp too far from current time", r.BodyText);
        }
    }

    [Fact]
    public async Task Retrieve_AfterExpiry_MessageInvisible()
    {
        var ts = Now;
        await StorePublicAsync("AAAA", ts, 10_000, ns: -10);
        _f.Clock.Advance(TimeSpan.FromMilliseconds(9_999));
        var before = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10}""");
        Assert.Contains("AAAA", before.BodyText, StringComparison.Ordinal);
        _f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var after = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10}""");
        Assert.Contains("\"messages\":[]", after.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieve_MaxCountAndLastHash_Page()
    {
        var hashes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var r = await StorePublicAsync(Convert.ToBase64String([(byte)i, 1, 2]), Now, 86_400_000, ns: -10);
            using var doc = JsonDocument.Parse(r.Body);
            hashes.Add(doc.RootElement.GetProperty("hash").GetString()!);
        }

        var page = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10,"max_count":2,"last_hash":"{{hashes[1]}}"}""");
        using var p = JsonDocument.Parse(page.Body);
        var got = p.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("hash").GetString()).ToArray();
        Assert.Equal([hashes[2], hashes[3]], got);
        Assert.True(p.RootElement.GetProperty("more").GetBoolean());

        var negative = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10,"max_count":-1}""");
        using var n = JsonDocument.Parse(negative.Body);
        Assert.Equal(5, n.RootElement.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Retrieve_BodyOutgrowsPooledBuffer_ExactJsonOfStoredMessages()
    {
        // 6 × 10 KB messages: ~82 KB of JSON, past the 16 KiB first buffer (grown several times).
        for (var i = 0; i < 6; i++)
        {
            var data = new byte[10_000];
            Array.Fill(data, (byte)(i * 40));
            var r = await StorePublicAsync(Convert.ToBase64String(data), Now + i, 86_400_000, ns: -10);
            Assert.Equal(200, r.Status);
        }

        var result = await _f.CallAsync("retrieve", $$"""{"pubkey":"{{Pk}}","namespace":-10,"max_size":-1}""");
        Assert.Equal(200, result.Status);
        var body = result.BodyText;
        result.ReleaseBody();
        result.ReleaseBody(); // idempotent

        var stored = _f.Store.Retrieve(AccountId.ParseHex(Pk), Namespace.LegacyClosedGroup, null, null, null);
        Assert.Equal(6, stored.Messages.Count);
        var hf = _f.Node.Membership.Current.HardFork;
        var expected = new System.Text.StringBuilder($"{{\"hf\":[{hf.Major},{hf.Minor}],\"messages\":[");
        for (var i = 0; i < stored.Messages.Count; i++)
        {
            var m = stored.Messages[i];
            expected.Append(i == 0 ? "" : ",")
                .Append($"{{\"data\":\"{Convert.ToBase64String(m.Data)}\",\"expiration\":{m.ExpiryMs},\"hash\":\"{m.Hash}\",\"timestamp\":{m.TimestampMs}}}");
        }

        expected.Append($"],\"more\":false,\"t\":{Now}}}");
        Assert.Equal(expected.ToString(), body);
    }

    [Fact]
    public async Task Delete_Required_NothingDeleted_404WithJsonBody()
    {
        var hash = new string('A', 43);
        var r = await _f.CallAsync("delete", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{hash}}"],"required":true,"signature":"{{SignB64(SignedMessages.Delete([hash]))}}"}""");
        Assert.Equal(404, r.Status);
        Assert.True(r.IsJson);
        Assert.Contains("\"deleted\":[]", r.BodyText, StringComparison.Ordinal);

        var notRequired = await _f.CallAsync("delete", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{hash}}"],"signature":"{{SignB64(SignedMessages.Delete([hash]))}}"}""");
        Assert.Equal(200, notRequired.Status);
    }

    [Fact]
    public async Task DeleteBefore_AllNamespaces_ReturnsMapAndDeletes()
    {
        var ts = Now;
        await StorePublicAsync("AAAA", ts - 1000, 86_400_000, ns: 0);
        await StorePublicAsync("BBBB", ts - 1000, 86_400_000, ns: 10);
        await StorePublicAsync("CCCC", ts + 5000, 86_400_000, ns: 10);
        var r = await _f.CallAsync("delete_before", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","namespace":"all","before":{{ts}},"signature":"{{SignB64(SignedMessages.DeleteBefore(null, ts))}}"}""");
        Assert.Equal(200, r.Status);
        using var doc = JsonDocument.Parse(r.Body);
        var entry = doc.RootElement.GetProperty("swarm").GetProperty(HandlerFixture.NodeKeyHex);
        var deleted = entry.GetProperty("deleted");
        Assert.Equal(1, deleted.GetProperty("0").GetArrayLength());
        Assert.Equal(1, deleted.GetProperty("10").GetArrayLength());

        var future = ts + 60_001;
        var tooLate = await _f.CallAsync("delete_before", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","before":{{future}},"signature":"{{SignB64(SignedMessages.DeleteBefore(Namespace.Default, future))}}"}""");
        Assert.Equal(401, tooLate.Status);
        Assert.Equal("delete_before timestamp too far in the future", tooLate.BodyText);
    }

    [Fact]
    public async Task ExpireAll_OnlyShortens_AndWindow()
    {
        var ts = Now;
        await StorePublicAsync("AAAA", ts, 86_400_000);
        var target = ts + 3_600_000;
        var r = await _f.CallAsync("expire_all", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","expiry":{{target}},"signature":"{{SignB64(SignedMessages.ExpireAll(Namespace.Default, target))}}"}""");
        Assert.Equal(200, r.Status);
        Assert.Contains("\"updated\":[\"", r.BodyText, StringComparison.Ordinal);

        var longer = ts + 7_200_000;
        var again = await _f.CallAsync("expire_all", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","expiry":{{longer}},"signature":"{{SignB64(SignedMessages.ExpireAll(Namespace.Default, longer))}}"}""");
        Assert.Contains("\"updated\":[]", again.BodyText, StringComparison.Ordinal);

        var past = ts - 60_001;
        var old = await _f.CallAsync("expire_all", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","expiry":{{past}},"signature":"{{SignB64(SignedMessages.ExpireAll(Namespace.Default, past))}}"}""");
        Assert.Equal(406, old.Status);
        Assert.Equal("expire_all timestamp should be >= current time", old.BodyText);

        var forwarded = await _f.CallAsync("expire_all", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","expiry":{{past}},"signature":"{{SignB64(SignedMessages.ExpireAll(Namespace.Default, past))}}"}""", forwarded: true);
        Assert.Equal(200, forwarded.Status);
    }

    [Fact]
    public async Task Expire_PastAndMultiAndClamp()
    {
        var ts = Now;
        var stored = await StorePublicAsync("AAAA", ts, 86_400_000);
        using var doc = JsonDocument.Parse(stored.Body);
        var hash = doc.RootElement.GetProperty("hash").GetString()!;

        var past = ts - 60_001;
        var r = await _f.CallAsync("expire", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{hash}}"],"expiry":{{past}},"signature":"{{SignB64(SignedMessages.Expire(false, false, [past], [hash]))}}"}""");
        Assert.Equal(401, r.Status);
        Assert.Equal("expire: timestamp should be >= current time", r.BodyText);

        var far = ts + 40L * 86_400_000;
        var clamp = await _f.CallAsync("expire", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{hash}}"],"expiry":{{far}},"signature":"{{SignB64(SignedMessages.Expire(false, false, [far], [hash]))}}"}""");
        Assert.Equal(200, clamp.Status);
        Assert.Contains($"\"expiry\":{ts + Limits.MaxTtlPrivateMs}", clamp.BodyText, StringComparison.Ordinal);

        var badSig = await _f.CallAsync("expire", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{hash}}"],"expiry":{{far}},"signature":"{{SignB64(SignedMessages.Expire(true, false, [far], [hash]))}}"}""");
        Assert.Equal(401, badSig.Status);
        Assert.Equal("expire: signature verification failed", badSig.BodyText);
    }

    [Fact]
    public async Task Expire_MultiBeforeHf194_403()
    {
        using var f = new HandlerFixture(rpc: new RpcOptions { HardForkMajor = 19, HardForkMinor = 3 });
        var ts = f.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var h1 = new string('A', 43);
        var h2 = new string('B', 43);
        var e = ts + 1000;
        var r = await f.CallAsync("expire", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{h1}}","{{h2}}"],"expiry":[{{e}},{{e}}],"signature":"{{SignB64(SignedMessages.Expire(false, false, [e, e], [h1, h2]))}}"}""");
        Assert.Equal(403, r.Status);
        Assert.Equal("expire: multi-expiry requests are not yet active on the network", r.BodyText);
    }

    [Fact]
    public async Task GetExpiries_ReturnsOnlyOwnExisting()
    {
        var ts = Now;
        var stored = await StorePublicAsync("AAAA", ts, 86_400_000);
        using var doc = JsonDocument.Parse(stored.Body);
        var hash = doc.RootElement.GetProperty("hash").GetString()!;
        string[] asked = [hash, "nope"];
        var r = await _f.CallAsync("get_expiries", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","messages":["{{hash}}","nope"],"timestamp":{{ts}},"signature":"{{SignB64(SignedMessages.GetExpiries(ts, asked))}}"}""");
        Assert.Equal(200, r.Status);
        Assert.Equal($"{{\"expiries\":{{\"{hash}\":{ts + 86_400_000}}}}}", r.BodyText);
    }

    [Fact]
    public async Task WrongSwarm_421WithCorrectSwarm_AfterParse_BeforeAuth()
    {
        // Two swarms: ours at 0 and another at 2^63; the test account maps to the other one.
        var other = new ServiceNodeRecord(new byte[32], new byte[32], new byte[32], "10.0.0.2", 22021, 22020, 1UL << 63);
        var self = _f.Node.Membership.Current.Self!;
        _f.Node.Membership.Publish(new MembershipSnapshot(5, [self, other], self, (19, 4), 0));
        var account = "05" + "80" + new string('0', 62);
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{account}}","timestamp":{{Now}},"ttl":86400000,"data":"AAAA","namespace":5}""");
        Assert.Equal(421, r.Status);
        Assert.True(r.IsJson);
        using var doc = JsonDocument.Parse(r.Body);
        Assert.Equal("8000000000000000", doc.RootElement.GetProperty("swarm").GetString());
        Assert.Equal("10.0.0.2", doc.RootElement.GetProperty("snodes")[0].GetProperty("ip").GetString());
        Assert.True(doc.RootElement.TryGetProperty("t", out _));

        var parseFirst = await _f.CallAsync("store", $$"""{"pubkey":"{{account}}","timestamp":{{Now}},"ttl":86400000}""");
        Assert.Equal(400, parseFirst.Status);
    }

    [Fact]
    public async Task Info_And_GetSwarm_Shapes()
    {
        var info = await _f.CallAsync("info", "{}");
        Assert.Equal($"{{\"hf\":[19,4],\"t\":{Now},\"timestamp\":{Now},\"version\":[2,8,0]}}", info.BodyText);

        var swarm = await _f.CallAsync("get_snodes_for_pubkey", "{\"pubKey\":\"" + Pk + "\",\"params\":{}}");
        Assert.Equal(200, swarm.Status);
        using var doc = JsonDocument.Parse(swarm.Body);
        var node = doc.RootElement.GetProperty("snodes")[0];
        Assert.Equal(HandlerFixture.NodeKeyHex, node.GetProperty("pubkey_ed25519").GetString());
        Assert.Equal("22021", node.GetProperty("port").GetString());
        Assert.Equal(22021, node.GetProperty("port_https").GetInt32());
        Assert.EndsWith(".snode", node.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal(52 + 6, node.GetProperty("address").GetString()!.Length);
        Assert.Equal("0", doc.RootElement.GetProperty("swarm").GetString());
    }

    [Fact]
    public async Task Sequence_StopsAtFirstFailure_BatchRunsAll()
    {
        const string Sub = "[{\"method\":\"info\",\"params\":{}},{\"method\":\"retrieve\",\"params\":{\"pubkey\":\"" + Pk + "\"}},{\"method\":\"info\",\"params\":{}}]";
        var seq = await _f.CallAsync("sequence", "{\"requests\":" + Sub + "}");
        using var s = JsonDocument.Parse(seq.Body);
        var results = s.RootElement.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        Assert.Equal(401, results[1].GetProperty("code").GetInt32());
        Assert.Equal("retrieve: request signature required", results[1].GetProperty("body").GetString());

        var batch = await _f.CallAsync("batch", "{\"requests\":" + Sub + "}");
        using var b = JsonDocument.Parse(batch.Body);
        Assert.Equal(3, b.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(19, b.RootElement.GetProperty("results")[0].GetProperty("body").GetProperty("hf")[0].GetInt32());
    }

    [Fact]
    public async Task IfElse_Conditions()
    {
        var r = await _f.CallAsync("ifelse", """{"if":{"hf_at_least":[19,5]},"then":{"method":"info","params":{}},"else":{"method":"get_swarm","params":{"pubkey":"054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01"}}}""");
        using var doc = JsonDocument.Parse(r.Body);
        Assert.False(doc.RootElement.GetProperty("condition").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("result").GetProperty("body").TryGetProperty("snodes", out _));

        var v = await _f.CallAsync("ifelse", """{"if":{"v_at_least":2,"v_before":[2,8,1],"height_at_least":0},"then":{"method":"info","params":{}}}""");
        using var d2 = JsonDocument.Parse(v.Body);
        Assert.True(d2.RootElement.GetProperty("condition").GetBoolean());

        var none = await _f.CallAsync("ifelse", """{"if":{"hf_before":19},"then":{"method":"info","params":{}}}""");
        Assert.DoesNotContain("result", none.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revocation_WindowAndUnrevokeCount()
    {
        var token = SubaccountToken.Create(0x05, SubaccountFlags.Read, new byte[32]);
        var ts = Now;
        var hex = Convert.ToHexStringLower(token.Span);
        var revoke = await _f.CallAsync("revoke_subaccount", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","revoke":"{{hex}}","timestamp":{{ts}},"signature":"{{SignB64(SignedMessages.RevokeSubaccount(ts, [token]))}}"}""");
        Assert.Equal(200, revoke.Status);
        Assert.True(_f.Store.IsRevoked(new AccountIdHolder(Pk).Value, token));

        var un = await _f.CallAsync("unrevoke_subaccount", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","unrevoke":["{{hex}}"],"timestamp":{{ts}},"signature":"{{SignB64(SignedMessages.UnrevokeSubaccount(ts, [token]))}}"}""");
        Assert.Equal(200, un.Status);
        Assert.Contains("\"count\":1", un.BodyText, StringComparison.Ordinal);

        var old = ts - 60_001;
        var late = await _f.CallAsync("revoke_subaccount", $$"""{"pubkey":"{{Pk}}","pubkey_ed25519":"{{Ed}}","revoke":"{{hex}}","timestamp":{{old}},"signature":"{{SignB64(SignedMessages.RevokeSubaccount(old, [token]))}}"}""");
        Assert.Equal(406, late.Status);
        Assert.Equal("revoke_subaccount timestamp too far from current time", late.BodyText);
    }

    [Fact]
    public async Task OxendRequest_WithoutOxend_400()
    {
        var r = await _f.CallAsync("oxend_request", """{"endpoint":"get_service_nodes","params":{"active_only":true}}""");
        Assert.Equal(400, r.Status);
    }

    private readonly record struct AccountIdHolder(string Hex)
    {
        public AccountId Value => AccountId.ParseHex(Hex);
    }
}
