namespace SessionNode.Crypto.Tests;

public sealed class X25519Tests
{
    // Points of small order on Curve25519 (u-coordinates): every agreement with them yields S = 0.
    public static TheoryData<string> LowOrderPoints => new(
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void TryAgree_LowOrderPeerKey_ReturnsFalseAndClears(string peerHex)
    {
        using var pair = X25519KeyPair.Generate();
        var shared = Bytes.Repeat(0xaa, 32);
        Assert.False(pair.TryAgree(Convert.FromHexString(peerHex), shared));
        Assert.Equal(new byte[32], shared);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void TryDeriveKey_LowOrderPeerKey_ReturnsFalse(string peerHex)
    {
        using var pair = X25519KeyPair.Generate();
        foreach (var type in new[] { EncryptionType.AesGcm, EncryptionType.XChaCha20 })
        {
            Assert.False(new ChannelEncryption(pair, isServer: true).TryDeriveKey(type, Convert.FromHexString(peerHex), out _));
            Assert.False(new ChannelEncryption(pair, isServer: false).TryDeriveKey(type, Convert.FromHexString(peerHex), out _));
        }
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(31, 32)]
    [InlineData(33, 32)]
    [InlineData(32, 31)]
    [InlineData(32, 33)]
    public void TryAgree_BadLengths_ReturnsFalse(int peerLength, int sharedLength)
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        var peer = new byte[peerLength];
        b.PublicKey[..Math.Min(32, peerLength)].CopyTo(peer);
        Assert.False(a.TryAgree(peer, new byte[sharedLength]));
    }

    [Fact]
    public void TryAgree_TwoParties_ComputeTheSameSecret()
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        var ab = new byte[32];
        var ba = new byte[32];
        Assert.True(a.TryAgree(b.PublicKey, ab));
        Assert.True(b.TryAgree(a.PublicKey, ba));
        Assert.Equal(ab, ba);
        Assert.NotEqual(new byte[32], ab);
    }

    [Fact]
    public void FromSecret_UnclampedSecret_IsKeptAsGivenAndActsClamped()
    {
        var unclamped = Bytes.Repeat(0xff, 32);
        var clamped = (byte[])unclamped.Clone();
        clamped[0] &= 248;
        clamped[31] &= 127;
        clamped[31] |= 64;

        using var raw = X25519KeyPair.FromSecret(unclamped);
        using var normal = X25519KeyPair.FromSecret(clamped);
        Assert.Equal(normal.PublicKey.ToArray(), raw.PublicKey.ToArray());

        var copy = new byte[32];
        raw.CopySecretTo(copy);
        Assert.Equal(unclamped, copy);
    }

    [Fact]
    public void TryAgree_PeerKeyHighBitSet_IsIgnoredLikeLibsodium()
    {
        using var a = X25519KeyPair.Generate();
        using var b = X25519KeyPair.Generate();
        var peer = b.PublicKey.ToArray();
        var expected = new byte[32];
        Assert.True(a.TryAgree(peer, expected));
        peer[31] |= 0x80;
        var actual = new byte[32];
        Assert.True(a.TryAgree(peer, actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromSecret_WrongLength_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => X25519KeyPair.FromSecret(new byte[length]));
    }

    [Fact]
    public void Dispose_ThenUse_Throws()
    {
        var pair = X25519KeyPair.Generate();
        var peer = X25519KeyPair.Generate();
        pair.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pair.TryAgree(peer.PublicKey, new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => pair.CopySecretTo(new byte[32]));
        peer.Dispose();
    }
}
