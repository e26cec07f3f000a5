using System.Text;
using System.Text.Json;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Client.Tests;

/// <summary>onion.md §12, §13, §17.2: the client side of the <c>end_to_end</c> and <c>response_wrapping</c> vectors.</summary>
public sealed class OnionBuilderVectorTests
{
    private static readonly string[] PathLabels = ["guard", "middle", "exit"];

    public static TheoryData<string> EndToEndIds => OnionVectors.Ids("end_to_end");

    public static TheoryData<string> WrappingIds => OnionVectors.Ids("response_wrapping");

    [Theory]
    [MemberData(nameof(EndToEndIds))]
    public void Build_FixedKeysAndNonces_HttpBodyAndEveryLayerMatchVector(string id)
    {
        var vector = OnionVectors.EndToEnd(id);
        using var request = BuildFromVector(vector, out var keys, out var nonces);

        var client = vector.GetProperty("client");
        Assert.Equal(client.GetProperty("http_request").Str("body_hex"), Convert.ToHexStringLower(request.Body.Span));
        var layers = client.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(layers.Length, request.Layers.Count);
        for (var i = 0; i < layers.Length; i++)
        {
            Assert.Equal(layers[i].Str("plaintext_hex"), Convert.ToHexStringLower(request.Layers[i].Plaintext.Span));
            Assert.Equal(layers[i].Str("ciphertext_hex"), Convert.ToHexStringLower(request.Layers[i].Ciphertext.Span));
            Assert.Equal(layers[i].GetProperty("ephemeral").Str("pubkey"), request.Layers[i].EphemeralPublicKeyHex);
            Assert.Equal(layers[i].Str("enc_type"), request.Layers[i].EncTypeName);
        }

        Assert.Equal(0, keys.Remaining);
        Assert.Equal(0, nonces.Remaining);
    }

    [Theory]
    [MemberData(nameof(EndToEndIds))]
    public void Decode_VectorResponse_GivesListedPlaintext(string id)
    {
        var vector = OnionVectors.EndToEnd(id);
        using var request = BuildFromVector(vector, out _, out _);
        var response = vector.GetProperty("response");

        OnionResponse decoded;
        if (request.Kind == OnionRequestKind.ServiceNode)
        {
            decoded = request.Decode(200, Encoding.UTF8.GetBytes(response.Str("http_body_utf8")));
            Assert.Equal(response.GetProperty("rpc_status").GetInt32(), decoded.Status);
            Assert.Equal(response.Str("rpc_body_utf8"), decoded.BodyText);
        }
        else
        {
            decoded = request.Decode(200, response.Hex("ciphertext_hex"));
            using var info = JsonDocument.Parse(response.Str("v4_response_info_json_utf8"));
            Assert.Equal(info.RootElement.GetProperty("code").GetInt32(), decoded.Status);
            Assert.Equal("application/json", decoded.Headers["Content-Type"]);
            Assert.Equal(response.Str("v4_response_body_utf8"), decoded.BodyText);
        }

        Assert.True(decoded.FromDestination);
        Assert.True(decoded.IsSuccess);
        Assert.False(decoded.IsPathError);
        Assert.Equal(request.Layers.Count - 1, decoded.Layer);
        Assert.Same(decoded, decoded.EnsureDelivered());
    }

    [Fact]
    public void ServerRequest_V4Bytes_MatchVectorBencoding()
    {
        var v4 = OnionVectors.EndToEnd("e2e-server-v4-xchacha20").GetProperty("client").GetProperty("v4_request");
        var request = new OnionServerRequest("POST", "/room/sudoku/message", Encoding.UTF8.GetBytes(v4.Str("body_utf8")));

        Assert.Equal(v4.Str("request_info_json_utf8"), Encoding.UTF8.GetString(request.ToV4RequestInfo()));
        Assert.Equal(v4.Str("bencoded_hex"), Convert.ToHexStringLower(request.ToV4Bytes()));
    }

