using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Onion.Tests;

/// <summary>onion-vectors.json <c>channel_encryption</c> from the node's point of view, and the edge body rules of §5.2.</summary>
public sealed class EdgeBodyVectorTests
{
    [Fact]
    public void LibsessionParserBodies_ParseDecryptAndReplyByteForByte()
    {
        var v = OnionVectors.ById("channel_encryption", "libsession-parser-1");
        using var nodeKeys = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        foreach (var body in v.GetProperty("bodies").EnumerateArray())
        {
            var bytes = body.Hex("body_hex");
            Assert.True(OnionProcessor.TryParseRequestBody(bytes, out var request, out var error), error);
            Assert.Equal(body.GetProperty("expected_ciphertext_len").GetInt32(), request.Ciphertext.BlobLength);
            Assert.Equal(body.Str("expected_json_utf8"), Encoding.UTF8.GetString(request.Ciphertext.Json(bytes)));
            Assert.Equal(v.Str("client_pubkey_hex"), Convert.ToHexStringLower(request.EphemeralKey));
            Assert.Equal(body.EncType(), request.EncType);
            Assert.Equal(0, request.HopNo);

            var reply = body.GetProperty("generated_reply");
            var processor = new OnionProcessor(nodeKeys, new FixedNonceSource(reply.Hex("nonce_hex")));
            using var outcome = processor.ProcessLayer(request.Ciphertext.Blob(bytes), request.EphemeralKey, request.EncType);

            // "Hello world" is not framed, so it decrypts but classifies as a malformed layer.
            Assert.Equal(OnionLayerKind.ParseError, outcome.Kind);
            Assert.Equal(body.Str("expected_plaintext_utf8"), Encoding.UTF8.GetString(outcome.Plaintext.Span));

            var sealedReply = processor.Seal(outcome.Key, body.Utf8("reply_plaintext_utf8"), base64: false);
            Assert.Equal(body.GetProperty("expected_reply_len").GetInt32(), sealedReply.Length);
            Assert.Equal(reply.Str("reply_hex"), Convert.ToHexStringLower(sealedReply));
        }
    }

    [Theory]
    [InlineData("aes_gcm", EncryptionType.AesGcm)]
    [InlineData("xchacha20", EncryptionType.XChaCha20)]
    public void HopEncryptionVector_DecryptsAndBrokenOnesFail(string prefix, EncryptionType type)
    {
        var v = OnionVectors.ById("channel_encryption", "libsession-hopenc-1");
        using var nodeKeys = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        var processor = new OnionProcessor(nodeKeys);
        var client = v.Hex("client_pubkey_hex");
        using (var ok = processor.ProcessLayer(v.Hex(prefix + "_ciphertext_hex"), client, type))
        {
            Assert.Equal(OnionLayerKind.ParseError, ok.Kind);
            Assert.Equal(v.Str("plaintext_utf8"), Encoding.UTF8.GetString(ok.Plaintext.Span));
        }

        foreach (var broken in v.GetProperty(prefix + "_broken_hex").EnumerateArray())
        {
            using var bad = processor.ProcessLayer(Convert.FromHexString(broken.GetString()!), client, type);
            Assert.Equal(OnionLayerKind.DecryptError, bad.Kind);
        }
    }

    [Fact]
    public void ProcessLayer_WrongTypeShortInputOrLowOrderKey_IsDecryptError()
    {
        var v = OnionVectors.ById("channel_encryption", "libsession-hopenc-1");
        using var nodeKeys = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        var processor = new OnionProcessor(nodeKeys);
        var client = v.Hex("client_pubkey_hex");
        using (var wrongType = processor.ProcessLayer(v.Hex("aes_gcm_ciphertext_hex"), client, EncryptionType.XChaCha20))
        {
            Assert.Equal(OnionLayerKind.DecryptError, wrongType.Kind);
        }

        using (var tooShort = processor.ProcessLayer(new byte[27], client, EncryptionType.AesGcm))
        {
            Assert.Equal(OnionLayerKind.DecryptError, tooShort.Kind);
        }

        using var lowOrder = processor.ProcessLayer(v.Hex("aes_gcm_ciphertext_hex"), new byte[32], EncryptionType.AesGcm);
        Assert.Equal(OnionLayerKind.DecryptError, lowOrder.Kind);
    }

    [Theory]
    [InlineData("""{"ephemeral_key":"%K","enc_type":"rot13"}""", "Invalid encryption type rot13")]
    [InlineData("""{"ephemeral_key":"%K","enc_type":"aes-cbc"}""", "Invalid encryption type aes-cbc")]
    [InlineData("""{"ephemeral_key":"%K","enc_type":"cbc"}""", "Invalid encryption type cbc")]
    [InlineData("""{"ephemeral_key":"%K","enc_type":7}""", "invalid enc_type")]
    [InlineData("""{"enc_type":"aes-gcm"}""", "missing ephemeral_key")]
    [InlineData("""{"ephemeral_key":"abcd"}""", "invalid ephemeral_key")]
    [InlineData("""{"ephemeral_key":"%K","hop_no":"1"}""", "hop_no is not an integer")]
    [InlineData("""{"ephemeral_key":"%K"} trailing""", "invalid JSON")]
    public void TryParseRequestBody_BadOuterJson_Fails(string json, string detail)
    {
        var body = OnionFraming.Build(new byte[40], Encoding.UTF8.GetBytes(json.Replace("%K", new string('a', 64), StringComparison.Ordinal)));
        Assert.False(OnionProcessor.TryParseRequestBody(body, out _, out var error));
        Assert.Equal(detail, error);
    }

    [Theory]
    [InlineData("", EncryptionType.AesGcm, 0)]
    [InlineData(""","enc_type":"gcm","hop_no":-5""", EncryptionType.AesGcm, 0)]
    [InlineData(""","enc_type":"xchacha20-poly1305","hop_no":14""", EncryptionType.XChaCha20, 14)]
    public void TryParseRequestBody_Defaults(string extra, EncryptionType type, int hopNo)
    {
        var body = OnionFraming.Build(new byte[40], Encoding.UTF8.GetBytes("{\"ephemeral_key\":\"" + new string('A', 64) + "\"" + extra + "}"));
        Assert.True(OnionProcessor.TryParseRequestBody(body, out var request, out _));
        Assert.Equal(type, request.EncType);
        Assert.Equal(hopNo, request.HopNo);
        Assert.All(request.EphemeralKey, b => Assert.Equal(0xAA, b));
    }
}
