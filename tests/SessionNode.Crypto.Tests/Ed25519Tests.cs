namespace SessionNode.Crypto.Tests;

public sealed class Ed25519Tests
{
    private const string UserEd25519Hex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

    [Theory]
    [InlineData(0, 64)]
    [InlineData(31, 64)]
    [InlineData(33, 64)]
    [InlineData(32, 0)]
    [InlineData(32, 63)]
    [InlineData(32, 65)]
    public void Verify_BadLengths_ReturnsFalseWithoutThrowing(int keyLength, int signatureLength)
    {
        using var key = Ed25519KeyPair.FromSeed(Bytes.Repeat(7, 32));
        var message = Bytes.Ascii("message");
        var signature = key.Sign(message);

        var publicKey = new byte[keyLength];
        key.PublicKey[..Math.Min(32, keyLength)].CopyTo(publicKey);
        var sig = new byte[signatureLength];
        signature.AsSpan(0, Math.Min(64, signatureLength)).CopyTo(sig);

        Assert.False(Ed25519.Verify(publicKey, message, sig));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")] // small order
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // identity
    [InlineData("0200000000000000000000000000000000000000000000000000000000000000")] // y = 2: not on the curve
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")] // non-canonical
    public void Verify_InvalidPublicKey_ReturnsFalse(string publicKeyHex)
    {
        Assert.False(Ed25519.Verify(Convert.FromHexString(publicKeyHex), Bytes.Ascii("m"), new byte[64]));
    }

    [Fact]
    public void Verify_EmptyMessage_RoundTrips()
    {
        using var key = Ed25519KeyPair.Generate();
        var signature = key.Sign([]);
        Assert.True(Ed25519.Verify(key.PublicKey, [], signature));
        Assert.False(Ed25519.Verify(key.PublicKey, [0], signature));
    }

    [Fact]
    public void Verify_NonCanonicalSignatureScalar_ReturnsFalse()
    {
        // S + L (the group order) verifies under a lax implementation; libsodium rejects S >= L.
        using var key = Ed25519KeyPair.FromSeed(Bytes.Repeat(9, 32));
        var message = Bytes.Ascii("malleable?");
        var signature = key.Sign(message);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32), isUnsigned: true);
        var order = System.Numerics.BigInteger.Pow(2, 252) + System.Numerics.BigInteger.Parse("27742317777372353535851937790883648493");
        var malleated = (s + order).ToByteArray(isUnsigned: true); // < 2^253: fits in 32 bytes
        var forged = (byte[])signature.Clone();
        Array.Clear(forged, 32, 32);
        malleated.CopyTo(forged, 32);
        Assert.False(Ed25519.Verify(key.PublicKey, message, forged));
    }

    [Fact]
    public void Sign_SpanAndArrayOverloads_ProduceSameDeterministicSignature()
    {
        using var key = Ed25519KeyPair.FromSeed(Bytes.Repeat(1, 32));
        var message = Bytes.Ascii("determinism");
        Span<byte> signature = stackalloc byte[Ed25519.SignatureSize];
        key.Sign(message, signature);
        Assert.Equal(key.Sign(message), signature.ToArray());
    }

    [Fact]
    public void Sign_WrongDestinationLength_Throws()
    {
        using var key = Ed25519KeyPair.Generate();
        Assert.Throws<ArgumentException>(() => key.Sign([1], new byte[63]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(64)]
    public void FromSeed_WrongLength_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromSeed(new byte[length]));
    }

    [Fact]
    public void FromLibsodiumSecretKey_MismatchedOrShort_Throws()
    {
        using var key = Ed25519KeyPair.FromSeed(Bytes.Repeat(4, 32));
        var secretKey = Bytes.Concat(Bytes.Repeat(4, 32), key.PublicKey.ToArray());
        using (var ok = Ed25519KeyPair.FromLibsodiumSecretKey(secretKey))
        {
            Assert.Equal(key.PublicKeyHex, ok.PublicKeyHex);
        }

        secretKey[40] ^= 1;
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromLibsodiumSecretKey(secretKey));
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromLibsodiumSecretKey(new byte[32]));
    }

    [Fact]
    public void Generate_TwoCalls_GiveDifferentKeysThatRoundTripTheirSeed()
    {
        using var a = Ed25519KeyPair.Generate();
        using var b = Ed25519KeyPair.Generate();
        Assert.NotEqual(a.PublicKeyHex, b.PublicKeyHex);

        var seed = new byte[32];
        a.CopySeedTo(seed);
        using var again = Ed25519KeyPair.FromSeed(seed);
        Assert.Equal(a.PublicKeyHex, again.PublicKeyHex);
        Assert.Equal(64, a.PublicKeyHex.Length);
        Assert.Equal(a.PublicKeyHex.ToLowerInvariant(), a.PublicKeyHex);
    }

    [Fact]
    public void ToX25519_Always_MatchesPublicKeyConversion()
    {
        using var key = Ed25519KeyPair.Generate();
        using var x = key.ToX25519();
        Span<byte> converted = stackalloc byte[32];
        Assert.True(Ed25519.TryConvertPublicKeyToX25519(key.PublicKey, converted));
        Assert.Equal(converted.ToArray(), x.PublicKey.ToArray());

        Span<byte> secret = stackalloc byte[32];
        x.CopySecretTo(secret);
        Assert.Equal(0, secret[0] & 7);
        Assert.Equal(0x40, secret[31] & 0xc0);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")] // order 4
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // identity
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // order 2 (y = -1)
    [InlineData("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")] // order 8
    [InlineData("0200000000000000000000000000000000000000000000000000000000000000")] // y = 2: not on the curve
    [InlineData("b502ff3d92e31d8190b4aa4ea0414005167fad089c4de9dac8a2fc850fed4f58")] // user key + order-8 point: mixed order
    public void TryConvertPublicKeyToX25519_InvalidPoint_ReturnsFalseAndClears(string publicKeyHex)
    {
        var x = Bytes.Repeat(0xaa, 32);
        Assert.False(Ed25519.TryConvertPublicKeyToX25519(Convert.FromHexString(publicKeyHex), x));
        Assert.Equal(new byte[32], x);
    }

    [Theory]
    [InlineData(31, 32)]
    [InlineData(33, 32)]
    [InlineData(32, 31)]
    [InlineData(32, 33)]
    [InlineData(0, 0)]
    public void TryConvertPublicKeyToX25519_BadLengths_ReturnsFalse(int inputLength, int outputLength)
    {
        var input = new byte[inputLength];
        Convert.FromHexString(UserEd25519Hex).AsSpan(0, Math.Min(32, inputLength)).CopyTo(input);
        Assert.False(Ed25519.TryConvertPublicKeyToX25519(input, new byte[outputLength]));
    }

    [Fact]
    public void Disposed_Sign_Throws()
    {
        var key = Ed25519KeyPair.Generate();
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign([1]));
    }

    [Fact]
    public void TryLegacyPublicKey_OfTheEd25519SecretScalar_IsTheEd25519PublicKey()
    {
        // A modern registration: oxend's legacy scalar is the Ed25519 key's own (clamped) scalar.
        var seed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using var pair = Ed25519KeyPair.FromSeed(seed);
        var scalar = System.Security.Cryptography.SHA512.HashData(seed)[..32];
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;

        var legacy = new byte[32];
        Assert.True(Ed25519.TryLegacyPublicKey(scalar, legacy));
        Assert.Equal(pair.PublicKey.ToArray(), legacy);
    }

    [Fact]
    public void TryLegacyPublicKey_IsNotClamped()
    {
        // Scalar 1 is the base point itself; clamping would have turned it into another scalar.
        var one = new byte[32];
        one[0] = 1;
        var point = new byte[32];
        Assert.True(Ed25519.TryLegacyPublicKey(one, point));
        Assert.Equal("5866666666666666666666666666666666666666666666666666666666666666", Convert.ToHexStringLower(point));
    }

    [Theory]
    [InlineData(32, 32, true)] // zero scalar
    [InlineData(31, 32, false)]
    [InlineData(32, 31, false)]
    public void TryLegacyPublicKey_ZeroScalarOrBadLengths_ReturnsFalse(int scalarLength, int outputLength, bool zero)
    {
        var scalar = new byte[scalarLength];
        if (!zero)
        {
            scalar[0] = 1;
        }

        Assert.False(Ed25519.TryLegacyPublicKey(scalar, new byte[outputLength]));
    }
}
