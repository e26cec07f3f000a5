using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SessionNode.Crypto.Tests;

/// <summary>
/// onion-vectors.json: every <c>channel_encryption</c> entry, the <c>ed25519_to_x25519</c> identities, the
/// <c>response_wrapping</c> ciphertexts and every <c>end_to_end</c> layer/response ciphertext.
/// </summary>
public sealed class ChannelEncryptionVectorTests
{
    private static readonly byte[] HelloWorld = Bytes.Ascii("Hello world");

    /// <summary>Seals with a fixed nonce, compares with the vector, and opens it again with <paramref name="opener"/>.</summary>
    private static void AssertSealsAndOpens(ChannelKey sealer, ChannelKey opener, byte[] plaintext, byte[] nonce, byte[] expected)
    {
        var nonces = new FixedNonceSource(nonce);
        var sealedBytes = new byte[plaintext.Length + sealer.Overhead];
        Assert.Equal(sealedBytes.Length, sealer.Seal(plaintext, sealedBytes, nonces));
        Assert.Equal(1, nonces.Used);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(sealedBytes));

        var opened = new byte[expected.Length - opener.Overhead];
        Assert.True(opener.TryOpen(expected, opened, out var written));
        Assert.Equal(plaintext.Length, written);
        Assert.Equal(plaintext, opened);
    }

    private static ChannelKey Derive(X25519KeyPair own, bool isServer, EncryptionType type, ReadOnlySpan<byte> remote)
    {
        Assert.True(new ChannelEncryption(own, isServer).TryDeriveKey(type, remote, out var key));
        return key;
    }

    private static string KeyHex(ChannelKey key)
    {
        var bytes = new byte[32];
        key.CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    // ---- channel_encryption[libsession-hopenc-1] ----

    [Fact]
    public void HopEnc_NodeSide_DecryptsBothCiphertexts()
    {
        var v = OnionVectors.ChannelEncryption("libsession-hopenc-1");
        using var node = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        Assert.Equal(v.Str("node_pubkey_hex"), Convert.ToHexStringLower(node.PublicKey));
        var server = new ChannelEncryption(node, isServer: true);

        Assert.Equal(v.Utf8("plaintext_utf8"), server.Decrypt(EncryptionType.AesGcm, v.Hex("aes_gcm_ciphertext_hex"), v.Hex("client_pubkey_hex")));
        Assert.Equal(v.Utf8("plaintext_utf8"), server.Decrypt(EncryptionType.XChaCha20, v.Hex("xchacha20_ciphertext_hex"), v.Hex("client_pubkey_hex")));
    }

    [Fact]
    public void HopEnc_BrokenCiphertexts_FailAuthentication()
    {
        var v = OnionVectors.ChannelEncryption("libsession-hopenc-1");
        using var node = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        var server = new ChannelEncryption(node, isServer: true);
        var client = v.Hex("client_pubkey_hex");

        var count = 0;
        foreach (var (type, property) in new[] { (EncryptionType.AesGcm, "aes_gcm_broken_hex"), (EncryptionType.XChaCha20, "xchacha20_broken_hex") })
        {
            foreach (var broken in v.GetProperty(property).EnumerateArray())
            {
                var ciphertext = Convert.FromHexString(broken.GetString()!);
                Assert.False(server.TryDecrypt(type, ciphertext, client, out var plaintext));
                Assert.Null(plaintext);
                Assert.Throws<System.Security.Cryptography.CryptographicException>(() => server.Decrypt(type, ciphertext, client));
                count++;
            }
        }

        Assert.Equal(4, count);
    }

    [Fact]
    public void HopEnc_Derived_SharedSecretKeysAndCiphertextsMatch()
    {
        var v = OnionVectors.ChannelEncryption("libsession-hopenc-1");
        var d = v.GetProperty("derived");
        using var node = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        using var client = X25519KeyPair.FromSecret(v.Hex("client_seckey_hex"));
        Assert.Equal(v.Str("client_pubkey_hex"), Convert.ToHexStringLower(client.PublicKey));

        var shared = new byte[32];
        Assert.True(node.TryAgree(client.PublicKey, shared));
        Assert.Equal(d.Str("x25519_shared_secret_hex"), Convert.ToHexStringLower(shared));
        Assert.True(client.TryAgree(node.PublicKey, shared));
        Assert.Equal(d.Str("x25519_shared_secret_hex"), Convert.ToHexStringLower(shared));

        foreach (var (type, keyName, nonceName, ciphertextName) in new[]
        {
            (EncryptionType.AesGcm, "aes_gcm_key_hex", "aes_gcm_nonce_hex", "aes_gcm_ciphertext_hex"),
            (EncryptionType.XChaCha20, "xchacha20_key_hex", "xchacha20_nonce_hex", "xchacha20_ciphertext_hex"),
        })
        {
            var clientKey = Derive(client, isServer: false, type, node.PublicKey);
            var nodeKey = Derive(node, isServer: true, type, client.PublicKey);
            Assert.Equal(d.Str(keyName), KeyHex(clientKey));
            Assert.Equal(d.Str(keyName), KeyHex(nodeKey));
            AssertSealsAndOpens(clientKey, nodeKey, HelloWorld, d.Hex(nonceName), v.Hex(ciphertextName));
        }
    }

    // ---- channel_encryption[libsession-parser-1] ----

    public static TheoryData<int> ParserBodies => new(Enumerable.Range(0, OnionVectors.ChannelEncryption("libsession-parser-1").GetProperty("bodies").GetArrayLength()));

    [Theory]
    [MemberData(nameof(ParserBodies))]
    public void Parser_Body_DecryptsAndReplyRoundTrips(int index)
    {
        var v = OnionVectors.ChannelEncryption("libsession-parser-1");
        var body = v.GetProperty("bodies")[index];
        var type = body.EncType();
        using var node = X25519KeyPair.FromSecret(v.Hex("node_seckey_hex"));
        using var client = X25519KeyPair.FromSecret(v.Hex("client_seckey_hex"));
        Assert.Equal(v.Str("node_pubkey_hex"), Convert.ToHexStringLower(node.PublicKey));
        Assert.Equal(v.Str("client_pubkey_hex"), Convert.ToHexStringLower(client.PublicKey));

        // [u32le N][N bytes ciphertext][JSON]
        var raw = body.Hex("body_hex");
        var n = (int)BinaryPrimitives.ReadUInt32LittleEndian(raw);
        Assert.Equal(body.GetProperty("expected_ciphertext_len").GetInt32(), n);
        var ciphertext = raw.AsSpan(4, n).ToArray();
        var json = raw.AsSpan(4 + n);
        Assert.Equal(body.Str("expected_json_utf8"), Encoding.UTF8.GetString(json));

        using var meta = JsonDocument.Parse(json.ToArray());
        var ephemeral = Convert.FromHexString(meta.RootElement.GetProperty("ephemeral_key").GetString()!);
        Assert.True(EncryptionTypes.TryParse(meta.RootElement.GetProperty("enc_type").GetString(), out var metaType));
        Assert.Equal(type, metaType);

        var server = new ChannelEncryption(node, isServer: true);
        Assert.Equal(body.Utf8("expected_plaintext_utf8"), server.Decrypt(type, ciphertext, ephemeral));

        // Reply: the node seals with a fixed nonce; the client opens with a and B.
        var reply = body.Utf8("reply_plaintext_utf8");
        var generated = body.GetProperty("generated_reply");
        var expectedReply = generated.Hex("reply_hex");
        Assert.Equal(body.GetProperty("expected_reply_len").GetInt32(), expectedReply.Length);
        Assert.Equal(expectedReply.Length, reply.Length + EncryptionTypes.Overhead(type));

        Assert.Equal(expectedReply, server.Encrypt(type, reply, ephemeral, new FixedNonceSource(generated.Hex("nonce_hex"))));
        Assert.Equal(reply, new ChannelEncryption(client, isServer: false).Decrypt(type, expectedReply, node.PublicKey));

        // A random-nonce reply also decrypts and has the upstream length.
        var randomReply = server.Encrypt(type, reply, ephemeral);
        Assert.Equal(expectedReply.Length, randomReply.Length);
        Assert.Equal(reply, new ChannelEncryption(client, isServer: false).Decrypt(type, randomReply, node.PublicKey));
    }

    // ---- channel_encryption[oxenss-encrypt-1] ----

    [Fact]
    public void OxenssEncrypt_Generated_SharedSecretAndKeysMatch()
    {
        var v = OnionVectors.ChannelEncryption("oxenss-encrypt-1");
        var g = v.GetProperty("generated");
        using var alice = X25519KeyPair.FromSecret(v.Hex("alice_seckey_hex"));
        using var bob = X25519KeyPair.FromSecret(v.Hex("bob_seckey_hex"));
        Assert.Equal(v.Str("alice_pubkey_hex"), Convert.ToHexStringLower(alice.PublicKey));
        Assert.Equal(v.Str("bob_pubkey_hex"), Convert.ToHexStringLower(bob.PublicKey));

        var shared = new byte[32];
        Assert.True(alice.TryAgree(bob.PublicKey, shared));
        Assert.Equal(g.Str("x25519_shared_secret_hex"), Convert.ToHexStringLower(shared));
        Assert.Equal(g.Str("aes_cbc_key_hex"), Convert.ToHexStringLower(shared));

        Assert.Equal(g.Str("aes_gcm_key_hex"), KeyHex(Derive(alice, isServer: false, EncryptionType.AesGcm, bob.PublicKey)));
        Assert.Equal(g.Str("aes_gcm_key_hex"), KeyHex(Derive(bob, isServer: true, EncryptionType.AesGcm, alice.PublicKey)));

        Assert.Equal(g.Str("xchacha20_key_alice_client_bob_server_hex"), KeyHex(Derive(alice, isServer: false, EncryptionType.XChaCha20, bob.PublicKey)));
        Assert.Equal(g.Str("xchacha20_key_alice_client_bob_server_hex"), KeyHex(Derive(bob, isServer: true, EncryptionType.XChaCha20, alice.PublicKey)));
        Assert.Equal(g.Str("xchacha20_key_bob_client_alice_server_hex"), KeyHex(Derive(bob, isServer: false, EncryptionType.XChaCha20, alice.PublicKey)));
        Assert.Equal(g.Str("xchacha20_key_bob_client_alice_server_hex"), KeyHex(Derive(alice, isServer: true, EncryptionType.XChaCha20, bob.PublicKey)));
    }

    [Fact]
    public void OxenssEncrypt_ExpectedOverhead_MatchesEncryptionTypes()
    {
        var overhead = OnionVectors.ChannelEncryption("oxenss-encrypt-1").GetProperty("expected_overhead");
        Assert.Equal(overhead.GetProperty("aes-gcm").GetInt32(), EncryptionTypes.Overhead(EncryptionType.AesGcm));
        Assert.Equal(overhead.GetProperty("xchacha20").GetInt32(), EncryptionTypes.Overhead(EncryptionType.XChaCha20));
    }

    public static TheoryData<int> OxenssCiphertexts => new(Enumerable.Range(0, OnionVectors.ChannelEncryption("oxenss-encrypt-1").GetProperty("generated").GetProperty("ciphertexts").GetArrayLength()));

    [Theory]
    [MemberData(nameof(OxenssCiphertexts))]
    public void OxenssEncrypt_Ciphertext_ReproducesAndDecrypts(int index)
    {
        var v = OnionVectors.ChannelEncryption("oxenss-encrypt-1");
        var c = v.GetProperty("generated").GetProperty("ciphertexts")[index];
        using var alice = X25519KeyPair.FromSecret(v.Hex("alice_seckey_hex"));
        using var bob = X25519KeyPair.FromSecret(v.Hex("bob_seckey_hex"));
        var parties = new Dictionary<string, X25519KeyPair> { ["alice"] = alice, ["bob"] = bob };
        var sender = parties[c.Str("sender")];
        var receiver = parties[c.Str("receiver")];
        var plaintext = v.Utf8("plaintext_utf8");
        var nonce = c.Hex("nonce_or_iv_hex");
        var expected = c.Hex("ciphertext_hex");

        if (c.Str("enc_type") == "aes-cbc")
        {
            // Not a node encryption type any more (onion.md §3.6); the test-only helper keeps the vector alive.
            Assert.False(EncryptionTypes.TryParse("aes-cbc", out _));
            var shared = new byte[32];
            Assert.True(sender.TryAgree(receiver.PublicKey, shared));
            Assert.Equal(expected, LegacyAesCbc.Encrypt(shared, nonce, plaintext));
            Assert.Equal(v.GetProperty("expected_overhead").GetProperty("aes-cbc").GetInt32(), expected.Length - plaintext.Length);
            Assert.True(receiver.TryAgree(sender.PublicKey, shared));
            Assert.Equal(plaintext, LegacyAesCbc.Decrypt(shared, expected));
            return;
        }

        var type = c.EncType();
        var senderIsServer = c.Str("sender_role") == "server";
        var receiverIsServer = c.Str("receiver_role") == "server";
        var sealer = Derive(sender, senderIsServer, type, receiver.PublicKey);
        var opener = Derive(receiver, receiverIsServer, type, sender.PublicKey);
        AssertSealsAndOpens(sealer, opener, plaintext, nonce, expected);
        Assert.Equal(plaintext.Length + v.GetProperty("expected_overhead").GetProperty(c.Str("enc_type")).GetInt32(), expected.Length);

        if (type == EncryptionType.XChaCha20)
        {
            // Role-sensitive: the receiver taking the sender's role (both clients or both servers) must fail.
            var wrongRole = new ChannelEncryption(receiver, isServer: senderIsServer);
            Assert.False(wrongRole.TryDecrypt(type, expected, sender.PublicKey, out _));
        }
        else
        {
            // aes-gcm is not role sensitive.
            Assert.Equal(plaintext, new ChannelEncryption(receiver, isServer: senderIsServer).Decrypt(type, expected, sender.PublicKey));
        }
    }

    // ---- ed25519_to_x25519 ----

    public static TheoryData<string> Identities => new(
        OnionVectors.Root.GetProperty("ed25519_to_x25519").GetProperty("nodes").EnumerateArray().Select(n => n.Str("label")));

    [Theory]
    [MemberData(nameof(Identities))]
    public void NodeIdentity_Conversion_MatchesVector(string label)
    {
        var node = OnionVectors.NodeIdentity(label);
        using var ed = Ed25519KeyPair.FromSeed(node.Hex("ed25519_seed"));
        Assert.Equal(node.Str("ed25519_pubkey"), ed.PublicKeyHex);
        Assert.Equal(node.Str("ed25519_seckey_libsodium"), node.Str("ed25519_seed") + ed.PublicKeyHex);
        using (var fromSecretKey = Ed25519KeyPair.FromLibsodiumSecretKey(node.Hex("ed25519_seckey_libsodium")))
        {
            Assert.Equal(ed.PublicKeyHex, fromSecretKey.PublicKeyHex);
        }

        using var x = ed.ToX25519();
        var secret = new byte[32];
        x.CopySecretTo(secret);
        Assert.Equal(node.Str("x25519_seckey"), Convert.ToHexStringLower(secret));
        Assert.Equal(node.Str("x25519_pubkey"), Convert.ToHexStringLower(x.PublicKey));

        var converted = new byte[32];
        Assert.True(Ed25519.TryConvertPublicKeyToX25519(ed.PublicKey, converted));
        Assert.Equal(node.Str("x25519_pubkey"), Convert.ToHexStringLower(converted));
    }

    // ---- response_wrapping ----

    public static TheoryData<string> WrappingCases => new(
        OnionVectors.Root.GetProperty("response_wrapping").GetProperty("cases").EnumerateArray().Select(c => c.Str("id")));

    [Theory]
    [MemberData(nameof(WrappingCases))]
    public void ResponseWrapping_Ciphertext_ReproducesAndDecrypts(string id)
    {
        var section = OnionVectors.Root.GetProperty("response_wrapping");
        var c = section.GetProperty("cases").EnumerateArray().Single(e => e.Str("id") == id);
        var identity = OnionVectors.NodeIdentity(section.Str("node_label"));
        using var nodeEd = Ed25519KeyPair.FromSeed(identity.Hex("ed25519_seed"));
        using var node = nodeEd.ToX25519();
        var ephemeral = section.GetProperty("client_ephemeral");
        using var client = X25519KeyPair.FromSecret(ephemeral.Hex("seckey"));
        Assert.Equal(ephemeral.Str("pubkey"), Convert.ToHexStringLower(client.PublicKey));

        var type = c.EncType();
        var plaintext = c.Utf8("wrapped_plaintext_utf8");
        var expected = c.Hex("ciphertext_hex");
        Assert.Equal(c.Hex("nonce_hex"), expected[..EncryptionTypes.NonceSize(type)]);

        var server = new ChannelEncryption(node, isServer: true);
        Assert.Equal(expected, server.Encrypt(type, plaintext, client.PublicKey, new FixedNonceSource(c.Hex("nonce_hex"))));
        Assert.Equal(plaintext, new ChannelEncryption(client, isServer: false).Decrypt(type, expected, node.PublicKey));

        if (c.GetProperty("base64_flag").GetBoolean())
        {
            Assert.Equal(c.Str("http_body_utf8"), Convert.ToBase64String(expected));
        }
        else
        {
            Assert.Equal(c.Hex("http_body_hex"), expected);
        }
    }

    // ---- end_to_end (pure channel encryption parts: every layer and the response) ----

    public static TheoryData<string, int> EndToEndLayers
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var e in OnionVectors.Root.GetProperty("end_to_end").EnumerateArray())
            {
                for (var i = 0; i < e.GetProperty("client").GetProperty("layers").GetArrayLength(); i++)
                {
                    data.Add(e.Str("id"), i);
                }
            }

            return data;
        }
    }

    private static X25519KeyPair Recipient(JsonElement e2e, string label)
    {
        var keys = label == "server" ? e2e.GetProperty("server") : e2e.GetProperty("nodes").GetProperty(label);
        var pair = X25519KeyPair.FromSecret(keys.Hex("x25519_seckey"));
        Assert.Equal(keys.Str("x25519_pubkey"), Convert.ToHexStringLower(pair.PublicKey));
        if (keys.TryGetProperty("ed25519_seed", out _))
        {
            using var ed = Ed25519KeyPair.FromSeed(keys.Hex("ed25519_seed"));
            using var derived = ed.ToX25519();
            Assert.Equal(pair.PublicKey.ToArray(), derived.PublicKey.ToArray());
        }

        return pair;
    }

    [Theory]
    [MemberData(nameof(EndToEndLayers))]
    public void EndToEnd_Layer_ClientSealsAndRecipientOpens(string id, int index)
    {
        var e2e = OnionVectors.EndToEnd(id);
        var layer = e2e.GetProperty("client").GetProperty("layers")[index];
        using var recipient = Recipient(e2e, layer.Str("recipient"));
        var ephemeral = layer.GetProperty("ephemeral");
        using var client = X25519KeyPair.FromSecret(ephemeral.Hex("seckey"));
        Assert.Equal(ephemeral.Str("pubkey"), Convert.ToHexStringLower(client.PublicKey));

        var type = layer.EncType();
        var sealer = Derive(client, isServer: false, type, recipient.PublicKey);
        var opener = Derive(recipient, isServer: true, type, client.PublicKey);
        AssertSealsAndOpens(sealer, opener, layer.Hex("plaintext_hex"), layer.Hex("nonce_hex"), layer.Hex("ciphertext_hex"));
    }

    public static TheoryData<string> EndToEndIds => new(
        OnionVectors.Root.GetProperty("end_to_end").EnumerateArray().Select(e => e.Str("id")));

    [Theory]
    [MemberData(nameof(EndToEndIds))]
    public void EndToEnd_Response_ResponderSealsAndClientOpens(string id)
    {
        var e2e = OnionVectors.EndToEnd(id);
        var response = e2e.GetProperty("response");
        var layers = e2e.GetProperty("client").GetProperty("layers");
        var innermost = layers[layers.GetArrayLength() - 1];
        Assert.Equal(response.Str("encrypted_by"), innermost.Str("recipient"));
        Assert.Equal(response.Str("encrypted_to_ephemeral_pubkey_hex"), innermost.GetProperty("ephemeral").Str("pubkey"));

        using var responder = Recipient(e2e, response.Str("encrypted_by"));
        using var client = X25519KeyPair.FromSecret(innermost.GetProperty("ephemeral").Hex("seckey"));
        var plaintext = response.TryGetProperty("wrapped_plaintext_utf8", out _)
            ? response.Utf8("wrapped_plaintext_utf8")
            : response.Hex("bencoded_hex");

        var type = response.EncType();
        var sealer = Derive(responder, isServer: true, type, client.PublicKey);
        var opener = Derive(client, isServer: false, type, responder.PublicKey);
        AssertSealsAndOpens(sealer, opener, plaintext, response.Hex("nonce_hex"), response.Hex("ciphertext_hex"));
    }
}
