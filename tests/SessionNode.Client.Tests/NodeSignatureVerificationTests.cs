using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Client.Tests;

/// <summary>
/// Response parsing verifies the node signatures of the client-rpc.md §15 node entries, and rejects tampered
/// entries and signatures.
/// </summary>
public sealed class NodeSignatureVerificationTests
{
    private const string StoreSignature = "XBqS8jVJV4P0e3pusfYLF/pBJWywj/FS9i9qUXCByZVE1vkQI6QaZEbWIrhqcWOYBzUE4poTfPXCLae17xC3DA==";
    private const string DeleteSignature = "h0A0rzaDc9vuPM+6e2sbiYtVw9JC1jxI7QBKzhdA0CQx46HGihKg2poP92baHefvFCJEkQPd92krSGRyyBbFBA==";
    private const string DeleteAllSignature = "8KsDexQ8+/HSX28eGXEziaL/PTqjusJ51Atb4Ly5qvYdc5Sai/tnOAY0HGE/ux8X85KVvpjm0jRrue/nXjn1Dg==";
    private const string ExpireSignature = "LYWY1sVxTFZ9MKu89lnt68cK8/dkym+B27qQYVvPQZI4KjwqzPh3ucS1k9Yk9AjfhcTZcHKMpYmAJOmzxQh/BQ==";

    [Fact]
    public void Store_Section15_2_ResponseVerifies()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Store(user, Vectors.HelloSession, ttl: TimeSpan.FromDays(1), timestamp: 1_700_000_000_000);

        var result = request.ParseResponse(StoreBody(StoreSignature));

