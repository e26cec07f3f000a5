using SessionNode.Core;

namespace SessionNode.Crypto.Tests;

/// <summary>Allocation gates for the hot paths (the benchmarks measure the same with BenchmarkDotNet).</summary>
public sealed class AllocationTests
{
    private static long Measure(Action action)
    {
        for (var i = 0; i < 50; i++)
        {
            action(); // warm up: tiering, static initialisation
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }

    [Fact]
    public void XChaCha20SealAndOpen_PreallocatedBuffers_AllocateNothing()
    {
        var key = ChannelKey.FromBytes(EncryptionType.XChaCha20, Bytes.Repeat(1, 32));
        var plaintext = new byte[1000];
        var sealedBytes = new byte[plaintext.Length + key.Overhead];
        var opened = new byte[plaintext.Length];

        Assert.Equal(0, Measure(() =>
        {
            key.Seal(plaintext, sealedBytes, RandomNonceSource.Instance);
            key.TryOpen(sealedBytes, opened, out _);
        }));
    }

    [Fact]
    public void AesGcmSealAndOpen_LibSodiumRoute_AllocateNothing()
    {
        Assert.SkipUnless(AesGcmCipher.UsesLibSodium, "libsodium has no AES-256-GCM on this CPU; the BCL fallback allocates its AesGcm");
        var key = ChannelKey.FromBytes(EncryptionType.AesGcm, Bytes.Repeat(1, 32));
        var plaintext = new byte[1000];
        var sealedBytes = new byte[plaintext.Length + key.Overhead];
        var opened = new byte[plaintext.Length];

        Assert.Equal(0, Measure(() =>
        {
            key.Seal(plaintext, sealedBytes, RandomNonceSource.Instance);
            Assert.True(key.TryOpen(sealedBytes, opened, out _));
        }));
    }

    [Fact]
    public void TryAgreeAndDeriveKey_Always_AllocateNothing()
    {
        using var node = X25519KeyPair.Generate();
        using var client = X25519KeyPair.Generate();
        var server = new ChannelEncryption(node, isServer: true);
        var shared = new byte[32];

        Assert.Equal(0, Measure(() =>
        {
            node.TryAgree(client.PublicKey, shared);
            server.TryDeriveKey(EncryptionType.XChaCha20, client.PublicKey, out _);
            server.TryDeriveKey(EncryptionType.AesGcm, client.PublicKey, out _);
        }));
    }

    [Fact]
    public void Sign_IntoSpan_AllocatesNothing()
    {
        using var key = Ed25519KeyPair.FromSeed(Bytes.Repeat(2, 32));
        var message = new byte[100];
        var signature = new byte[64];
        Assert.Equal(0, Measure(() => key.Sign(message, signature)));
    }

    [Fact]
    public void MessageHasherCompute_Always_AllocatesOnlyTheResultString()
    {
        var account = AccountId.FromPrefixAndKey(5, Bytes.Repeat(3, 32));
        var data = new byte[100];

        // A 43-character string: 20-byte header/length + 2 * (43 + 1) chars, rounded up to 8.
        Assert.True(Measure(() => MessageHasher.Compute(account, new Namespace(-42), data)) <= 112);
    }
}
