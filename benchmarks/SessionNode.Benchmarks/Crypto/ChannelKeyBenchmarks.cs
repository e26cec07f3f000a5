using BenchmarkDotNet.Attributes;
using SessionNode.Crypto;

namespace SessionNode.Benchmarks.Crypto;

/// <summary>Layer seal/open with preallocated buffers (onion hop and response encryption).</summary>
[MemoryDiagnoser]
public class ChannelKeyBenchmarks
{
    private ChannelKey _key;
    private byte[] _plaintext = null!;
    private byte[] _sealed = null!;
    private byte[] _scratch = null!;
    private byte[] _opened = null!;

    [Params(EncryptionType.AesGcm, EncryptionType.XChaCha20)]
    public EncryptionType Type { get; set; }

    [Params(100, 10 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = ChannelKey.FromBytes(Type, Enumerable.Repeat((byte)0x5a, 32).ToArray());
        _plaintext = new byte[Size];
        new Random(1).NextBytes(_plaintext);
        _sealed = new byte[Size + _key.Overhead];
        _scratch = new byte[Size + _key.Overhead];
        _opened = new byte[Size];
        _key.Seal(_plaintext, _sealed, RandomNonceSource.Instance);
    }

    [Benchmark]
    public int Seal() => _key.Seal(_plaintext, _scratch, RandomNonceSource.Instance);

    [Benchmark]
    public bool Open() => _key.TryOpen(_sealed, _opened, out _);
}