        Assert.Equal(Vectors.Hash0, result.ExpectedHash);
        Assert.True(result.HashMatches);
        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal(Vectors.NodeEd25519Hex, entry.NodePubkeyHex);
        Assert.Equal(1_700_086_400_000, entry.Expiry);
        Assert.Equal(1_700_000_000_012, entry.T);
        Assert.False(entry.Already);
        Assert.True(entry.SignatureValid);
        Assert.True(result.SignaturesValid);
        Assert.Equal(new HardFork(19, 4), result.HardFork);
        Assert.Equal(1_700_000_000_012, result.Timestamp);
    }

    [Fact]
    public void Store_TamperedSignature_Rejected()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Store(user, Vectors.HelloSession, ttl: TimeSpan.FromDays(1), timestamp: 1_700_000_000_000);

        var result = request.ParseResponse(StoreBody(Tamper(StoreSignature)));

        Assert.False(Assert.Single(result.Swarm).Value.SignatureValid);
        Assert.False(result.SignaturesValid);
    }

    [Fact]
    public void Store_SignatureOverOtherMessage_Rejected()
    {
        // A valid §15 node signature, but for a different message than the one this request stores.
        using var user = Vectors.User();
        var request = new RequestBuilder().Store(user, Vectors.ConfigBlob, ttl: TimeSpan.FromDays(1), timestamp: 1_700_000_000_000);

        var result = request.ParseResponse(StoreBody(StoreSignature));

        Assert.False(result.HashMatches);
        Assert.False(result.SignaturesValid);
    }

    [Fact]
    public void Delete_Section15_5_EntryVerifies()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Delete(user, [Vectors.Hash0]);

        var result = request.ParseResponse(Vectors.SwarmBody($$"""{"deleted":["{{Vectors.Hash0}}"],"signature":"{{DeleteSignature}}"}"""));

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal([Vectors.Hash0], entry.Deleted);
        Assert.True(entry.SignatureValid);
    }

    [Fact]
    public void Delete_TamperedDeletedList_Rejected()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Delete(user, [Vectors.Hash0]);

        // The node claims to have deleted nothing, but its signature covers the deletion.
        var result = request.ParseResponse(Vectors.SwarmBody($$"""{"deleted":[],"signature":"{{DeleteSignature}}"}"""));

        Assert.False(Assert.Single(result.Swarm).Value.SignatureValid);
    }

    [Fact]
    public void DeleteAll_Section15_6_NamespaceMapVerifiesWithGlobalSort()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().DeleteAll(user, NamespaceScope.All, timestamp: 1_700_000_005_000);

        var result = request.ParseResponse(Vectors.SwarmBody(
            $$"""{"deleted":{"0":["{{Vectors.Hash0}}"],"2":["{{Vectors.Hash2}}"]},"signature":"{{DeleteAllSignature}}"}"""));

        var entry = Assert.Single(result.Swarm).Value;
        Assert.True(entry.SignatureValid);
        Assert.Equal([Vectors.Hash2, Vectors.Hash0], entry.Deleted);
        Assert.NotNull(entry.DeletedByNamespace);
        Assert.Equal([Vectors.Hash0], entry.DeletedByNamespace![0]);
        Assert.Equal([Vectors.Hash2], entry.DeletedByNamespace[2]);
    }

    [Fact]
    public void DeleteAll_OtherTimestamp_Rejected()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().DeleteAll(user, NamespaceScope.All, timestamp: 1_700_000_005_001);

        var result = request.ParseResponse(Vectors.SwarmBody(
            $$"""{"deleted":{"0":["{{Vectors.Hash0}}"],"2":["{{Vectors.Hash2}}"]},"signature":"{{DeleteAllSignature}}"}"""));

        Assert.False(Assert.Single(result.Swarm).Value.SignatureValid);
    }

    [Fact]
    public void Expire_Section15_7_ExtendWithUnchangedVerifies()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Expire(user, [Vectors.Hash0, Vectors.Hash2], 1_700_172_800_000, ExpireMode.Extend);

        var result = request.ParseResponse(Vectors.SwarmBody(ExpireEntry(ExpireSignature, unchangedExpiry: 1_702_592_000_000)));

        var entry = Assert.Single(result.Swarm).Value;
        Assert.True(entry.SignatureValid);
        Assert.Equal(1_700_172_800_000, entry.Expiry);
        Assert.Equal([Vectors.Hash0], entry.Updated);
        Assert.Equal(1_702_592_000_000, entry.Unchanged![Vectors.Hash2]);
    }

    [Fact]
    public void Expire_TamperedUnchangedExpiry_Rejected()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Expire(user, [Vectors.Hash0, Vectors.Hash2], 1_700_172_800_000, ExpireMode.Extend);

        var result = request.ParseResponse(Vectors.SwarmBody(ExpireEntry(ExpireSignature, unchangedExpiry: 1_702_592_000_001)));

        Assert.False(Assert.Single(result.Swarm).Value.SignatureValid);
    }

    [Fact]
    public void Expire_MultiMode_ExpiryPartFollowsSortedUpdatedHashes()
    {
        // No §15 vector covers multi-expiry: sign the §6.8 bytes with the §15.1 node key.
        using var user = Vectors.User();
        using var node = Ed25519KeyPair.FromSeed(Bytes.Repeat(0x42, 32));
        var request = new RequestBuilder().Expire(user, [Vectors.Hash0, Vectors.Hash2], [1_700_100_000_000, 1_700_200_000_000]);

        // Updated is listed sorted (Hash2 < Hash0); the expiry part follows that order.
        var signed = NodeSignedMessages.Expire(
            user.Id,
            "1700200000000" + "1700100000000",
            [Vectors.Hash0, Vectors.Hash2],
            [Vectors.Hash2, Vectors.Hash0],
            []);
        var signature = Convert.ToBase64String(node.Sign(signed));
        var entry = $$"""{"expiry":[1700200000000,1700100000000],"updated":["{{Vectors.Hash2}}","{{Vectors.Hash0}}"],"signature":"{{signature}}"}""";

        var result = request.ParseResponse(Vectors.SwarmBody(entry));

        Assert.True(Assert.Single(result.Swarm).Value.SignatureValid);
        Assert.Equal([1_700_200_000_000, 1_700_100_000_000], result.Swarm.Single().Value.Expiries);
    }

    [Fact]
    public void Revoke_EntryVerifiesOverRawTokens()
    {
        using var group = SessionAccount.FromGroupSeed(Bytes.Repeat(0x03, 32));
        using var node = Ed25519KeyPair.FromSeed(Bytes.Repeat(0x42, 32));
        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes.Repeat(0x11, 32));
        var request = new RequestBuilder().RevokeSubaccount(group, [token], timestamp: 1_700_000_005_000);

        var good = Convert.ToBase64String(node.Sign(NodeSignedMessages.Revocation(group.Id, 1_700_000_005_000, [token])));
        var bad = Convert.ToBase64String(node.Sign(NodeSignedMessages.Revocation(group.Id, 1_700_000_005_001, [token])));

        Assert.True(request.ParseResponse(Vectors.SwarmBody($$"""{"signature":"{{good}}"}""")).SignaturesValid);
        Assert.False(request.ParseResponse(Vectors.SwarmBody($$"""{"signature":"{{bad}}"}""")).SignaturesValid);
        Assert.Equal(Convert.ToHexStringLower(token.Span), (string)request.Params["revoke"]![0]!);
    }

    [Fact]
    public void FailedPeerEntry_ParsedWithoutSignature()
    {
        using var user = Vectors.User();
        var request = new RequestBuilder().Delete(user, [Vectors.Hash0]);
        var body = System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"hf":[19,4],"swarm":{"{{{Vectors.NodeEd25519Hex}}}":{"deleted":["{{{Vectors.Hash0}}}"],"signature":"{{{DeleteSignature}}}"},"{{{new string('a', 64)}}}":{"failed":true,"code":"401","reason":"delete_msgs signature verification failed"},"{{{new string('b', 64)}}}":{"failed":1,"timeout":1}},"t":1}""");

        var result = request.ParseResponse(body);

        Assert.Equal(3, result.Swarm.Count);
        Assert.True(result.SignaturesValid);
        Assert.False(result.AllSucceeded);
        var failed = result.Swarm[new string('a', 64)];
        Assert.True(failed.Failed);
        Assert.Equal("401", failed.Code);
        Assert.Equal("delete_msgs signature verification failed", failed.Reason);
        Assert.True(result.Swarm[new string('b', 64)].Timeout);
    }

    /// <summary>The §15.2 response, verbatim apart from the signature.</summary>
    private static byte[] StoreBody(string signature) => System.Text.Encoding.UTF8.GetBytes(
        $$$"""{"hash":"{{{Vectors.Hash0}}}","hf":[19,4],"swarm":{"{{{Vectors.NodeEd25519Hex}}}":{"expiry":1700086400000,"hash":"{{{Vectors.Hash0}}}","signature":"{{{signature}}}","t":1700000000012}},"t":1700000000012}""");

    private static string ExpireEntry(string signature, long unchangedExpiry) =>
        $$"""{"expiry":1700172800000,"updated":["{{Vectors.Hash0}}"],"unchanged":{"{{Vectors.Hash2}}":{{unchangedExpiry}}},"signature":"{{signature}}"}""";

    /// <summary>Flips one bit of a base64 signature while keeping it well-formed.</summary>
    private static string Tamper(string signatureBase64)
    {
        var bytes = Convert.FromBase64String(signatureBase64);
        bytes[10] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }
}
