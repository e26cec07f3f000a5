using System.Text.Json;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>delete, delete_all and delete_before (client-rpc.md §9.5–§9.7).</summary>
public sealed class DeleteTests
{
    [Fact]
    public async Task Delete_ListedHashes_DeletedSortedAndSigned()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes());
        var b = await f.StoreOkAsync(user, Bytes(), new Namespace(2));
        var keep = await f.StoreOkAsync(user, Bytes());

        var result = await f.Client.DeleteAsync(user, [b, UnknownHash(), a], cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), entry.Deleted);
        Assert.True(entry.SignatureValid);
        f.AssertTime(f.Now, result.Timestamp);
        Assert.Equal(keep, Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages).Hash);
        Assert.Empty((await f.Client.RetrieveAsync(user, new Namespace(2), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Delete_OtherAccountsMessage_NotDeleted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var other = f.NewUser();
        var theirs = await f.StoreOkAsync(other, Bytes());

        var result = await f.Client.DeleteAsync(user, [theirs], cancellationToken: NodeFixture.Ct);

        Assert.Empty(Assert.Single(result.Swarm).Value.Deleted);
        Assert.True(result.SignaturesValid);
        Assert.Single((await f.Client.RetrieveAsync(other, cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Delete_RequiredAndNothingDeleted_404WithJsonBody()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Delete(user, [UnknownHash()], required: true);

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(404, response.StatusCode);
        var body = request.ParseResponse(response.Body);
        Assert.Empty(Assert.Single(body.Swarm).Value.Deleted);
        Assert.True(body.SignaturesValid);

        var e = await Assert.ThrowsAsync<SessionNodeRpcException>(() => f.Client.DeleteAsync(user, [UnknownHash()], required: true, NodeFixture.Ct));
        Assert.Equal(404, e.StatusCode);
    }

    [Fact]
    public async Task Delete_RequiredAndSomethingDeleted_200()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hash = await f.StoreOkAsync(user, Bytes());

        var result = await f.Client.DeleteAsync(user, [hash], required: true, NodeFixture.Ct);

        Assert.Equal([hash], Assert.Single(result.Swarm).Value.Deleted);
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Delete_NotRequiredNothingDeleted_200()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.DeleteAsync(user, [UnknownHash()], cancellationToken: NodeFixture.Ct);

        Assert.Empty(Assert.Single(result.Swarm).Value.Deleted);
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Delete_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hash = await f.StoreOkAsync(user, Bytes());

        await f.AssertFailsAsync(f.Requests.Delete(user, [hash]).WithBadSignature(), 401, "delete_msgs signature verification failed");
        Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Delete_NoHashes_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Delete(user, []), 400, "invalid request: messages does not contain any message hashes");
    }

    [Fact]
    public async Task Delete_MalformedHash_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Delete(user, ["tooshort"]), 400, "invalid request: invalid message hash: tooshort");
    }

    [Fact]
    public async Task DeleteAll_OneNamespace_DeletesOnlyThere()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var keep = await f.StoreOkAsync(user, Bytes());
        var x = await f.StoreOkAsync(user, Bytes(), new Namespace(2));
        var y = await f.StoreOkAsync(user, Bytes(), new Namespace(2));

        var result = await f.Client.DeleteAllAsync(user, new Namespace(2), cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal(new[] { x, y }.Order(StringComparer.Ordinal), entry.Deleted);
        Assert.Null(entry.DeletedByNamespace);
        Assert.True(entry.SignatureValid);
        Assert.Equal(keep, Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages).Hash);
        Assert.Empty((await f.Client.RetrieveAsync(user, new Namespace(2), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task DeleteAll_AllNamespaces_NamespaceMapAndGlobalSortSignature()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var h0 = await f.StoreOkAsync(user, Bytes());
        var h2 = await f.StoreOkAsync(user, Bytes(), new Namespace(2));
        var h2b = await f.StoreOkAsync(user, Bytes(), new Namespace(2));
        var hNeg = await f.StoreOkAsync(user, Bytes(), new Namespace(-35));

        var result = await f.Client.DeleteAllAsync(user, NamespaceScope.All, cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.True(entry.SignatureValid);
        var map = entry.DeletedByNamespace!;
        Assert.Equal(new short[] { -35, 0, 2 }, map.Keys.Order());
        Assert.Equal([h0], map[0]);
        Assert.Equal(new[] { h2, h2b }.Order(StringComparer.Ordinal), map[2]);
        Assert.Equal([hNeg], map[-35]);
        Assert.Empty((await f.Client.RetrieveAsync(user, new Namespace(2), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task DeleteAll_AllNamespacesNothingStored_EmptyMap()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.DeleteAll(user, NamespaceScope.All);

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        using var doc = JsonDocument.Parse(response.BodyText);
        var deleted = doc.RootElement.GetProperty("swarm").GetProperty(f.PublicKeyHex).GetProperty("deleted");
        Assert.Equal(JsonValueKind.Object, deleted.ValueKind);
        Assert.Empty(deleted.EnumerateObject());
        Assert.True(request.ParseResponse(response.Body).SignaturesValid);
    }

    [Fact]
    public async Task DeleteAll_DefaultNamespaceNothingStored_EmptyList()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.DeleteAllAsync(user, cancellationToken: NodeFixture.Ct);

        Assert.Empty(Assert.Single(result.Swarm).Value.Deleted);
        Assert.True(result.SignaturesValid);
    }

    [Theory]
    [InlineData(60_001)]
    [InlineData(-60_001)]
    public async Task DeleteAll_TimestampOutsideWindow_406(long offset)
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.DeleteAll(user, timestamp: f.Now + offset), 406, "delete_all timestamp too far from current time");
    }

    [Fact]
    public async Task DeleteAll_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.DeleteAll(user, NamespaceScope.All).WithBadSignature(), 401, "delete_all signature verification failed");
    }

    [Fact]
    public async Task DeleteAll_SignedForOtherNamespace_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.DeleteAll(user, new Namespace(2)).With("namespace", 3), 401, "delete_all signature verification failed");
    }

    [Fact]
    public async Task DeleteBefore_DeletesAtOrBeforeMessageTimestamp()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var t = f.Now;
        var old1 = await f.StoreOkAsync(user, Bytes(), timestamp: t - (3 * Second));
        var old2 = await f.StoreOkAsync(user, Bytes(), timestamp: t - (2 * Second));
        var recent = await f.StoreOkAsync(user, Bytes(), timestamp: t - Second);

        var result = await f.Client.DeleteBeforeAsync(user, t - (2 * Second), cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal(new[] { old1, old2 }.Order(StringComparer.Ordinal), entry.Deleted);
        Assert.True(entry.SignatureValid);
        Assert.Equal(recent, Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages).Hash);
    }

    [Fact]
    public async Task DeleteBefore_AllNamespaces_NamespaceMap()
    {
        NodeFixture.RequireFrozenClock("signs stores at exactly -60 s, the edge of the signature window");
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var t = f.Now;
        var a = await f.StoreOkAsync(user, Bytes(), timestamp: t - Minute);
        var b = await f.StoreOkAsync(user, Bytes(), new Namespace(4), timestamp: t - Minute);
        var keep = await f.StoreOkAsync(user, Bytes(), new Namespace(4), timestamp: t);

        var result = await f.Client.DeleteBeforeAsync(user, t - Second, NamespaceScope.All, NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.True(entry.SignatureValid);
        Assert.Equal([a], entry.DeletedByNamespace![0]);
        Assert.Equal([b], entry.DeletedByNamespace[4]);
        Assert.Equal(keep, Assert.Single((await f.Client.RetrieveAsync(user, new Namespace(4), cancellationToken: NodeFixture.Ct)).Messages).Hash);
    }

    [Fact]
    public async Task DeleteBefore_TooFarInFuture_401()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var ok = await f.Client.DeleteBeforeAsync(user, f.Now + 60_000, cancellationToken: NodeFixture.Ct);
        Assert.True(ok.SignaturesValid);

        await f.AssertFailsAsync(f.Requests.DeleteBefore(user, f.Now + 60_001), 401, "delete_before timestamp too far in the future");
    }

    [Fact]
    public async Task DeleteBefore_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.DeleteBefore(user, f.Now).WithBadSignature(), 401, "delete_before signature verification failed");
    }
}
