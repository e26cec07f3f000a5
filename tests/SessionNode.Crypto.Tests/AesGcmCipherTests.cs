using System.Security.Cryptography;

namespace SessionNode.Crypto.Tests;

/// <summary>
/// The two AES-256-GCM routes behind <see cref="ChannelKey"/> (libsodium when the CPU has it, the BCL otherwise)
/// produce and accept the same bytes: the onion vector and random messages of awkward lengths.
/// </summary>
public sealed class AesGcmCipherTests
{
    private delegate void Encryptor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> destination);

    private delegate bool Decryptor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination);

    public static TheoryData<int> Lengths => new(0, 1, 15, 16, 17, 255, 1000, 65_537);

    private static void SkipWithoutLibSodiumAesGcm()
        => Assert.SkipUnless(AesGcmCipher.UsesLibSodium, "libsodium has no AES-256-GCM on this CPU (no AES-NI/PCLMUL or ARM crypto)");

    private static (Encryptor Encrypt, Decryptor Decrypt)[] Routes() =>
    [
        (AesGcmCipher.EncryptBcl, AesGcmCipher.TryDecryptBcl),
        (AesGcmCipher.EncryptLibSodium, AesGcmCipher.TryDecryptLibSodium),
    ];

    [Fact]
    public void UsesLibSodium_OnAesNiCpu_IsTrue()
    {
        // The benchmark and allocation figures assume the libsodium route on x86-64 with AES-NI + PCLMUL.
        Assert.SkipUnless(System.Runtime.Intrinsics.X86.Aes.IsSupported && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported, "not an AES-NI CPU");
        Assert.True(AesGcmCipher.UsesLibSodium);
    }

    [Fact]
    public void BothRoutes_HopEncVector_SealAndOpenByteForByte()
    {
        SkipWithoutLibSodiumAesGcm();
        var v = OnionVectors.ChannelEncryption("libsession-hopenc-1");
        var key = v.GetProperty("derived").Hex("aes_gcm_key_hex");
        var nonce = v.GetProperty("derived").Hex("aes_gcm_nonce_hex");
        var expected = v.Hex("aes_gcm_ciphertext_hex"); // nonce ‖ ciphertext ‖ tag
        var plaintext = Bytes.Ascii("Hello world");
        Assert.Equal(nonce, expected[..12]);

        foreach (var (encrypt, decrypt) in Routes())
        {
            var body = new byte[plaintext.Length + 16];
            encrypt(key, nonce, plaintext, body);
            Assert.Equal(Convert.ToHexStringLower(expected[12..]), Convert.ToHexStringLower(body));

            var opened = new byte[plaintext.Length];
            Assert.True(decrypt(key, nonce, expected.AsSpan(12), opened));
            Assert.Equal(plaintext, opened);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void EachRoute_OpensWhatTheOtherSealed(int length)
    {
        SkipWithoutLibSodiumAesGcm();
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var routes = Routes();
        var sealedBy = routes.Select(r =>
        {
            var body = new byte[length + 16];
            r.Encrypt(key, nonce, plaintext, body);
            return body;
        }).ToArray();
        Assert.Equal(sealedBy[0], sealedBy[1]);

        foreach (var (_, decrypt) in routes)
        {
            var opened = new byte[length];
            Assert.True(decrypt(key, nonce, sealedBy[0], opened));
            Assert.Equal(plaintext, opened);
        }
    }

    [Fact]
    public void BothRoutes_TamperedByteOrWrongKey_FailAndClearDestination()
    {
        SkipWithoutLibSodiumAesGcm();
        var key = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = Bytes.Ascii("attack at dawn");
        var body = new byte[plaintext.Length + 16];
        AesGcmCipher.EncryptLibSodium(key, nonce, plaintext, body);

        foreach (var (_, decrypt) in Routes())
        {
            for (var i = 0; i < body.Length; i++)
            {
                var tampered = (byte[])body.Clone();
                tampered[i] ^= 0x01;
                var destination = Bytes.Repeat(0xcc, plaintext.Length);
                Assert.False(decrypt(key, nonce, tampered, destination));
                Assert.Equal(new byte[plaintext.Length], destination);
            }

            var otherNonce = (byte[])nonce.Clone();
            otherNonce[0] ^= 0x01;
            Assert.False(decrypt(key, otherNonce, body, new byte[plaintext.Length]));
            var otherKey = (byte[])key.Clone();
            otherKey[31] ^= 0x80;
            Assert.False(decrypt(otherKey, nonce, body, new byte[plaintext.Length]));
        }
    }
}
