using BenchmarkDotNet.Attributes;
using SessionNode.Crypto;

namespace SessionNode.Benchmarks.Crypto;

/// <summary>Request-signature verification (every authenticated RPC) and node response signing.</summary>
[MemoryDiagnoser]
public class Ed25519Benchmarks
{
    private readonly byte[] _message = new byte[100];
    private readonly byte[] _signature = new byte[Ed25519.SignatureSize];
    private Ed25519KeyPair _key = null!;
    private byte[] _publicKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_message);
        _key = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)0x42, 32).ToArray());
        _publicKey = _key.PublicKey.ToArray();
        _key.Sign(_message, _signature);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public void Sign() => _key.Sign(_message, _signature);

    [Benchmark]
    public bool Verify() => Ed25519.Verify(_publicKey, _message, _signature);

    [Benchmark]
    public bool ConvertPublicKeyToX25519()
    {
        Span<byte> x = stackalloc byte[32];
        return Ed25519.TryConvertPublicKeyToX25519(_publicKey, x);
    }
}