    [Theory]
    [MemberData(nameof(WrappingIds))]
    public void Decode_ResponseWrappingCase_GivesStatusAndBody(string id)
    {
        var section = OnionVectors.Root.GetProperty("response_wrapping");
        var vector = OnionVectors.Wrapping(id);
        var node = OnionVectors.Identity(section.Str("node_label"));
        Assert.True(EncryptionTypes.TryParse(vector.Str("enc_type"), out var encType));
        var builder = new OnionRequestBuilder(
            new FixedKeySource([section.GetProperty("client_ephemeral").Hex("seckey")]),
            new FixedNonceSource([new byte[EncryptionTypes.NonceSize(encType)]]));
        var options = new OnionRequestOptions
        {
            EncType = encType,
            Json = vector.GetProperty("json_flag").GetBoolean(),
            Base64 = vector.GetProperty("base64_flag").GetBoolean(),
        };
        using var request = builder.BuildForNode([OnionHop.FromHex(node.Str("ed25519_pubkey"))], "{}"u8, options);

        var body = vector.TryGetProperty("http_body_utf8", out var text) ? Encoding.UTF8.GetBytes(text.GetString()!) : vector.Hex("http_body_hex");
        var decoded = request.Decode(vector.GetProperty("http_status").GetInt32(), body);

        Assert.True(decoded.FromDestination);
        Assert.Equal(vector.GetProperty("rpc_status").GetInt32(), decoded.Status);
        Assert.Equal(vector.Str("rpc_body_utf8"), decoded.BodyText);
    }

    [Fact]
    public void Decode_InvalidJsonFromMiddleNode_ReadWithThatLayersKey()
    {
        // §13.4: a path node that cannot parse its layer encrypts "Invalid json" to its own layer's key.
        var vector = OnionVectors.EndToEnd("e2e-snode-xchacha20");
        using var request = BuildFromVector(vector, out _, out _);
        var middle = vector.GetProperty("nodes").GetProperty("middle");
        using var middleKeys = X25519KeyPair.FromSecret(middle.Hex("x25519_seckey"));
        var sealedError = new ChannelEncryption(middleKeys, isServer: true).Encrypt(
            EncryptionType.XChaCha20, """{"body":"Invalid json","status":400}"""u8, request.Layers[1].EphemeralPublicKey.Span);

        var decoded = request.Decode(200, Encoding.ASCII.GetBytes(Convert.ToBase64String(sealedError)));

        Assert.False(decoded.FromDestination);
        Assert.False(decoded.IsPathError);
        Assert.Equal(1, decoded.Layer);
        Assert.Equal(400, decoded.Status);
        var e = Assert.Throws<OnionPathException>(() => decoded.EnsureDelivered());
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("Invalid json", e.Text);
        Assert.Equal(1, e.Layer);
    }

    [Fact]
    public void Decode_LegacyResultWrapperAndUnpaddedBase64_Accepted()
    {
        var vector = OnionVectors.EndToEnd("e2e-snode-xchacha20");
        using var request = BuildFromVector(vector, out _, out _);
        var b64 = vector.GetProperty("response").Str("http_body_utf8");

        var wrapped = request.Decode(200, Encoding.UTF8.GetBytes($$"""{"result":"{{b64}}"}"""));
        var unpadded = request.Decode(200, Encoding.UTF8.GetBytes(b64.TrimEnd('=')));

        Assert.Equal(200, wrapped.Status);
        Assert.Equal(wrapped.BodyText, unpadded.BodyText);
    }

    [Fact]
    public void Decode_UndecryptableBody_ThrowsProtocolException()
    {
        var vector = OnionVectors.EndToEnd("e2e-snode-xchacha20");
        using var request = BuildFromVector(vector, out _, out _);
        var body = Encoding.ASCII.GetBytes(Convert.ToBase64String(new byte[80]));

        Assert.Throws<SessionNodeProtocolException>(() => request.Decode(200, body));
    }

