using BenchmarkDotNet.Attributes;
using NSec.Cryptography;

namespace SessionNode.Benchmarks.Crypto;

/// <summary>
/// Baseline for <see cref="ChannelKeyBenchmarks"/>: XChaCha20-Poly1305 through NSec's API, which needs a
/// <see cref="Key"/> (a guarded sodium_malloc block) per derived layer key. This is why ChannelKey calls the
/// same libsodium function directly.
/// </summary>
[MemoryDiagnoser]
public class NSecAeadBaselineBenchmarks
{
    private readonly byte[] _keyBytes = Enumerable.Repeat((byte)0x5a, 32).ToArray();
    private readonly byte[] _nonce = new byte[24];
    private byte[] _plaintext = null!;
    private byte[] _ciphertext = null!;

    [Params(100)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = new byte[Size];
        _ciphertext = new byte[Size + 16];
    }

    [Benchmark]
    public void XChaCha20SealWithKeyImport()
    {
        using var key = Key.Import(AeadAlgorithm.XChaCha20Poly1305, _keyBytes, KeyBlobFormat.RawSymmetricKey);
        AeadAlgorithm.XChaCha20Poly1305.Encrypt(key, _nonce, default, _plaintext, _ciphertext);
    }
}
