using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Onion.Tests;

/// <summary>onion-vectors.json <c>response_wrapping</c>: plaintext and HTTP body byte for byte with the fixed nonces.</summary>
public sealed class ResponseWrappingVectorTests
{
    public static TheoryData<string> Cases => OnionVectors.Ids("response_wrapping");

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncryptResponse_Vector_MatchesByteForByte(string id)
    {
        var section = OnionVectors.Root.GetProperty("response_wrapping");
        var c = OnionVectors.ById("response_wrapping", id);
        using var nodeKeys = OnionVectors.NodeKeys(section.Str("node_label"));
        var client = section.GetProperty("client_ephemeral").Hex("pubkey");
        var type = c.EncType();
        Assert.True(new ChannelEncryption(nodeKeys, isServer: true).TryDeriveKey(type, client, out var key));

        var isJson = c.Str("rpc_body_kind") == "json";
        var jsonFlag = c.GetProperty("json_flag").GetBoolean();
        var base64 = c.GetProperty("base64_flag").GetBoolean();
        var status = c.GetProperty("rpc_status").GetInt32();
        var rpcBody = c.Utf8("rpc_body_utf8");

        Assert.Equal(c.Str("wrapped_plaintext_utf8"), Encoding.UTF8.GetString(OnionProcessor.WrapResponse(status, rpcBody, isJson, jsonFlag)));

        var nonces = new FixedNonceSource(c.Hex("nonce_hex"));
        var body = new OnionProcessor(nodeKeys, nonces).EncryptResponse(key, status, rpcBody, isJson, jsonFlag, base64);
        Assert.Equal(1, nonces.Used);
        Assert.Equal(200, c.GetProperty("http_status").GetInt32());
        if (base64)
        {
            Assert.Equal(c.Str("http_body_utf8"), Encoding.ASCII.GetString(body));
            Assert.Equal(c.Str("ciphertext_hex"), Convert.ToHexStringLower(Convert.FromBase64String(Encoding.ASCII.GetString(body))));
        }
        else
        {
            Assert.Equal(c.Str("http_body_hex"), Convert.ToHexStringLower(body));
        }
    }

    [Fact]
    public void EncryptError_InvalidJson_MatchesVector()
    {
        var section = OnionVectors.Root.GetProperty("response_wrapping");
        var c = OnionVectors.ById("response_wrapping", "wrap-invalid-json");
        using var nodeKeys = OnionVectors.NodeKeys(section.Str("node_label"));
        Assert.True(new ChannelEncryption(nodeKeys, isServer: true).TryDeriveKey(c.EncType(), section.GetProperty("client_ephemeral").Hex("pubkey"), out var key));
        var body = new OnionProcessor(nodeKeys, new FixedNonceSource(c.Hex("nonce_hex"))).EncryptError(key, OnionProcessor.InvalidJson);
        Assert.Equal(c.Str("http_body_utf8"), Encoding.ASCII.GetString(body));
    }

    [Fact]
    public void WrapResponse_InvalidUtf8Body_IsBase64()
    {
        var wrapped = OnionProcessor.WrapResponse(200, [0xff, 0x00], bodyIsJson: false, jsonFlag: false);
        Assert.Equal("""{"body":"/wA=","status":200}""", Encoding.UTF8.GetString(wrapped));
    }

    [Fact]
    public void WrapResponse_NonAscii_IsRawUtf8()
    {
        var wrapped = OnionProcessor.WrapResponse(200, "héllo \"q\" +/"u8, bodyIsJson: false, jsonFlag: false);
        Assert.Equal("{\"body\":\"héllo \\\"q\\\" +/\",\"status\":200}", Encoding.UTF8.GetString(wrapped));
    }
}
