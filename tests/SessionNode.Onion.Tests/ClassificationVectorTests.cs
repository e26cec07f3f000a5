using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Onion.Tests;

/// <summary>onion-vectors.json <c>layer_classification</c>: every case, plus a few type rules of §6/§9.</summary>
public sealed class ClassificationVectorTests
{
    public static TheoryData<string> Cases => OnionVectors.Ids("layer_classification");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classify_Vector_MatchesExpected(string id)
    {
        var v = OnionVectors.ById("layer_classification", id);
        var layer = v.Hex("decrypted_layer_hex");
        var expected = v.GetProperty("expected");
        using var outcome = OnionProcessor.Classify(layer);
        switch (expected.Str("kind"))
        {
            case "final_destination":
                Assert.Equal(OnionLayerKind.Final, outcome.Kind);
                Assert.Equal(expected.Str("body_utf8"), Encoding.UTF8.GetString(outcome.Blob.Span));
                Assert.Equal(expected.GetProperty("json").GetBoolean(), outcome.JsonFlag);
                Assert.Equal(expected.GetProperty("base64").GetBoolean(), outcome.Base64Flag);
                break;
            case "relay_to_server":
                Assert.Equal(OnionLayerKind.RelayToServer, outcome.Kind);
                var t = outcome.ProxyTarget!;
                Assert.Equal(expected.Str("host"), t.Host);
                Assert.Equal(expected.Str("target"), t.Target);
                Assert.Equal(expected.GetProperty("port").GetInt32(), t.Port);
                Assert.Equal(expected.Str("protocol"), t.Protocol);
                Assert.Equal(layer, outcome.Plaintext.ToArray()); // the whole layer is POSTed
                break;
            case "relay_to_node":
                Assert.Equal(OnionLayerKind.RelayToNode, outcome.Kind);
                Assert.Equal(expected.Str("next_node_ed25519_hex"), Convert.ToHexStringLower(outcome.NextNode.Span));
                Assert.Equal(expected.Str("ephemeral_key_hex"), Convert.ToHexStringLower(outcome.NextEphemeralKey.Span));
                Assert.Equal(expected.EncType(), outcome.NextEncType);
                Assert.Equal(expected.Str("ciphertext_utf8"), Encoding.UTF8.GetString(outcome.Blob.Span));
                break;
            case "error":
                Assert.Equal("invalid_json", expected.Str("error"));
                Assert.Equal(OnionLayerKind.ParseError, outcome.Kind);
                break;
            default:
                Assert.Fail("unknown kind " + expected.Str("kind"));
                break;
        }
    }

    [Theory]
    [InlineData("""{"headers":"","json":1}""")]
    [InlineData("""{"headers":"","base64":"no"}""")]
    [InlineData("""{"host":5,"target":"/oxen/v4/lsrpc"}""")]
    [InlineData("""{"host":"h"}""")]
    [InlineData("""{"host":"h","target":"/oxen/v4/lsrpc","port":70000}""")]
    [InlineData("""{"host":"h","target":"/oxen/v4/lsrpc","port":"443"}""")]
    [InlineData("""{"destination":"ffffeeeeddddccccbbbbaaaa9999888877776666555544443333222211110000"}""")]
    [InlineData("""{"destination":"ffff","ephemeral_key":"0000111122223333444455556666777788889999000011112222333344445555"}""")]
    [InlineData("""{"destination":"ffffeeeeddddccccbbbbaaaa9999888877776666555544443333222211110000","ephemeral_key":"0000111122223333444455556666777788889999000011112222333344445555","enc_type":"aes-cbc"}""")]
    [InlineData("""{"destination":"ffffeeeeddddccccbbbbaaaa9999888877776666555544443333222211110000","ephemeral_key":"0000111122223333444455556666777788889999000011112222333344445555","enc_type":"XCHACHA20"}""")]
    public void Classify_BadTypesOrValues_IsParseError(string json)
    {
        using var outcome = OnionProcessor.Classify(OnionFraming.Build("x"u8, Encoding.UTF8.GetBytes(json)));
        Assert.Equal(OnionLayerKind.ParseError, outcome.Kind);
    }

    [Theory]
    [InlineData("gcm", EncryptionType.AesGcm)]
    [InlineData("aes-gcm", EncryptionType.AesGcm)]
    [InlineData("xchacha20", EncryptionType.XChaCha20)]
    [InlineData("xchacha20-poly1305", EncryptionType.XChaCha20)]
    public void Classify_RelayEncTypeAliases_AreAccepted(string name, EncryptionType expected)
    {
        var json = $$"""{"destination":"FFFFEEEEDDDDCCCCBBBBAAAA9999888877776666555544443333222211110000","ephemeral_key":"0000111122223333444455556666777788889999000011112222333344445555","enc_type":"{{name}}"}""";
        using var outcome = OnionProcessor.Classify(OnionFraming.Build("x"u8, Encoding.UTF8.GetBytes(json)));
        Assert.Equal(OnionLayerKind.RelayToNode, outcome.Kind);
        Assert.Equal(expected, outcome.NextEncType);
        Assert.Equal("ffffeeeeddddccccbbbbaaaa9999888877776666555544443333222211110000", Convert.ToHexStringLower(outcome.NextNode.Span));
    }

    [Fact]
    public void Classify_HostBeatsDestination()
    {
        using var outcome = OnionProcessor.Classify(OnionFraming.Build("x"u8, """{"destination":"nope","host":"h","target":"/oxen/v4/lsrpc"}"""u8));
        Assert.Equal(OnionLayerKind.RelayToServer, outcome.Kind);
    }
}
