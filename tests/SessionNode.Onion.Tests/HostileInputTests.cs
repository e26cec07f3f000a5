using System.Text;
using System.Text.Json.Nodes;
using SessionNode.Crypto;
using SessionNode.Rpc;

namespace SessionNode.Onion.Tests;

/// <summary>
/// Seeded mutation tests of <c>/onion_req/v2</c> bodies: damaged framing and outer JSON at the edge, and — because
/// anyone can encrypt anything to a node — hostile control JSON and payloads inside a correctly encrypted layer, for
/// the final-hop, relay and exit shapes. Every answer must be a deliberate status (never an escaped exception, never
/// 500: the only 500 the protocol knows, a relay's malformed reply, cannot happen with the fixed fake next hop), and
/// the node must keep answering a valid request afterwards.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private const int MutationsPerSeed = 700;
    private const string Store0 = """{"method":"store","params":{"pubkey":"0500112233445566778899aabbccddeeff00112233445566778899aabbccddeeff","timestamp":1700000000000,"ttl":86400000,"data":"SGVsbG8="}}""";

    private readonly X25519KeyPair _eph = X25519KeyPair.Generate();
    private readonly FakeForwarder _forwarder = new(new OnionReply(200, "next"u8.ToArray()));
    private readonly FakeProxy _proxy = new(new OnionProxyResponse(200, [], "exit"u8.ToArray()));
    private readonly EndpointFixture _f;

    public HostileInputTests()
    {
        _f = new EndpointFixture(forwarder: _forwarder, proxy: _proxy);
    }

    public void Dispose()
    {
        _f.Dispose();
        _eph.Dispose();
    }

    private static readonly JsonNode?[] HostileValues =
    [
        null, true, 0, -1, 65536, long.MaxValue, 1e308, 0.5, "", " ", "0", "x", "aes-cbc", "xchacha20", "aes-gcm",
        new string('f', 64), new string('0', 63), new string('g', 64), "127.0.0.1", "localhost", "/", "../../etc", "http://x",
        "ftp", "https", "\u0000", new string('a', 10_000), new JsonArray(), new JsonArray(1, "a"), new JsonObject(),
        new JsonObject { ["a"] = new JsonObject { ["b"] = new JsonArray(new JsonObject()) } },
    ];

    private (string Control, byte[] Blob)[] ValidLayers() =>
    [
        ("""{"headers":""}""", Encoding.UTF8.GetBytes(Store0)),
        ("""{"headers":{},"json":true,"base64":false}""", Encoding.UTF8.GetBytes(Store0)),
        ($$"""{"destination":"{{_f.NodeKeys.PublicKeyHex}}","ephemeral_key":"{{Convert.ToHexStringLower(_eph.PublicKey)}}","enc_type":"xchacha20"}""", "next layer"u8.ToArray()),
        ("""{"host":"files.example.org","target":"/oxen/v4/lsrpc","method":"POST","protocol":"https","port":443}""", "v4 blob"u8.ToArray()),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task MutatedOnionRequests_NeverFailTheServer(int seed)
    {
        var rng = new Random(seed);
        var layers = ValidLayers();
        for (var i = 0; i < MutationsPerSeed; i++)
        {
            var (control, blob) = layers[rng.Next(layers.Length)];
            var type = rng.Next(2) == 0 ? EncryptionType.AesGcm : EncryptionType.XChaCha20;
            byte[] body;
            string description;
            switch (rng.Next(4))
            {
                case 0:
                    // Damaged outer body: framing, outer JSON or ciphertext.
                    body = _f.BuildBody(_eph, type, blob, control);
                    var at = rng.Next(body.Length);
                    if (rng.Next(2) == 0)
                    {
                        body = body[..at];
                        description = $"outer body cut at {at}";
                    }
                    else
                    {
                        body[at] ^= (byte)rng.Next(1, 256);
                        description = $"outer byte {at} flipped";
                    }

                    break;
                case 1:
                    // Hostile outer JSON member (ephemeral key, enc type, hop number…).
                    var outerKey = new[] { "ephemeral_key", "enc_type", "hop_no", "x" }[rng.Next(4)];
                    var outerValue = HostileValues[rng.Next(HostileValues.Length)]?.ToJsonString() ?? "null";
                    body = Reframe(_f.BuildBody(_eph, type, blob, control), outerKey, outerValue);
                    description = $"outer {outerKey} := {Short(outerValue)}";
                    break;
                case 2:
                    // Encrypted correctly, but a hostile control JSON.
                    var node = JsonNode.Parse(control)!.AsObject();
                    var keys = node.Select(p => p.Key).Append("x").ToArray();
                    var key = keys[rng.Next(keys.Length)];
                    if (rng.Next(4) == 0)
                    {
                        node.Remove(key);
                    }
                    else
                    {
                        node[key] = HostileValues[rng.Next(HostileValues.Length)]?.DeepClone();
                    }

                    var hostileControl = node.ToJsonString();
                    body = _f.BuildBody(_eph, type, blob, hostileControl);
                    description = $"control {Short(hostileControl)}";
                    break;
                default:
                    // Encrypted correctly, but a damaged payload or control bytes.
                    var damaged = blob.ToArray();
                    if (damaged.Length > 0)
                    {
                        damaged[rng.Next(damaged.Length)] = (byte)rng.Next(256);
                    }

                    var controlBytes = Encoding.UTF8.GetBytes(control);
                    controlBytes = controlBytes[..rng.Next(controlBytes.Length + 1)];
                    body = _f.BuildBody(_eph, type, damaged, Encoding.UTF8.GetString(controlBytes));
                    description = $"payload damaged, control cut to {Short(Encoding.UTF8.GetString(controlBytes))}";
                    break;
            }

            OnionReply reply;
            try
            {
                reply = await _f.Endpoint.HandleBodyAsync(body, CancellationToken.None);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} #{i}: {description} threw {e.GetType().Name}: {e.Message}");
                return;
            }

            Assert.True(reply.Status is >= 200 and < 600 && reply.Status != 500, $"seed {seed} #{i}: {description} → {reply.Status} {Encoding.UTF8.GetString(reply.Body.Span)}");
            Assert.True(reply.Body.Length > 0, $"seed {seed} #{i}: {description} → {reply.Status} with an empty body");
        }

        // Still serving.
        var ok = await _f.Endpoint.HandleBodyAsync(_f.BuildBody(_eph, EncryptionType.XChaCha20, Encoding.UTF8.GetBytes(Store0), """{"headers":""}"""), CancellationToken.None);
        var (status, _) = _f.OpenReply(ok, _eph, EncryptionType.XChaCha20);
        Assert.Equal(200, status);
    }

    private static string Short(string text) => text.Length > 100 ? text[..100] + "…" : text;

    /// <summary>Replaces (or adds) one member of the outer JSON of a framed body.</summary>
    private static byte[] Reframe(byte[] body, string key, string valueJson)
    {
        var length = (int)BitConverter.ToUInt32(body, 0);
        var ciphertext = body.AsSpan(4, length);
        var outer = JsonNode.Parse(body.AsSpan(4 + length))!.AsObject();
        outer[key] = JsonNode.Parse(valueJson);
        return OnionFraming.Build(ciphertext, Encoding.UTF8.GetBytes(outer.ToJsonString()));
    }
}
