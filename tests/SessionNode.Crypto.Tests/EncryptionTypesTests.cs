namespace SessionNode.Crypto.Tests;

public sealed class EncryptionTypesTests
{
    [Theory]
    [InlineData("aes-gcm", EncryptionType.AesGcm)]
    [InlineData("gcm", EncryptionType.AesGcm)]
    [InlineData("xchacha20", EncryptionType.XChaCha20)]
    [InlineData("xchacha20-poly1305", EncryptionType.XChaCha20)]
    public void TryParse_AcceptedName_ReturnsType(string value, EncryptionType expected)
    {
        Assert.True(EncryptionTypes.TryParse(value, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("aes-cbc")]
    [InlineData("cbc")]
    [InlineData("AES-GCM")]
    [InlineData("XChaCha20")]
    [InlineData(" aes-gcm")]
    [InlineData("aes-gcm ")]
    [InlineData("chacha20")]
    [InlineData("xchacha20poly1305")]
    public void TryParse_OtherValue_ReturnsFalse(string? value)
    {
        Assert.False(EncryptionTypes.TryParse(value, out _));
    }

    [Theory]
    [InlineData(EncryptionType.AesGcm, "aes-gcm", 28, 12)]
    [InlineData(EncryptionType.XChaCha20, "xchacha20", 40, 24)]
    public void WireNameAndSizes_EachType_MatchOnionSpec(EncryptionType type, string name, int overhead, int nonce)
    {
        Assert.Equal(name, EncryptionTypes.ToWireName(type));
        Assert.Equal(overhead, EncryptionTypes.Overhead(type));
        Assert.Equal(nonce, EncryptionTypes.NonceSize(type));
        Assert.True(EncryptionTypes.TryParse(EncryptionTypes.ToWireName(type), out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void ToWireName_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EncryptionTypes.ToWireName((EncryptionType)99));
    }
}
