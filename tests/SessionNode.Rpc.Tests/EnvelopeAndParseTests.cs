namespace SessionNode.Rpc.Tests;

/// <summary>Envelope (client-rpc.md §2.4) and parameter (§3, §9) errors: exact status and text.</summary>
public sealed class EnvelopeAndParseTests : IDisposable
{
    private const string Pk = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string Sig = "4Ky0fUtkfoO1FXiC4EajtUfuze4UbM+Ob/gbBgzN4SelP6H/QNmrG523BCqldf8yKZDJ3yYffdYp6/cyUf8YCg==";
    private const string Hash = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";

    private readonly HandlerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData("", "invalid json")]
    [InlineData("{", "invalid json")]
    [InlineData("{\"method\":\"info\",\"params\":{},}", "invalid json")]
    [InlineData("{\"method\":\"info\",\"params\":{}} x", "invalid json")]
    [InlineData("/*c*/{\"method\":\"info\",\"params\":{}}", "invalid json")]
    [InlineData("{\"method\":\"info\",\"params\":{},\"x\":\"\\ud800\"}", "invalid json")]
    [InlineData("{\"method\":\"info\",\"params\":{\"x\":\"a\\udc00\\ud83d\"}}", "invalid json")]
    [InlineData("{\"method\":\"\\ud800\",\"params\":{}}", "invalid json")]
    [InlineData("{\"method\":\"store\",\"params\":{\"pubkey\":\"\\udfff\"}}", "invalid json")]
    [InlineData("{\"\\ud800\":1,\"method\":\"info\",\"params\":{}}", "invalid json")]
    [InlineData("[]", "invalid json: no `method` field")]
    [InlineData("\"info\"", "invalid json: no `method` field")]
    [InlineData("{\"params\":{}}", "invalid json: no `method` field")]
    [InlineData("{\"method\":5,\"params\":{}}", "invalid json: no `method` field")]
    [InlineData("{\"method\":\"nope\"}", "invalid json: no `params` field")]
    [InlineData("{\"method\":\"info\"}", "invalid json: no `params` field")]
    [InlineData("{\"method\":\"info\",\"params\":[]}", "invalid json: no `params` field")]
    [InlineData("{\"method\":\"nope\",\"params\":{}}", "no method nope")]
    [InlineData("{\"method\":\"expire_msgs\",\"params\":{}}", "no method expire_msgs")]
    [InlineData("{\"method\":\"Info\",\"params\":{}}", "no method Info")]
    public async Task Envelope_Malformed_Returns400WithExactText(string body, string expected)
    {
        var r = await _f.CallAsync(body);
        Assert.Equal(400, r.Status);
        Assert.False(r.IsJson);
        Assert.Equal(expected, r.BodyText);
    }

    [Fact]
    public async Task Envelope_InvalidUtf8_IsInvalidJson()
    {
        var body = new byte[] { (byte)'{', (byte)'"', 0xff, (byte)'"', (byte)':', (byte)'1', (byte)'}' };
        var r = await _f.Handler.HandleEnvelopeAsync(body, _f.Handler.CreateContext(false, CancellationToken.None));
        Assert.Equal(400, r.Status);
        Assert.Equal("invalid json", r.BodyText);
    }

    [Fact]
    public async Task Envelope_EscapedSurrogatePair_Accepted()
    {
        var r = await _f.CallAsync("{\"method\":\"info\",\"params\":{\"x\":\"\\ud83d\\ude00\\u00e9\"}}");
        Assert.True(r.Status == 200, r.BodyText);
    }

    [Fact]
    public async Task Envelope_LeadingUtf8Bom_Skipped()
    {
        // Upstream's JSON parser skips a byte order mark at the start of the input.
        byte[] body = [0xef, 0xbb, 0xbf, .. "{\"method\":\"info\",\"params\":{}}"u8];
        var r = await _f.Handler.HandleEnvelopeAsync(body, _f.Handler.CreateContext(false, CancellationToken.None));
        Assert.True(r.Status == 200, r.BodyText);

        byte[] twice = [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, .. "{\"method\":\"info\",\"params\":{}}"u8];
        var bad = await _f.Handler.HandleEnvelopeAsync(twice, _f.Handler.CreateContext(false, CancellationToken.None));
        Assert.Equal("invalid json", bad.BodyText);
    }

    [Theory]
    [InlineData("store", "{}", "Required field 'pubkey' missing")]
    [InlineData("store", "{\"pubkey\":\"05\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\"}", "Pubkey must be 66 hex digits (33 bytes) long")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"pubKey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\"}", "Cannot specify both 'pubkey' and 'pubKey'")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"expiry\":1700086400000,\"data\":\"\"}", "Cannot specify both 'expiry' and 'ttl'")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"data\":\"\"}", "Required field 'expiry' or 'ttl' missing")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"ttl\":86400000,\"data\":\"\"}", "Required field 'timestamp' missing")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000}", "Required field 'data' missing")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"a-b_\"}", "Invalid 'data' value: not base64 encoded")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"abcde\"}", "Invalid 'data' value: not base64 encoded")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":\"17x\",\"ttl\":86400000,\"data\":\"\"}", "Invalid value given for 'timestamp': \"17x\"")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":\"-5\",\"data\":\"\"}", "Invalid value given for 'ttl': \"-5\"")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1.5,\"ttl\":86400000,\"data\":\"\"}", "Invalid value given for 'timestamp': expected integer")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":1e3,\"data\":\"\"}", "Invalid value given for 'ttl': expected positive integer")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"expiry\":999,\"data\":\"\"}", "Invalid timestamp for 'expiry': timestamp must be in milliseconds")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":40000}", "Invalid value given for 'namespace': value out of range")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":\"all\"}", "Invalid value given for 'namespace': expected 16-bit integer")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":5}", "Invalid value given for 'data': expected string")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":2,\"signature\":\"abc\"}", "invalid signature: expected base64 encoded Ed25519 signature")]
    [InlineData("store", "{\"pubkey\":\"03" + "4701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":2,\"signature\":\"" + Sig + "\",\"pubkey_ed25519\":\"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8\"}", "pubkey_ed25519 is only permitted for 05[...] pubkeys")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":2,\"signature\":\"" + Sig + "\",\"pubkey_ed25519\":\"zz" + "a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8\"}", "invalid pubkey_ed25519: value is not hex")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":2,\"signature\":\"" + Sig + "\",\"pubkey_ed25519\":\"abcd\"}", "Invalid pubkey_ed25519: expected 64 hex char or 32 byte pubkey")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":2,\"signature\":\"" + Sig + "\",\"subaccount\":\"xyz\"}", "invalid subaccount: expected base64 or hex-encoded subaccount token")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"namespace\":2,\"signature\":\"" + Sig + "\",\"subaccount\":\"AwMAANBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3\"}", "invalid subaccount: subaccount_sig is required when using subaccount")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"last_hash\":\"abc\"}", "Invalid last_hash: expected base64 (43 chars)")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"last_hash\":\"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6t!\"}", "Invalid last_hash: not base64")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"last_hash\":\"" + Hash + "\",\"lastHash\":\"" + Hash + "\"}", "Cannot specify both 'last_hash' and 'lastHash'")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":0}", "Required field 'signature' missing")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\"}", "Required field 'timestamp' missing")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"max_count\":3000000000}", "Invalid value given for 'max_count': expected integer")]
    [InlineData("get_swarm", "{\"pubkey\":\"0512\"}", "Pubkey must be 66 hex digits/33 bytes long")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[]}", "messages does not contain any message hashes")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"abc\"]}", "invalid message hash: abc")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[1]}", "Invalid value given for 'messages': expected string array")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"messages\":[\"" + Hash + "\"]}", "Required field 'signature' missing")]
    [InlineData("delete", "{\"pubKey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"]}", "Required field 'pubkey' missing")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"],\"required\":1}", "Invalid value given for 'required': expected boolean")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":\"most\",\"timestamp\":1700000000000}", "Invalid value given for 'namespace': expected integer or \"all\"")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\"}", "Required field 'timestamp' missing")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"],\"expiry\":[]}", "'expiry' does not contain any expiration timestamps")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"],\"expiry\":[1700000000000,1700000000001]}", "'expiry' must be a single expiry, or the same length as 'messages'")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"],\"expiry\":1700000000000,\"shorten\":true,\"extend\":true}", "cannot specify both 'shorten' and 'extend'")]
    [InlineData("revoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"revoke\":[\"zz\"],\"timestamp\":1700000000000}", "invalid revoke: expected base64 or hex-encoded subaccount tag")]
    [InlineData("unrevoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"unrevoke\":[\"zz\"],\"timestamp\":1700000000000}", "invalid unrevoke: expected base64 or hex-encoded subaccount tag")]
    [InlineData("oxend_request", "{\"endpoint\":\"get_info\"}", "Invalid oxend endpoint 'get_info'")]
    [InlineData("batch", "{}", "Invalid batch request: no valid \"requests\" field")]
    [InlineData("batch", "{\"requests\":[]}", "Invalid batch request: no valid \"requests\" field")]
    [InlineData("batch", "{\"requests\":[1]}", "Invalid batch request: requests must be objects")]
    [InlineData("batch", "{\"requests\":[{\"method\":\"info\"}]}", "Invalid batch request: subrequests must have method/params keys")]
    [InlineData("batch", "{\"requests\":[{\"method\":\"zap\",\"params\":{}}]}", "Invalid batch subrequest: invalid method \"zap\"")]
    [InlineData("sequence", "{\"requests\":[{\"method\":\"batch\",\"params\":{\"requests\":[{\"method\":\"info\",\"params\":{}}]}}]}", "Invalid batch subrequest: subrequests may not contain meta-requests")]
    [InlineData("batch", "{\"requests\":[{\"method\":\"ifelse\",\"params\":{\"if\":{\"height_at_least\":0},\"then\":{\"method\":\"info\",\"params\":{}}}}]}", "Invalid batch subrequest: subrequests may not contain meta-requests")]
    [InlineData("sequence", "{\"requests\":[{\"method\":\"batch\",\"params\":{}}]}", "Invalid batch request: no valid \"requests\" field")]
    [InlineData("batch", "{\"requests\":[{\"method\":\"ifelse\",\"params\":{}}]}", "Invalid ifelse request: no valid \"if\" field")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"method\":\"get_swarm\",\"params\":\"x\"}}", "Required field 'pubkey' missing")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"method\":\"batch\",\"params\":[]}}", "Invalid batch request: no valid \"requests\" field")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":3000000000},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid value given for 'height_at_least': expected integer")]
    [InlineData("ifelse", "{\"if\":{\"height_before\":-2147483649},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid value given for 'height_before': expected integer")]
    [InlineData("batch", "{\"requests\":[{\"method\":\"get_swarm\",\"params\":{}}]}", "Required field 'pubkey' missing")]
    [InlineData("ifelse", "{}", "Invalid ifelse request: no valid \"if\" field")]
    [InlineData("ifelse", "{\"if\":{},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid ifelse request: must specify at least one \"if\" condition")]
    [InlineData("ifelse", "{\"if\":{\"hf_at_least\":[]},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid ifelse request: must specify at least one \"if\" condition")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0}}", "Invalid ifelse request: at least one of \"then\"/\"else\" required")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":5}", "Invalid ifelse request: then must be an object")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"else\":{\"method\":\"info\"}}", "Invalid ifelse request: else must have method/params keys")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"method\":\"zap\",\"params\":{}}}", "Invalid ifelse request method \"then\"")]
    [InlineData("get_swarm", "{\"pubkey\":\"" + Pk + "\",\"pubKey\":\"" + Pk + "\"}", "Cannot specify both 'pubkey' and 'pubKey'")]
    [InlineData("get_snodes_for_pubkey", "{}", "Required field 'pubkey' missing")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"last_hash\":5}", "Invalid value given for 'last_hash': expected string")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"max_size\":\"5\"}", "Invalid value given for 'max_size': expected integer")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":1.5}", "Invalid value given for 'namespace': expected 16-bit integer")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"sig_timestamp\":999999999}", "Invalid timestamp for 'sig_timestamp': timestamp must be in milliseconds")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\"}", "Required field 'messages' missing")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":40000,\"timestamp\":1700000000000}", "Invalid value given for 'namespace': value out of range")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":true,\"timestamp\":1700000000000}", "Invalid value given for 'namespace': expected integer or \"all\"")]
    [InlineData("delete_before", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\"}", "Required field 'before' missing")]
    [InlineData("delete_before", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"before\":999999999}", "Invalid timestamp for 'before': timestamp must be in milliseconds")]
    [InlineData("expire_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":\"all\"}", "Required field 'expiry' missing")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"expiry\":1700000000000}", "Required field 'messages' missing")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":\"" + Hash + "\"}", "Required field 'expiry' missing")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":\"" + Hash + "\",\"expiry\":\"1700000000000\"}", "Invalid value given for 'expiry': expected timestamp array")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":\"" + Hash + "\",\"expiry\":[-1]}", "Invalid value given for 'expiry': expected timestamp array")]
    [InlineData("expire", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":\"" + Hash + "\",\"expiry\":1700000000000,\"shorten\":1}", "Invalid value given for 'shorten': expected boolean")]
    [InlineData("get_expiries", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":1700000000000}", "Required field 'messages' missing")]
    [InlineData("get_expiries", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"x\"]}", "Required field 'timestamp' missing")]
    [InlineData("get_expiries", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[],\"timestamp\":1700000000000}", "messages does not contain any message hashes")]
    [InlineData("revoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":1700000000000}", "Required field 'revoke' missing")]
    [InlineData("revoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"revoke\":5,\"timestamp\":1700000000000}", "Invalid value given for 'revoke': expected string array")]
    [InlineData("revoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"revoke\":[]}", "Required field 'timestamp' missing")]
    [InlineData("unrevoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":1700000000000}", "Required field 'unrevoke' missing")]
    [InlineData("unrevoke_subaccount", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"unrevoke\":[]}", "Required field 'timestamp' missing")]
    [InlineData("oxend_request", "{\"endpoint\":5}", "Invalid value given for 'endpoint': expected string")]
    [InlineData("batch", "{\"requests\":{}}", "Invalid batch request: no valid \"requests\" field")]
    [InlineData("sequence", "{\"requests\":\"info\"}", "Invalid batch request: no valid \"requests\" field")]
    [InlineData("batch", "{\"requests\":[{\"method\":5,\"params\":{}}]}", "Invalid batch request: subrequests must have method/params keys")]
    [InlineData("sequence", "{\"requests\":[{\"method\":\"info\",\"params\":[]}]}", "Invalid batch request: subrequests must have method/params keys")]
    [InlineData("batch", "{\"requests\":[{\"method\":\"info\",\"params\":null}]}", "Invalid batch request: subrequests must have method/params keys")]
    [InlineData("ifelse", "{\"if\":[]}", "Invalid ifelse request: no valid \"if\" field")]
    [InlineData("ifelse", "{\"if\":{\"hf_at_least\":\"19\"},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid value given for 'hf_at_least': expected integer array")]
    [InlineData("ifelse", "{\"if\":{\"v_before\":[2.5]},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid value given for 'v_before': expected integer array")]
    [InlineData("ifelse", "{\"if\":{\"height_before\":\"1\"},\"then\":{\"method\":\"info\",\"params\":{}}}", "Invalid value given for 'height_before': expected integer")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"method\":\"info\",\"params\":{}},\"else\":5}", "Invalid ifelse request: else must be an object")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"method\":5,\"params\":{}}}", "Invalid ifelse request: then must have method/params keys")]
    [InlineData("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"params\":{}}}", "Invalid ifelse request: then must have method/params keys")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"pubkey_ed25519\":5}", "Invalid value given for 'pubkey_ed25519': expected string")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"subaccount\":[]}", "Invalid value given for 'subaccount': expected string")]
    [InlineData("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"\",\"subaccount_sig\":true}", "Invalid value given for 'subaccount_sig': expected string")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":-10,\"subaccount\":1}", "Invalid value given for 'subaccount': expected string")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":-10,\"subaccount_sig\":{}}", "Invalid value given for 'subaccount_sig': expected string")]
    [InlineData("delete", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"],\"subaccount\":\"\",\"subaccount_sig\":5}", "Invalid value given for 'subaccount_sig': expected string")]
    [InlineData("get_expiries", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"messages\":[\"" + Hash + "\"],\"timestamp\":1700000000000,\"subaccount_sig\":5}", "Invalid value given for 'subaccount_sig': expected string")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":99999999999999999999}", "Invalid value given for 'namespace': expected 16-bit integer")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":-9223372036854775809}", "Invalid value given for 'namespace': expected 16-bit integer")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":-32769}", "Invalid value given for 'namespace': value out of range")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":9223372036854775807}", "Invalid value given for 'namespace': value out of range")]
    [InlineData("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":1.0}", "Invalid value given for 'namespace': expected 16-bit integer")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":99999999999999999999,\"timestamp\":1700000000000}", "Invalid value given for 'namespace': expected integer or \"all\"")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":32768,\"timestamp\":1700000000000}", "Invalid value given for 'namespace': value out of range")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"namespace\":\"ALL\",\"timestamp\":1700000000000}", "Invalid value given for 'namespace': expected integer or \"all\"")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":9223372036854775808}", "Invalid timestamp for 'timestamp': timestamp must be in milliseconds")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":18446744073709551615}", "Invalid timestamp for 'timestamp': timestamp must be in milliseconds")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":18446744073709551616}", "Invalid value given for 'timestamp': expected integer timestamp (in milliseconds)")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":999999999}", "Invalid timestamp for 'timestamp': timestamp must be in milliseconds")]
    [InlineData("delete_all", "{\"pubkey\":\"" + Pk + "\",\"signature\":\"" + Sig + "\",\"timestamp\":-0}", "Invalid value given for 'timestamp': expected integer timestamp (in milliseconds)")]
    public async Task Params_Invalid_Returns400InvalidRequest(string method, string paramsJson, string detail)
    {
        var r = await _f.CallAsync(method, paramsJson);
        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: " + detail, r.BodyText);
    }

    [Fact]
    public async Task Namespace_UInt64Literal_WrapsToInt64LikeUpstream()
    {
        // 2^64 - 10 reads as -10 (the legacy closed-group namespace), where retrieve needs no signature.
        var r = await _f.CallAsync("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":18446744073709551606}");
        Assert.True(r.Status == 200, r.BodyText);
        Assert.Contains("\"messages\":[]", r.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_DataOverLimit_Returns400()
    {
        var data = new string('A', 102_404);
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":1700000000000,"ttl":86400000,"data":"{{data}}"}""");
        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: Message body exceeds maximum allowed length of 76800 bytes", r.BodyText);
    }

    [Theory]
    [InlineData(102_401, 'A')] // 4n+1 characters can never be base64
    [InlineData(102_404, '!')]
    [InlineData(200_000, '-')]
    public async Task Store_DataOverLimitAndNotBase64_ReportsTheEncodingFirst(int length, char c)
    {
        var data = new string(c, length);
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":1700000000000,"ttl":86400000,"data":"{{data}}"}""");
        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: Invalid 'data' value: not base64 encoded", r.BodyText);
    }

    [Fact]
    public async Task Store_DataOverLimitWithJsonEscapes_Returns400Exceeds()
    {
        var data = string.Concat(Enumerable.Repeat("\\/AAA", 25_601)); // 102 404 characters once unescaped
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":1700000000000,"ttl":86400000,"data":"{{data}}"}""");
        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: Message body exceeds maximum allowed length of 76800 bytes", r.BodyText);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"x\"")]
    public async Task IfElse_BranchParamsNotAnObject_RunsTheMethodWithNoParams(string branchParams)
    {
        var r = await _f.CallAsync("ifelse", "{\"if\":{\"height_at_least\":0},\"then\":{\"method\":\"info\",\"params\":" + branchParams + "}}");
        Assert.Equal(200, r.Status);
        Assert.Contains("\"result\":{\"body\":{\"hf\":[19,4],\"t\":", r.BodyText, StringComparison.Ordinal);
        Assert.Contains("\"version\":[2,8,0]},\"code\":200}", r.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IfElse_HeightConditionAtInt32Limit_Accepted()
    {
        var r = await _f.CallAsync("ifelse", "{\"if\":{\"height_before\":2147483647},\"then\":{\"method\":\"info\",\"params\":{}}}");
        Assert.Equal(200, r.Status);
        Assert.Contains("\"condition\":true", r.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_DataAtLimit_IsStored()
    {
        var data = new string('A', 102_400);
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":1700000000000,"ttl":86400000,"data":"{{data}}"}""");
        Assert.True(r.Status == 200, r.BodyText);
    }

    [Theory]
    [InlineData("SGVsbG8=", "SGVsbG8=")]
    [InlineData("SGVsbG8sIFNlc3Npb24h", "SGVsbG8sIFNlc3Npb24h")]
    [InlineData("SGVsbG8", "SGVsbG8=")]
    [InlineData("SGVsbG9=", "SGVsbG8=")]
    [InlineData("/w==", "/w==")]
    [InlineData("\\/w==", "/w==")]
    [InlineData("", "")]
    public async Task Store_DataEncodings_DecodeLikeTheStrictRules(string sent, string storedAs)
    {
        _f.SetNow(1_700_000_000_012);
        var r = await _f.CallAsync("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"namespace\":-10,\"data\":\"" + sent + "\"}");
        Assert.True(r.Status == 200, r.BodyText);
        var got = await _f.CallAsync("retrieve", "{\"pubkey\":\"" + Pk + "\",\"namespace\":-10}");
        Assert.Contains("\"data\":\"" + storedAs + "\"", got.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SGVs bG8=")]
    [InlineData("SGVsbG8=\\n")]
    [InlineData("SGVsbG8==")]
    [InlineData("S")]
    public async Task Store_DataNotStrictBase64_Rejected(string sent)
    {
        var r = await _f.CallAsync("store", "{\"pubkey\":\"" + Pk + "\",\"timestamp\":1700000000000,\"ttl\":86400000,\"data\":\"" + sent + "\"}");
        Assert.Equal(400, r.Status);
        Assert.Equal("invalid request: Invalid 'data' value: not base64 encoded", r.BodyText);
    }

    [Fact]
    public async Task Store_DecimalStringsAndNulls_Accepted()
    {
        var r = await _f.CallAsync("store", $$"""{"pubkey":"{{Pk}}","timestamp":"01700000000000","ttl":"86400000","data":"SGVsbG8sIFNlc3Npb24h","namespace":null,"expiry":null}""");
        Assert.Equal(200, r.Status);
        Assert.Contains("\"hash\":\"hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc\"", r.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IfElse_NestedBeyondCap_Rejected_ButSixLevelsWork()
    {
        static string Nest(int levels)
        {
            var inner = "{\"method\":\"batch\",\"params\":{\"requests\":[{\"method\":\"info\",\"params\":{}}]}}";
            for (var i = 0; i < levels; i++)
            {
                inner = "{\"method\":\"ifelse\",\"params\":{\"if\":{\"hf_at_least\":[19]},\"then\":" + inner + "}}";
            }

            return inner;
        }

        var ok = await _f.CallAsync(Nest(5));
        Assert.Equal(200, ok.Status);
        Assert.Contains("\"version\":[2,8,0]", ok.BodyText, StringComparison.Ordinal);

        var deep = await _f.CallAsync(Nest(20));
        Assert.Equal(400, deep.Status);
        Assert.Equal("invalid request: Invalid ifelse request: nesting too deep", deep.BodyText);
    }
}
