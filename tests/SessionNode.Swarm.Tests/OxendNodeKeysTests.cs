using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SessionNode.Crypto;

namespace SessionNode.Swarm.Tests;

/// <summary>get_service_node_privkey and storage_server_ping bodies and answers (swarm.md §1, §14).</summary>
public sealed class OxendNodeKeysTests
{
    private static readonly byte[] Seed = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    [Fact]
    public void Request_NamesTheMethodWithoutParams()
    {
        using var doc = JsonDocument.Parse(OxendNodeKeys.Request());
        Assert.Equal("get_service_node_privkey", doc.RootElement.GetProperty("method").GetString());
        Assert.False(doc.RootElement.TryGetProperty("params", out _));
    }

    [Fact]
    public void Parse_ValidAnswer_GivesTheIdentityAndTheLegacyKey()
    {
        using var expected = Ed25519KeyPair.FromSeed(Seed);
        var scalar = new byte[32];
        scalar[0] = 1; // legacy key = the base point
        var json = Answer(Convert.ToHexStringLower(scalar), Convert.ToHexStringLower([.. Seed, .. expected.PublicKey]), XSecretHex(Seed));

        var keys = OxendNodeKeys.Parse(Encoding.UTF8.GetBytes(json));
        using (keys.Ed25519)
        {
            Assert.Equal(expected.PublicKeyHex, keys.Ed25519.PublicKeyHex);
            Assert.Equal("5866666666666666666666666666666666666666666666666666666666666666", Convert.ToHexStringLower(keys.LegacyPublicKey));
        }
    }

    [Fact]
    public void Parse_BareResultObject_IsAccepted()
    {
        using var expected = Ed25519KeyPair.FromSeed(Seed);
        var json = $$"""{"service_node_privkey":"{{new string('1', 64)}}","service_node_ed25519_privkey":"{{Convert.ToHexStringLower([.. Seed, .. expected.PublicKey])}}","service_node_x25519_privkey":"{{XSecretHex(Seed)}}"}""";

        using var keys = OxendNodeKeys.Parse(Encoding.UTF8.GetBytes(json)).Ed25519;
        Assert.Equal(expected.PublicKeyHex, keys.PublicKeyHex);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":"0","error":{"code":-32601,"message":"Method not found"}}""", "oxend error")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{"result":{"service_node_privkey":"","service_node_ed25519_privkey":"","service_node_x25519_privkey":""}}""", "not running as a service node")]
    [InlineData("""{"result":{"service_node_ed25519_privkey":"","service_node_x25519_privkey":""}}""", "service_node_privkey missing")]
    [InlineData("""{"result":{"service_node_privkey":"zz","service_node_ed25519_privkey":"","service_node_x25519_privkey":""}}""", "64 hex digits")]
    [InlineData("""{"result":""", "malformed")]
    public void Parse_ErrorOrMalformedAnswer_IsARetryableFormatException(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => OxendNodeKeys.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Ed25519PublicHalfOfAnotherKey_IsAFormatException()
    {
        using var other = Ed25519KeyPair.Generate();
        var json = Answer(new string('1', 64), Convert.ToHexStringLower([.. Seed, .. other.PublicKey]), XSecretHex(Seed));

        var e = Assert.Throws<FormatException>(() => OxendNodeKeys.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("service_node_ed25519_privkey", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_X25519KeyNotDerivedFromTheEd25519Key_IsInvalidData()
    {
        using var expected = Ed25519KeyPair.FromSeed(Seed);
        var json = Answer(new string('1', 64), Convert.ToHexStringLower([.. Seed, .. expected.PublicKey]), new string('2', 64));

        Assert.Throws<InvalidDataException>(() => OxendNodeKeys.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void PingRequest_CarriesVersionKeyAndPorts()
    {
        using var doc = JsonDocument.Parse(OxendPing.Request([2, 8, 0], new string('a', 64), 22021, 22020));

        Assert.Equal("storage_server_ping", doc.RootElement.GetProperty("method").GetString());
        Assert.Equal(
            """{"version":[2,8,0],"pubkey_ed25519":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","https_port":22021,"omq_port":22020}""",
            doc.RootElement.GetProperty("params").GetRawText());
    }

    private static string Answer(string legacy, string ed, string x) =>
        $$$"""{"jsonrpc":"2.0","id":"0","result":{"service_node_privkey":"{{{legacy}}}","service_node_ed25519_privkey":"{{{ed}}}","service_node_x25519_privkey":"{{{x}}}","status":"OK"}}""";

    /// <summary>oxend's X25519 secret: libsodium's Ed25519 → Curve25519 secret conversion (the hashed seed).</summary>
    private static string XSecretHex(byte[] seed) => Convert.ToHexStringLower(SHA512.HashData(seed)[..32]);
}
