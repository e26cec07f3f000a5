using System.Text.Json.Nodes;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>Subaccounts, permissions and revocation (client-rpc.md §6.4–§6.6, §9.11, §9.12).</summary>
public sealed class SubaccountTests
{
    private const SubaccountFlags ReadWrite = SubaccountFlags.Read | SubaccountFlags.Write;

    [Fact]
    public async Task Revoke_MemberLosesAccess_UnrevokeRestoresIt()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);
        var hash = await f.StoreOkAsync(group, Bytes(), new Namespace(11));
        var before = await f.Client.RetrieveAsync(member, new Namespace(11), cancellationToken: NodeFixture.Ct);
        Assert.Equal(hash, Assert.Single(before.Messages).Hash);

        var revoked = await f.Client.RevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: NodeFixture.Ct);

        Assert.True(revoked.SignaturesValid);
        Assert.Equal(f.PublicKeyHex, Assert.Single(revoked.Swarm).Key);
        await f.AssertFailsAsync(f.Requests.Retrieve(member, new Namespace(11)), 401, "retrieve signature verification failed");
        await f.AssertFailsAsync(f.Requests.Store(member, Bytes(), new Namespace(11)), 401, "store signature verification failed");

        var unrevoked = await f.Client.UnrevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: NodeFixture.Ct);

        Assert.True(unrevoked.SignaturesValid);
        Assert.Equal(1, Assert.Single(unrevoked.Swarm).Value.Count);
        var after = await f.Client.RetrieveAsync(member, new Namespace(11), cancellationToken: NodeFixture.Ct);
        Assert.Equal(hash, Assert.Single(after.Messages).Hash);
    }

    [Fact]
    public async Task Revoke_UnrevocableNamespace_RevokedMemberMayStillRetrieve()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);
        var hash = await f.StoreOkAsync(group, Bytes(), new Namespace(-11));
        await f.Client.RevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: NodeFixture.Ct);

        var page = await f.Client.RetrieveAsync(member, new Namespace(-11), cancellationToken: NodeFixture.Ct);

        Assert.Equal(hash, Assert.Single(page.Messages).Hash);
        var other = await f.StoreOkAsync(group, Bytes(), new Namespace(-111));
        Assert.Equal(other, Assert.Single((await f.Client.RetrieveAsync(member, new Namespace(-111), cancellationToken: NodeFixture.Ct)).Messages).Hash);
        await f.AssertFailsAsync(f.Requests.Retrieve(member, new Namespace(-12)), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Revoke_BeforeAnyMessageStored_StillApplies()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);

        await f.Client.RevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: NodeFixture.Ct);
        await f.StoreOkAsync(group, Bytes(), new Namespace(11));

        await f.AssertFailsAsync(f.Requests.Retrieve(member, new Namespace(11)), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Revoke_MatchesWholeTokenIncludingFlags()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var seed = Bytes(32);
        using var readWrite = group.CreateSubaccount(ReadWrite, seed);
        using var full = group.CreateSubaccount(ReadWrite | SubaccountFlags.Delete, seed);
        await f.StoreOkAsync(group, Bytes(), new Namespace(11));

        await f.Client.RevokeSubaccountAsync(group, [readWrite.Subaccount!], cancellationToken: NodeFixture.Ct);

        await f.AssertFailsAsync(f.Requests.Retrieve(readWrite, new Namespace(11)), 401, "retrieve signature verification failed");
        Assert.Single((await f.Client.RetrieveAsync(full, new Namespace(11), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Revoke_FiftyFirstRevocation_DropsTheOldest()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var oldest = f.NewMember(group, ReadWrite);
        await f.StoreOkAsync(group, Bytes(), new Namespace(11));
        await f.Client.RevokeSubaccountAsync(group, [oldest.Subaccount!], cancellationToken: NodeFixture.Ct);
        var others = Enumerable.Range(0, 49).Select(_ => SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes(32))).ToList();
        await f.Client.RevokeSubaccountAsync(group, others, cancellationToken: NodeFixture.Ct);
        await f.AssertFailsAsync(f.Requests.Retrieve(oldest, new Namespace(11)), 401, "retrieve signature verification failed");

        await f.Client.RevokeSubaccountAsync(group, [SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes(32))], cancellationToken: NodeFixture.Ct);

        Assert.Single((await f.Client.RetrieveAsync(oldest, new Namespace(11), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Revoke_ReRevoking_RefreshesTheEntry()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var refreshed = f.NewMember(group, ReadWrite);
        var dropped = f.NewMember(group, ReadWrite);
        await f.StoreOkAsync(group, Bytes(), new Namespace(11));
        await f.Client.RevokeSubaccountAsync(group, [refreshed.Subaccount!], cancellationToken: NodeFixture.Ct);
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await f.Client.RevokeSubaccountAsync(group, [dropped.Subaccount!], cancellationToken: NodeFixture.Ct);
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var filler = Enumerable.Range(0, 48).Select(_ => SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes(32))).ToList();
        await f.Client.RevokeSubaccountAsync(group, filler, cancellationToken: NodeFixture.Ct);
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));

        // Re-revoking moves it to most recent, so the next addition drops 'dropped' instead.
        await f.Client.RevokeSubaccountAsync(group, [refreshed.Subaccount!], cancellationToken: NodeFixture.Ct);
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await f.Client.RevokeSubaccountAsync(group, [SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes(32))], cancellationToken: NodeFixture.Ct);

        await f.AssertFailsAsync(f.Requests.Retrieve(refreshed, new Namespace(11)), 401, "retrieve signature verification failed");
        Assert.Single((await f.Client.RetrieveAsync(dropped, new Namespace(11), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Unrevoke_NotRevoked_CountZero()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);

        var result = await f.Client.UnrevokeSubaccountAsync(group, [member.Subaccount!], cancellationToken: NodeFixture.Ct);

        Assert.Equal(0, Assert.Single(result.Swarm).Value.Count);
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Revoke_TimestampOutsideWindow_406()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);

        await f.AssertFailsAsync(f.Requests.RevokeSubaccount(group, [member.Subaccount!], f.Now + 60_001), 406, "revoke_subaccount timestamp too far from current time");
        await f.AssertFailsAsync(f.Requests.UnrevokeSubaccount(group, [member.Subaccount!], f.Now - 60_001), 406, "unrevoke_subaccount timestamp too far from current time");
    }

    [Fact]
    public async Task Revoke_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);

        await f.AssertFailsAsync(f.Requests.RevokeSubaccount(group, [member.Subaccount!]).WithBadSignature(), 401, "revoke_subaccount signature verification failed");
        await f.AssertFailsAsync(f.Requests.UnrevokeSubaccount(group, [member.Subaccount!]).WithBadSignature(), 401, "unrevoke_subaccount signature verification failed");
    }

    [Fact]
    public async Task Revoke_ByMemberKey_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite | SubaccountFlags.Delete);
        var request = f.Requests.RevokeSubaccount(member, [member.Subaccount!]);
        request.Params["subaccount"] = Convert.ToBase64String(member.Subaccount!.Span);
        request.Params["subaccount_sig"] = Convert.ToBase64String(member.SubaccountSignature);

        await f.AssertFailsAsync(request, 401, "revoke_subaccount signature verification failed");
    }

    [Fact]
    public async Task Revoke_MoreThanFifty_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var tokens = Enumerable.Range(0, 51).Select(_ => SubaccountToken.Create(0x03, SubaccountFlags.Read, Bytes(32))).ToList();

        await f.AssertFailsAsync(f.Requests.RevokeSubaccount(group, tokens), 400, "invalid request: invalid revoke: cannot revoke more than 50 subaccounts at once");
        Assert.True((await f.Client.RevokeSubaccountAsync(group, tokens[..50], cancellationToken: NodeFixture.Ct)).SignaturesValid);
    }

    [Fact]
    public async Task Revoke_TokenAsBase64_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, ReadWrite);
        await f.StoreOkAsync(group, Bytes(), new Namespace(11));
        var request = f.Requests.RevokeSubaccount(group, [member.Subaccount!]);
        request.Params["revoke"] = new JsonArray(Convert.ToBase64String(member.Subaccount!.Span));

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.True(request.ParseResponse(response.Body).SignaturesValid);
        await f.AssertFailsAsync(f.Requests.Retrieve(member, new Namespace(11)), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Revoke_MalformedToken_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var request = f.Requests.RevokeSubaccount(group, []);
        request.Params["revoke"] = new JsonArray("abcd");

        await f.AssertFailsAsync(request, 400, "invalid request: invalid revoke: expected base64 or hex-encoded subaccount tag");
    }

    [Theory]
    [InlineData(SubaccountFlags.Read, "retrieve", 200)]
    [InlineData(SubaccountFlags.Write, "retrieve", 401)]
    [InlineData(SubaccountFlags.Write, "store", 200)]
    [InlineData(SubaccountFlags.Read, "store", 401)]
    [InlineData(SubaccountFlags.Write, "store_outbox", 401)]
    [InlineData(SubaccountFlags.Write | SubaccountFlags.Delete, "store_outbox", 200)]
    [InlineData(SubaccountFlags.Delete, "delete", 200)]
    [InlineData(ReadWrite, "delete", 401)]
    [InlineData(SubaccountFlags.Delete, "delete_all", 200)]
    [InlineData(ReadWrite, "delete_all", 401)]
    [InlineData(SubaccountFlags.Delete, "delete_before", 200)]
    [InlineData(ReadWrite, "delete_before", 401)]
    [InlineData(SubaccountFlags.Delete, "expire_all", 200)]
    [InlineData(ReadWrite, "expire_all", 401)]
    [InlineData(SubaccountFlags.Write, "expire", 200)]
    [InlineData(SubaccountFlags.Read, "expire", 401)]
    [InlineData(SubaccountFlags.Read, "get_expiries", 200)]
    [InlineData(SubaccountFlags.Write, "get_expiries", 401)]
    public async Task Permissions_EachEndpointChecksItsFlags(SubaccountFlags flags, string operation, int status)
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, flags);
        var hash = await f.StoreOkAsync(group, Bytes(), new Namespace(11));
        RpcRequest request = operation switch
        {
            "retrieve" => f.Requests.Retrieve(member, new Namespace(11)),
            "store" => f.Requests.Store(member, Bytes(), new Namespace(11)),
            "store_outbox" => f.Requests.Store(member, Bytes(), new Namespace(-21)),
            "delete" => f.Requests.Delete(member, [hash]),
            "delete_all" => f.Requests.DeleteAll(member, new Namespace(11)),
            "delete_before" => f.Requests.DeleteBefore(member, f.Now, new Namespace(11)),
            "expire_all" => f.Requests.ExpireAll(member, f.Now + Hour, new Namespace(11)),
            "expire" => f.Requests.Expire(member, [hash], f.Now + Day),
            "get_expiries" => f.Requests.GetExpiries(member, [hash]),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(status, response.StatusCode);
        if (status == 401)
        {
            var ep = operation switch
            {
                "store_outbox" => "store signature verification failed",
                "delete" => "delete_msgs signature verification failed",
                "expire" => "expire: signature verification failed",
                _ => $"{operation} signature verification failed",
            };
            Assert.Equal(ep, response.BodyText);
        }
    }

    [Fact]
    public async Task Permissions_DeleteBySubaccount_SignedByNode()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, SubaccountFlags.Delete);
        var hash = await f.StoreOkAsync(group, Bytes(), new Namespace(11));

        var result = await f.Client.DeleteAsync(member, [hash], cancellationToken: NodeFixture.Ct);

        Assert.Equal([hash], Assert.Single(result.Swarm).Value.Deleted);
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Expire_WriteOnlyMemberShorten_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, SubaccountFlags.Write);
        var hash = await f.StoreOkAsync(group, Bytes(), new Namespace(11), ttl: TimeSpan.FromDays(1));

        await f.AssertFailsAsync(
            f.Requests.Expire(member, [hash], f.Now + Hour, ExpireMode.Shorten),
            400,
            "expire: shorten parameter cannot be used with this subaccount token (missing delete access)");
    }

    [Fact]
    public async Task Expire_WriteOnlyMember_ForcedToExtendOnly()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, SubaccountFlags.Write);
        var hash = await f.StoreOkAsync(group, Bytes(), new Namespace(11), ttl: TimeSpan.FromDays(1));

        var lower = await f.Client.ExpireAsync(member, [hash], f.Now + Hour, cancellationToken: NodeFixture.Ct);
        var higher = await f.Client.ExpireAsync(member, [hash], f.Now + (2 * Day), cancellationToken: NodeFixture.Ct);

        Assert.Empty(Assert.Single(lower.Swarm).Value.Updated);
        Assert.True(lower.SignaturesValid);
        Assert.Equal([hash], Assert.Single(higher.Swarm).Value.Updated);
        Assert.True(higher.SignaturesValid);
        f.AssertTime(f.Now + (2 * Day), (await f.Client.GetExpiriesAsync(group, [hash], cancellationToken: NodeFixture.Ct)).Expiries[hash]);
    }

    [Fact]
    public async Task Token_PrefixMismatch_401_AnyPrefix_200()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var wrongPrefix = f.NewMember(group, SubaccountFlags.Read, tokenPrefix: 0x05);
        var anyPrefix = f.NewMember(group, SubaccountFlags.Read | SubaccountFlags.AnyPrefix, tokenPrefix: 0x05);
        await f.StoreOkAsync(group, Bytes(), new Namespace(11));

        await f.AssertFailsAsync(f.Requests.Retrieve(wrongPrefix, new Namespace(11)), 401, "retrieve signature verification failed");
        Assert.Single((await f.Client.RetrieveAsync(anyPrefix, new Namespace(11), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Token_SignedByWrongKey_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var otherGroup = f.NewGroup();
        var seed = Bytes(32);
        using var memberKey = SessionAccount.FromSeed(0, seed);
        var grant = otherGroup.IssueSubaccount(SubaccountFlags.Read, memberKey.SigningPublicKey, tokenPrefix: 0x03);
        using var member = SessionAccount.ForSubaccount(group.Id, grant.Token, grant.Signature.Span, seed);

        await f.AssertFailsAsync(f.Requests.Retrieve(member, new Namespace(11)), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Subaccount_SessionIdOwner_UsesOwnersEd25519Key()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var member = f.NewMember(user, SubaccountFlags.Read);
        var hash = await f.StoreOkAsync(user, Bytes(), new Namespace(2));

        Assert.Equal(user.PubkeyEd25519Hex, member.PubkeyEd25519Hex);
        var page = await f.Client.RetrieveAsync(member, new Namespace(2), cancellationToken: NodeFixture.Ct);

        Assert.Equal(hash, Assert.Single(page.Messages).Hash);
    }

    [Fact]
    public async Task Subaccount_WithoutSubaccountSig_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, SubaccountFlags.Read);

        await f.AssertFailsAsync(
            f.Requests.Retrieve(member, new Namespace(11)).With("subaccount_sig", null),
            400,
            "invalid request: invalid subaccount: subaccount_sig is required when using subaccount");
    }

    [Fact]
    public async Task Subaccount_MalformedToken_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, SubaccountFlags.Read);

        await f.AssertFailsAsync(
            f.Requests.Retrieve(member, new Namespace(11)).With("subaccount", "abcd"),
            400,
            "invalid request: invalid subaccount: expected base64 or hex-encoded subaccount token");
    }

    [Fact]
    public async Task Subaccount_MalformedSubaccountSig_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();
        var member = f.NewMember(group, SubaccountFlags.Read);

        await f.AssertFailsAsync(
            f.Requests.Retrieve(member, new Namespace(11)).With("subaccount_sig", "abcd"),
            400,
            "invalid request: invalid subaccount signature: expected base64 encoded Ed25519 signature");
    }
}
