using SessionNode.Core;

namespace SessionNode.Crypto.Tests;

/// <summary>Every key, hash and signature of client-rpc.md §15, byte for byte.</summary>
public sealed class ClientRpcVectorTests
{
    private const string UserSeedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string UserEd25519Hex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private const string UserX25519Hex = "4701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string SessionIdHex = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    private const string NodeEd25519Hex = "2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12";
    private const string Hash0 = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";
    private const string Hash2 = "gCn7E6Szqo/oChGehi2gQWVkm9nnERWRusWy/R/7pbI";

    private static readonly byte[] HelloSession = Bytes.Ascii("Hello, Session!");
    private static readonly byte[] ConfigBlob = Bytes.Concat([0x00, 0x01, 0x02], Bytes.Ascii("config-blob"));

    private static Ed25519KeyPair User() => Ed25519KeyPair.FromSeed(Convert.FromHexString(UserSeedHex));

    private static Ed25519KeyPair Node() => Ed25519KeyPair.FromSeed(Bytes.Repeat(0x42, 32));

    private static AccountId SessionId => AccountId.ParseHex(SessionIdHex);

    /// <summary>Signs, compares with the expected base64 signature, and checks verification both ways.</summary>
    private static void AssertSignature(Ed25519KeyPair key, byte[] signed, string expectedBase64)
    {
        var signature = key.Sign(signed);
        Assert.Equal(expectedBase64, Convert.ToBase64String(signature));
        Assert.True(Ed25519.Verify(key.PublicKey, signed, signature));

        var tampered = (byte[])signed.Clone();
        tampered[^1] ^= 1;
        Assert.False(Ed25519.Verify(key.PublicKey, tampered, signature));
    }

    [Fact]
    public void Keys_Section15_1_MatchPublishedValues()
    {
        using var user = User();
        using var node = Node();

        Assert.Equal(UserEd25519Hex, user.PublicKeyHex);
        Assert.Equal(NodeEd25519Hex, node.PublicKeyHex);

        Span<byte> x = stackalloc byte[32];
        Assert.True(Ed25519.TryConvertPublicKeyToX25519(user.PublicKey, x));
        Assert.Equal(UserX25519Hex, Convert.ToHexStringLower(x));
        Assert.Equal(SessionIdHex, "05" + Convert.ToHexStringLower(x));

        using var userX = user.ToX25519();
        Assert.Equal(UserX25519Hex, Convert.ToHexStringLower(userX.PublicKey));

        Span<byte> seed = stackalloc byte[32];
        user.CopySeedTo(seed);
        Assert.Equal(UserSeedHex, Convert.ToHexStringLower(seed));
    }

    [Fact]
    public void Store_Section15_2_HashAndNodeSignatureMatch()
    {
        using var node = Node();
        var hash = MessageHasher.Compute(SessionId, Namespace.Default, HelloSession);
        Assert.Equal(Hash0, hash);
        AssertSignature(node, Bytes.Ascii(hash), "XBqS8jVJV4P0e3pusfYLF/pBJWywj/FS9i9qUXCByZVE1vkQI6QaZEbWIrhqcWOYBzUE4poTfPXCLae17xC3DA==");
    }

    [Fact]
    public void Store_Section15_3_ClientSignatureHashAndNodeSignatureMatch()
    {
        using var user = User();
        using var node = Node();
        AssertSignature(user, Bytes.Ascii("store21700000000000"), "4Ky0fUtkfoO1FXiC4EajtUfuze4UbM+Ob/gbBgzN4SelP6H/QNmrG523BCqldf8yKZDJ3yYffdYp6/cyUf8YCg==");

        var hash = MessageHasher.Compute(SessionId, new Namespace(2), ConfigBlob);
        Assert.Equal(Hash2, hash);
        AssertSignature(node, Bytes.Ascii(hash), "6L3Z/DzUIlPqLfn6i3a9Uaz3s+bqEUNrgvzq34pfAXVLESVQWADKRlO1p1G9UOMoZwvkfnKUpUvcOkLFljQkBg==");
    }

    [Theory]
    [InlineData("retrieve1700000005000", "gLColfo/a5sSvxT2gR6OO4SvWnuAoZM8eInKNYEI4YiyS5kp/Y7qXL4Aw9ShE6gfKii5kdc+TgplBHCN8mGqBg==")]
    [InlineData("retrieve21700000005000", "c2ENR5SMVuF8Pm48ON8ohVIGNgWXQZUwhfg5ZBZmA7B9AeFUU+4cpjoP68SnQ6C+JbFv7NO0RUIjEWOQ2nUuCg==")]
    public void Retrieve_Section15_4_ClientSignatureMatches(string signed, string expected)
    {
        using var user = User();
        AssertSignature(user, Bytes.Ascii(signed), expected);
    }

