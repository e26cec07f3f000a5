using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using SessionNode.Crypto;
using SessionNode.Onion;

namespace SessionNode.Benchmarks.Onion;

/// <summary>
/// One onion hop at a node (onion.md §6–§8): X25519 + KDF + AEAD open + classification of a relay layer, and of a
/// final layer followed by the sealed reply. <see cref="X25519Agree"/> is the bound: a hop should run at ≥ 90 % of it.
/// </summary>
[MemoryDiagnoser]
public class OnionHopBenchmarks
{
    /// <summary>Blob carried by the relay layer: a 3-hop request's remaining layers around a 100 B store.</summary>
    private const int RelayBlobBytes = 1024;

    private readonly byte[] _shared = new byte[32];
    private X25519KeyPair _node = null!;
    private OnionProcessor _processor = null!;
    private byte[] _clientPublic = null!;
    private byte[] _relayLayer = null!;
    private byte[] _finalLayer = null!;
    private byte[] _rpcResult = null!;

    [Params(EncryptionType.AesGcm, EncryptionType.XChaCha20)]
    public EncryptionType EncType { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _node = X25519KeyPair.FromSecret(Enumerable.Repeat((byte)0x42, 32).ToArray());
        _processor = new OnionProcessor(_node);
        using var client = X25519KeyPair.FromSecret(Enumerable.Repeat((byte)0x24, 32).ToArray());
        _clientPublic = client.PublicKey.ToArray();
        var channel = new ChannelEncryption(client, isServer: false);
        var next = Convert.ToHexStringLower(Enumerable.Repeat((byte)0x11, 32).ToArray());
        var relayJson = $$"""{"destination":"{{next}}","ephemeral_key":"{{next}}","enc_type":"xchacha20"}""";
        _relayLayer = channel.Encrypt(EncType, Layer(new byte[RelayBlobBytes], relayJson), _node.PublicKey);
        // A 100 B store as the destination's RPC request, and a store-sized JSON result.
        var store = Encoding.UTF8.GetBytes("{\"method\":\"store\",\"params\":{\"pubkey\":\"05" + next + "\",\"data\":\"" + new string('A', 136) + "\"}}");
        _finalLayer = channel.Encrypt(EncType, Layer(store, """{"headers":{}}"""), _node.PublicKey);
        _rpcResult = Encoding.UTF8.GetBytes("{\"hash\":\"" + new string('h', 43) + "\",\"swarm\":{\"" + next + "\":{\"hash\":\"" + new string('h', 43) + "\",\"signature\":\"" + new string('s', 88) + "\"}},\"t\":1700000000000}");
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Dispose();

    [Benchmark(Baseline = true)]
    public bool X25519Agree() => _node.TryAgree(_clientPublic, _shared);

    /// <summary>Decrypt and classify a layer that names the next node (everything before the gRPC call).</summary>
    [Benchmark]
    public OnionLayerKind RelayHop()
    {
        using var layer = _processor.ProcessLayer(_relayLayer, _clientPublic, EncType);
        return layer.Kind;
    }

    /// <summary>Decrypt and classify the destination's layer, then wrap and seal the RPC result (§8.2–§8.3).</summary>
    [Benchmark]
    public int FinalHopReply()
    {
        using var layer = _processor.ProcessLayer(_finalLayer, _clientPublic, EncType);
        return _processor.EncryptResponse(layer.Key, 200, _rpcResult, bodyIsJson: true, jsonFlag: false, base64: true).Length;
    }

    private static byte[] Layer(byte[] blob, string json)
    {
        var jsonBytes = Encoding.UTF8.GetBytes(json);
        var plaintext = new byte[4 + blob.Length + jsonBytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(plaintext, (uint)blob.Length);
        blob.CopyTo(plaintext, 4);
        jsonBytes.CopyTo(plaintext, 4 + blob.Length);
        return plaintext;
    }
}
