using System.Buffers.Binary;
using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Onion.Tests;

/// <summary>
/// Hot-path allocation guards (STYLE.md §5, issue 4): peeling a relay layer allocates nothing; the final hop allocates
/// only the reply array. The BenchmarkDotNet <c>OnionHopBenchmarks</c> report the same per operation.
/// </summary>
public sealed class AllocationTests
{
    public static TheoryData<EncryptionType> Types => new(EncryptionType.AesGcm, EncryptionType.XChaCha20);

    /// <summary>
    /// Allocated bytes of <paramref name="action"/> over five windows of 50 calls after a warm-up. A per-call
    /// allocation shows in every window; one-off runtime allocations on this thread (tiered JIT, seen when
    /// parallel tests load the box) may spoil a window or two, so the minimum is what counts.
    /// </summary>
    private static long MinWindowBytes(Action action)
    {
        for (var i = 0; i < 100; i++)
        {
            action();
        }

        var min = long.MaxValue;
        for (var w = 0; w < 5; w++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 50; i++)
            {
                action();
            }

            min = Math.Min(min, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return min;
    }

    private static byte[] Layer(byte[] blob, string json)
    {
        var plaintext = new byte[OnionFraming.GetSize(blob.Length, Encoding.UTF8.GetByteCount(json))];
        OnionFraming.Write(blob, Encoding.UTF8.GetBytes(json), plaintext);
        return plaintext;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void ProcessLayer_RelayLayer_AllocatesNothing(EncryptionType type)
    {
        Assert.SkipWhen(type == EncryptionType.AesGcm && !ChannelKey.AesGcmAllocationFree, "no libsodium AES-GCM on this CPU: the BCL fallback allocates");
        using var node = X25519KeyPair.Generate();
        using var client = X25519KeyPair.Generate();
        var processor = new OnionProcessor(node);
        var next = Convert.ToHexStringLower(new byte[32]);
        var layer = new ChannelEncryption(client, isServer: false).Encrypt(
            type, Layer(new byte[1024], $$"""{"destination":"{{next}}","ephemeral_key":"{{next}}","enc_type":"aes-gcm"}"""), node.PublicKey);
        var clientPublic = client.PublicKey.ToArray();

        var kind = OnionLayerKind.DecryptError;
        var bytes = MinWindowBytes(() =>
        {
            using var outcome = processor.ProcessLayer(layer, clientPublic, type);
            kind = outcome.Kind;
        });

        Assert.Equal(OnionLayerKind.RelayToNode, kind);
        Assert.Equal(0, bytes);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void ProcessLayerAndEncryptResponse_FinalLayer_AllocatesOnlyTheReply(EncryptionType type)
    {
        Assert.SkipWhen(type == EncryptionType.AesGcm && !ChannelKey.AesGcmAllocationFree, "no libsodium AES-GCM on this CPU: the BCL fallback allocates");
        using var node = X25519KeyPair.Generate();
        using var client = X25519KeyPair.Generate();
        var processor = new OnionProcessor(node);
        var layer = new ChannelEncryption(client, isServer: false).Encrypt(
            type, Layer("""{"method":"info","params":{}}"""u8.ToArray(), """{"headers":{}}"""), node.PublicKey);
        var clientPublic = client.PublicKey.ToArray();
        var result = """{"hf":[19,3],"t":1700000000000,"timestamp":1700000000000,"version":[2,8,0]}"""u8.ToArray();

        var replyLength = 0;
        var bytes = MinWindowBytes(() =>
        {
            using var outcome = processor.ProcessLayer(layer, clientPublic, type);
            replyLength = processor.EncryptResponse(outcome.Key, 200, result, bodyIsJson: true, jsonFlag: false, base64: true).Length;
        });

        // A byte[] of n elements: 16-byte header + 8-byte length, rounded up to 8 (64-bit runtime).
        var arrayBytes = (24 + replyLength + 7) / 8 * 8;
        Assert.Equal(50L * arrayBytes, bytes);
    }
}
