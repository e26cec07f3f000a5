using BenchmarkDotNet.Attributes;
using SessionNode.Core;
using SessionNode.Crypto;

namespace SessionNode.Benchmarks.Crypto;

/// <summary>The store path's message hash; the result string is the only allocation.</summary>
[MemoryDiagnoser]
public class MessageHashBenchmarks
{
    private readonly byte[] _data = new byte[100];
    private readonly AccountId _account = AccountId.ParseHex("054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01");

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_data);

    [Benchmark]
    public string Compute100B() => MessageHasher.Compute(_account, new Namespace(-11), _data);
}
