using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using SessionNode.Crypto;

namespace SessionNode.Benchmarks.Crypto;

/// <summary>
/// The per-hop key agreement of an onion layer. <see cref="NSecAgreeAndExport"/> is the baseline that
/// justifies calling libsodium's <c>crypto_scalarmult</c> directly (Interop/LibSodium.cs).
/// </summary>
[MemoryDiagnoser]
public class X25519Benchmarks
{
    private readonly byte[] _shared = new byte[32];
    private X25519KeyPair _node = null!;
    private X25519KeyPair _client = null!;
    private ChannelEncryption _server = null!;
    private Key _nsecNode = null!;
    private byte[] _clientPublic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _node = X25519KeyPair.FromSecret(Enumerable.Repeat((byte)0x42, 32).ToArray());
        _client = X25519KeyPair.FromSecret(Enumerable.Repeat((byte)0x24, 32).ToArray());
        _clientPublic = _client.PublicKey.ToArray();
        _server = new ChannelEncryption(_node, isServer: true);
        _nsecNode = Key.Import(KeyAgreementAlgorithm.X25519, Enumerable.Repeat((byte)0x42, 32).ToArray(), KeyBlobFormat.RawPrivateKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _node.Dispose();
        _client.Dispose();
        _nsecNode.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool Agree() => _node.TryAgree(_clientPublic, _shared);

    [Benchmark]
    public bool DeriveXChaChaKey() => _server.TryDeriveKey(EncryptionType.XChaCha20, _clientPublic, out _);

    [Benchmark]
    public bool DeriveAesGcmKey() => _server.TryDeriveKey(EncryptionType.AesGcm, _clientPublic, out _);

    [Benchmark]
    public int NSecAgreeAndExport()
    {
        var peer = PublicKey.Import(KeyAgreementAlgorithm.X25519, _clientPublic, KeyBlobFormat.RawPublicKey);
        using var secret = KeyAgreementAlgorithm.X25519.Agree(
            _nsecNode, peer, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return secret!.Export(SharedSecretBlobFormat.RawSharedSecret).Length;
    }
}