    [Fact]
    public void Build_DefaultOptions_XChaChaEverywhereAndHeadersObjectControl()
    {
        var vector = OnionVectors.EndToEnd("e2e-snode-xchacha20");
        var hops = PathLabels.Append("destination")
            .Select(l => OnionHop.FromHex(vector.GetProperty("nodes").GetProperty(l).Str("ed25519_pubkey"), "127.0.0.1", 1))
            .ToArray();
        using var request = new OnionRequestBuilder().BuildForNode(hops, """{"method":"info","params":{}}"""u8, new OnionRequestOptions { HopNo = 3 });

        Assert.All(request.Layers, l => Assert.Equal(EncryptionType.XChaCha20, l.EncType));
        Assert.EndsWith("""{"headers":{}}""", Encoding.UTF8.GetString(request.Layers[^1].Plaintext.Span), StringComparison.Ordinal);
        Assert.Matches("""\{"enc_type":"xchacha20","ephemeral_key":"[0-9a-f]{64}","hop_no":3\}$""", Encoding.UTF8.GetString(request.Body.Span[^120..]));
        Assert.Equal(new Uri("https://127.0.0.1:1/onion_req/v2"), request.EdgeUri);
    }

    [Fact]
    public void Build_PerHopEncryption_MixesTypes()
    {
        var nodes = OnionVectors.EndToEnd("e2e-snode-xchacha20").GetProperty("nodes");
        OnionHop[] hops =
        [
            OnionHop.FromHex(nodes.GetProperty("guard").Str("ed25519_pubkey"), encType: EncryptionType.AesGcm),
            OnionHop.FromHex(nodes.GetProperty("destination").Str("ed25519_pubkey")),
        ];
        using var request = new OnionRequestBuilder().BuildForNode(hops, "{}"u8);

        Assert.Equal(EncryptionType.AesGcm, request.Layers[0].EncType);
        Assert.Equal(EncryptionType.XChaCha20, request.Layers[1].EncType);
        Assert.Contains("\"enc_type\":\"aes-gcm\"", Encoding.UTF8.GetString(request.Body.Span), StringComparison.Ordinal);
        Assert.Contains("\"enc_type\":\"xchacha20\"", Encoding.UTF8.GetString(request.Layers[0].Plaintext.Span), StringComparison.Ordinal);
        Assert.Null(request.EdgeUri);
    }

    [Fact]
    public void Build_PathTooLongOrEmpty_Throws()
    {
        var hop = OnionHop.FromHex(OnionVectors.Identity("destination").Str("ed25519_pubkey"));
        var builder = new OnionRequestBuilder();

        Assert.Throws<ArgumentException>(() => builder.BuildForNode([], "{}"u8));
        Assert.Throws<ArgumentException>(() => builder.BuildForNode(Enumerable.Repeat(hop, 17).ToArray(), "{}"u8));
    }

    private static OnionRequest BuildFromVector(JsonElement vector, out FixedKeySource keys, out FixedNonceSource nonces)
    {
        var client = vector.GetProperty("client");
        var layers = client.GetProperty("layers").EnumerateArray().ToArray();

        // The builder draws keys and nonces innermost layer first.
        keys = new FixedKeySource(layers.Reverse().Select(l => l.GetProperty("ephemeral").Hex("seckey")));
        nonces = new FixedNonceSource(layers.Reverse().Select(l => l.Hex("nonce_hex")));
        Assert.True(EncryptionTypes.TryParse(client.Str("enc_type"), out var encType));
        var options = new OnionRequestOptions
        {
            EncType = encType,
            EmitAesGcmEncType = client.GetProperty("enc_type_key_present_in_json").GetBoolean(),
            ControlJson = client.TryGetProperty("final_control_json_utf8", out var control) ? control.GetString() : null,
        };
        var builder = new OnionRequestBuilder(keys, nonces);
        var nodes = vector.GetProperty("nodes");

        // X25519 keys are left to the Ed25519 conversion (§2.1), which must give the nodes' keys.
        if (vector.TryGetProperty("server", out var server))
        {
            var path = PathLabels.Select(l => OnionHop.FromHex(nodes.GetProperty(l).Str("ed25519_pubkey"))).ToArray();
            var destination = new OnionServerDestination("files.example.org", server.Hex("x25519_pubkey"));
            return builder.BuildForServer(path, destination, client.GetProperty("v4_request").Hex("bencoded_hex"), options);
        }

        var snodePath = PathLabels.Append("destination").Select(l => OnionHop.FromHex(nodes.GetProperty(l).Str("ed25519_pubkey"))).ToArray();
        return builder.BuildForNode(snodePath, Encoding.UTF8.GetBytes(client.Str("rpc_request_utf8")), options);
    }
}
