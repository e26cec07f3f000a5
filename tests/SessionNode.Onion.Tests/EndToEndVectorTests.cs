using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Onion.Tests;

/// <summary>
/// onion-vectors.json <c>end_to_end[*].node_processing</c>: the guard parses the client's HTTP body, each
/// node peels its layer and relays exactly the listed fields, the exit/destination acts, and the
/// destination's encrypted response is reproduced with the vector's nonce.
/// </summary>
public sealed class EndToEndVectorTests
{
    public static TheoryData<string> Cases => OnionVectors.Ids("end_to_end");

    [Theory]
    [MemberData(nameof(Cases))]
    public void NodeProcessing_EveryStep_MatchesVector(string id)
    {
        var v = OnionVectors.ById("end_to_end", id);
        var httpBody = v.GetProperty("client").GetProperty("http_request").Hex("body_hex");
        Assert.True(OnionProcessor.TryParseRequestBody(httpBody, out var edge, out var error), error);

        var ciphertext = (ReadOnlyMemory<byte>)edge.Ciphertext.Blob(httpBody).ToArray();
        var ephemeral = edge.EphemeralKey;
        var encType = edge.EncType;
        var hopNo = edge.HopNo;
        var steps = 0;
        foreach (var step in v.GetProperty("node_processing").EnumerateArray())
        {
            steps++;
            Assert.Equal(step.GetProperty("received_hop_no").GetInt32(), hopNo);
            Assert.Equal(step.EncType("received_enc_type"), encType);
            Assert.Equal(step.Str("received_ephemeral_key_hex"), Convert.ToHexStringLower(ephemeral));

            using var nodeKeys = X25519KeyPair.FromSecret(v.GetProperty("nodes").GetProperty(step.Str("node")).Hex("x25519_seckey"));
            var nonces = new FixedNonceSource(v.TryGetProperty("response", out var resp) && resp.TryGetProperty("nonce_hex", out _) ? resp.Hex("nonce_hex") : []);
            var processor = new OnionProcessor(nodeKeys, nonces);
            using var layer = processor.ProcessLayer(ciphertext.Span, ephemeral, encType);
            Assert.Equal(step.Str("decrypted_layer_hex"), Hexes.Of(layer.Plaintext));

            switch (step.Str("action"))
            {
                case "relay_to_node":
                    Assert.Equal(OnionLayerKind.RelayToNode, layer.Kind);
                    Assert.Equal(step.Str("next_node_ed25519_hex"), Convert.ToHexStringLower(layer.NextNode.Span));
                    var relay = step.GetProperty("relay_to_next");
                    Assert.Equal(relay.Str("ciphertext_hex"), Hexes.Of(layer.Blob));
                    Assert.Equal(relay.Str("ephemeral_key_hex"), Convert.ToHexStringLower(layer.NextEphemeralKey.Span));
                    Assert.Equal(relay.EncType(), layer.NextEncType);
                    Assert.Equal(relay.GetProperty("hop_no").GetInt32(), hopNo + 1);
                    ciphertext = layer.Blob.ToArray();
                    ephemeral = layer.NextEphemeralKey.ToArray();
                    encType = layer.NextEncType;
                    hopNo++;
                    break;

                case "relay_to_server":
                    Assert.Equal(OnionLayerKind.RelayToServer, layer.Kind);
                    var t = layer.ProxyTarget!;
                    Assert.True(OnionProxyTargets.IsAllowedTarget(t.Target));
                    Assert.True(OnionProxyTargets.IsAllowedProtocol(t.Protocol));
                    Assert.False(OnionProxyTargets.IsPrivateHost(t.Host));
                    Assert.Equal(step.Str("proxy_url"), OnionProxyTargets.BuildUrl(t.Protocol, t.Host, t.Port, t.Target));
                    Assert.Equal(step.Str("proxy_post_body_hex"), Hexes.Of(layer.Plaintext));
                    break;

                case "final_destination":
                    Assert.Equal(OnionLayerKind.Final, layer.Kind);
                    Assert.Equal(step.Str("rpc_request_utf8"), Encoding.UTF8.GetString(layer.Blob.Span));
                    Assert.False(layer.JsonFlag);
                    Assert.True(layer.Base64Flag);
                    var response = v.GetProperty("response");
                    Assert.Equal(response.Str("encrypted_to_ephemeral_pubkey_hex"), Convert.ToHexStringLower(ephemeral));
                    var body = processor.EncryptResponse(
                        layer.Key, response.GetProperty("rpc_status").GetInt32(), response.Utf8("rpc_body_utf8"), bodyIsJson: true, layer.JsonFlag, layer.Base64Flag);
                    Assert.Equal(1, nonces.Used);
                    Assert.Equal(response.Str("http_body_utf8"), Encoding.ASCII.GetString(body));
                    Assert.Equal(response.Str("wrapped_plaintext_utf8"), Encoding.UTF8.GetString(
                        OnionProcessor.WrapResponse(200, response.Utf8("rpc_body_utf8"), bodyIsJson: true, jsonFlag: false)));
                    break;

                default:
                    Assert.Fail("unknown action " + step.Str("action"));
                    break;
            }
        }

        Assert.True(steps >= 3);
    }
}