    [Fact]
    public void Delete_Section15_5_ClientAndNodeSignaturesMatch()
    {
        using var user = User();
        using var node = Node();
        AssertSignature(user, Bytes.Ascii("delete" + Hash0), "1w2+GJNwyQc4fZdfo/NKVDCMtXjfI4kQY4c/XBcsvo6gWHsW9noc9gjw0Bn74t0xJnDZUVB8TS8jM4iFCzDSAw==");
        AssertSignature(node, Bytes.Ascii(SessionIdHex + Hash0 + Hash0), "h0A0rzaDc9vuPM+6e2sbiYtVw9JC1jxI7QBKzhdA0CQx46HGihKg2poP92baHefvFCJEkQPd92krSGRyyBbFBA==");
    }

    [Fact]
    public void DeleteAll_Section15_6_ClientAndNodeSignaturesMatch()
    {
        using var user = User();
        using var node = Node();
        AssertSignature(user, Bytes.Ascii("delete_allall1700000005000"), "Up9NTPahx6C+W390xYGKcIO7YVlBTTDyGC+XobBDG9M7QK2mjduCjnr5UKqHun6H/l0XCFDf14lBVNXYs6aSBg==");
        AssertSignature(node, Bytes.Ascii(SessionIdHex + "1700000005000" + Hash2 + Hash0), "8KsDexQ8+/HSX28eGXEziaL/PTqjusJ51Atb4Ly5qvYdc5Sai/tnOAY0HGE/ux8X85KVvpjm0jRrue/nXjn1Dg==");
    }

    [Fact]
    public void Expire_Section15_7_ClientAndNodeSignaturesMatch()
    {
        using var user = User();
        using var node = Node();
        AssertSignature(user, Bytes.Ascii("expireextend1700172800000" + Hash0 + Hash2), "V3GceuxB6GD3e1hgJmEReXx/Tk91IeFke169I4EmdD3HRI3s23bA708bOXMBQjV3RHgUxbtO5w5xhYklXwL9AQ==");
        AssertSignature(
            node,
            Bytes.Ascii(SessionIdHex + "1700172800000" + Hash0 + Hash2 + Hash0 + Hash2 + "1702592000000"),
            "LYWY1sVxTFZ9MKu89lnt68cK8/dkym+B27qQYVvPQZI4KjwqzPh3ucS1k9Yk9AjfhcTZcHKMpYmAJOmzxQh/BQ==");
    }

    [Fact]
    public void Monitor_Section15_9_SignatureMatches()
    {
        using var user = User();
        var signed = Bytes.Ascii("MONITOR" + SessionIdHex + "1700000000" + "1" + "0,2,3,4,5");
        var signature = user.Sign(signed);
        Assert.Equal(
            "ae4101836187a53400ad77226534a151e550903825f55da535b0e3d0079e992c510ea3e3d250ef4c860b682609636e2ba8dde6d53b0133e91fa5471ce67eff03",
            Convert.ToHexStringLower(signature));
        Assert.True(Ed25519.Verify(user.PublicKey, signed, signature));
    }

    [Fact]
    public void OnionKeys_Section15_10_SharedSecretAndLayerKeysMatch()
    {
        using var node = X25519KeyPair.FromSecret(Bytes.Repeat(0x42, 32));
        using var client = X25519KeyPair.FromSecret(Bytes.Repeat(0x24, 32));
        Assert.Equal("132c442be010fbd57e72603328aa76e71fccc1503aae219327d14d9c9993f472", Convert.ToHexStringLower(node.PublicKey));
        Assert.Equal("04bcd2e0d00f2cce5fe8f1c6c2fbec5c07fa56e3aa5c88a5689975d88b3fce05", Convert.ToHexStringLower(client.PublicKey));

        var shared = new byte[32];
        Assert.True(node.TryAgree(client.PublicKey, shared));
        Assert.Equal("07911fea3785e6cd6763e1fd5dab461fc08a6841af21db4a8ac7b7f99b64103a", Convert.ToHexStringLower(shared));
        Assert.True(client.TryAgree(node.PublicKey, shared));
        Assert.Equal("07911fea3785e6cd6763e1fd5dab461fc08a6841af21db4a8ac7b7f99b64103a", Convert.ToHexStringLower(shared));

        var server = new ChannelEncryption(node, isServer: true);
        var clientSide = new ChannelEncryption(client, isServer: false);
        var key = new byte[32];
        foreach (var (type, expected) in new[]
        {
            (EncryptionType.AesGcm, "08f33bf0a228ede72092d7abee0d7fef3e18fb1c9d9fb10d24eaa4269eb3b002"),
            (EncryptionType.XChaCha20, "b21fc4066b1f43eddc2883beb527637d38690f3bd7748ba913cde7745578c05f"),
        })
        {
            Assert.True(server.TryDeriveKey(type, client.PublicKey, out var serverKey));
            serverKey.CopyTo(key);
            Assert.Equal(expected, Convert.ToHexStringLower(key));
            Assert.Equal(type, serverKey.Type);

            Assert.True(clientSide.TryDeriveKey(type, node.PublicKey, out var clientKey));
            clientKey.CopyTo(key);
            Assert.Equal(expected, Convert.ToHexStringLower(key));
        }
    }
}
