using SessionNode.Core;

namespace SessionNode.Crypto.Tests;

public sealed class ChannelKeyTests
{
    public static TheoryData<EncryptionType> Types => new(EncryptionType.AesGcm, EncryptionType.XChaCha20);

    private static ChannelKey Key(EncryptionType type) => ChannelKey.FromBytes(type, Bytes.Repeat(0x5a, 32));

    [Theory]
    [MemberData(nameof(Types))]
    public void TryOpen_ShorterThanOverhead_ReturnsFalse(EncryptionType type)
    {
        var key = Key(type);
        for (var length = 0; length < key.Overhead; length++)
        {
            Assert.False(key.TryOpen(new byte[length], new byte[64], out var written));
            Assert.Equal(0, written);
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Seal_EmptyPlaintext_OpensToEmpty(EncryptionType type)
    {
        var key = Key(type);
        var sealedBytes = new byte[key.Overhead];
        Assert.Equal(key.Overhead, key.Seal([], sealedBytes, RandomNonceSource.Instance));
        Assert.True(key.TryOpen(sealedBytes, [], out var written));
        Assert.Equal(0, written);

        sealedBytes[^1] ^= 1;
        Assert.False(key.TryOpen(sealedBytes, [], out _));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void TryOpen_AnyFlippedBit_ReturnsFalseAndClearsDestination(EncryptionType type)
    {
        var key = Key(type);
        var plaintext = Bytes.Ascii("attack at dawn");
        var sealedBytes = new byte[plaintext.Length + key.Overhead];
        key.Seal(plaintext, sealedBytes, RandomNonceSource.Instance);

        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[i] ^= 0x80;
            var destination = Bytes.Repeat(0xcc, plaintext.Length);
            Assert.False(key.TryOpen(tampered, destination, out var written));
            Assert.Equal(0, written);
            Assert.Equal(new byte[plaintext.Length], destination);
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void TryOpen_WrongKey_ReturnsFalse(EncryptionType type)
    {
        var sealedBytes = new byte[10 + Key(type).Overhead];
        Key(type).Seal(new byte[10], sealedBytes, RandomNonceSource.Instance);
        var other = ChannelKey.FromBytes(type, Bytes.Repeat(0x5b, 32));
        Assert.False(other.TryOpen(sealedBytes, new byte[10], out _));
    }

    [Fact]
    public void TryOpen_OtherAlgorithmSameKey_ReturnsFalse()
    {
        var gcm = Key(EncryptionType.AesGcm);
        var sealedBytes = new byte[50 + gcm.Overhead];
        gcm.Seal(new byte[50], sealedBytes, RandomNonceSource.Instance);
        Assert.False(Key(EncryptionType.XChaCha20).TryOpen(sealedBytes, new byte[64], out _));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Seal_LargePayload_RoundTrips(EncryptionType type)
    {
        var key = Key(type);
        var plaintext = new byte[Limits.MaxMessageBytes + 12345];
        new Random(42).NextBytes(plaintext);
        var sealedBytes = new byte[plaintext.Length + key.Overhead + 7]; // larger than needed is fine
        var length = key.Seal(plaintext, sealedBytes, RandomNonceSource.Instance);
        Assert.Equal(plaintext.Length + key.Overhead, length);

        var opened = new byte[plaintext.Length + 3];
        Assert.True(key.TryOpen(sealedBytes.AsSpan(0, length), opened, out var written));
        Assert.Equal(plaintext.Length, written);
        Assert.True(plaintext.AsSpan().SequenceEqual(opened.AsSpan(0, written)));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Seal_RandomNonces_DifferEachTime(EncryptionType type)
    {
        var key = Key(type);
        var a = new byte[5 + key.Overhead];
        var b = new byte[5 + key.Overhead];
        key.Seal(new byte[5], a, RandomNonceSource.Instance);
        key.Seal(new byte[5], b, RandomNonceSource.Instance);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Seal_DestinationTooSmall_Throws(EncryptionType type)
    {
        var key = Key(type);
        Assert.Throws<ArgumentException>(() => key.Seal(new byte[10], new byte[10 + key.Overhead - 1], RandomNonceSource.Instance));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void TryOpen_DestinationTooSmall_Throws(EncryptionType type)
    {
        var key = Key(type);
        var sealedBytes = new byte[10 + key.Overhead];
        key.Seal(new byte[10], sealedBytes, RandomNonceSource.Instance);
        Assert.Throws<ArgumentException>(() => key.TryOpen(sealedBytes, new byte[9], out _));
    }

    [Fact]
    public void Seal_OverlappingBuffers_Throws()
    {
        var key = Key(EncryptionType.XChaCha20);
        var buffer = new byte[100];
        Assert.Throws<ArgumentException>(() => key.Seal(buffer.AsSpan(40, 10), buffer, RandomNonceSource.Instance));
    }

    [Fact]
    public void Default_Use_ThrowsInvalidOperation()
    {
        var key = default(ChannelKey);
        Assert.Throws<InvalidOperationException>(() => key.Seal([1], new byte[64], RandomNonceSource.Instance));
        Assert.Throws<InvalidOperationException>(() => key.TryOpen(new byte[64], new byte[64], out _));
    }

    [Fact]
    public void FromBytes_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => ChannelKey.FromBytes(EncryptionType.AesGcm, new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelKey.FromBytes((EncryptionType)7, new byte[32]));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void TryDecrypt_TooShortCiphertext_ReturnsFalse(EncryptionType type)
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        var server = new ChannelEncryption(a, isServer: true);
        Assert.False(server.TryDecrypt(type, new byte[EncryptionTypes.Overhead(type) - 1], b.PublicKey, out _));
        Assert.False(server.TryDecrypt(type, [], b.PublicKey, out _));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Encrypt_InvalidRemoteKey_ThrowsCryptographicException(EncryptionType type)
    {
        using var a = X25519KeyPair.Generate();
        var client = new ChannelEncryption(a, isServer: false);
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => client.Encrypt(type, [1, 2, 3], new byte[32]));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => client.Encrypt(type, [1, 2, 3], new byte[31]));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void ChannelEncryption_ClientToServerAndBack_RoundTrips(EncryptionType type)
    {
        using var node = Ed25519KeyPair.Generate().ToX25519();
        using var ephemeral = X25519KeyPair.Generate();
        var client = new ChannelEncryption(ephemeral, isServer: false);
        var server = new ChannelEncryption(node, isServer: true);

        var request = client.Encrypt(type, Bytes.Ascii("request"), node.PublicKey);
        Assert.Equal(Bytes.Ascii("request"), server.Decrypt(type, request, ephemeral.PublicKey));

        var response = server.Encrypt(type, Bytes.Ascii("response"), ephemeral.PublicKey);
        Assert.Equal(Bytes.Ascii("response"), client.Decrypt(type, response, node.PublicKey));
    }
}
