using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>expire, expire_all and get_expiries (client-rpc.md §9.8–§9.10).</summary>
public sealed class ExpireTests
{
    [Fact]
    public async Task Expire_SetMode_UpdatesAndSigns()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var b = await f.StoreOkAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1));
        var target = f.Now + Hour;

        var result = await f.Client.ExpireAsync(user, [a, b, UnknownHash()], target, cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), entry.Updated);
        Assert.Equal(target, entry.Expiry);
        Assert.Null(entry.Unchanged);
        Assert.True(entry.SignatureValid);
        var expiries = (await f.Client.GetExpiriesAsync(user, [a, b], cancellationToken: NodeFixture.Ct)).Expiries;
        Assert.Equal(target, expiries[a]);
        Assert.Equal(target, expiries[b]);
    }

    [Fact]
    public async Task Expire_SetModeToCurrentValue_StillCountsAsUpdated()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));

        var result = await f.Client.ExpireAsync(user, [a], f.Now + Day, cancellationToken: NodeFixture.Ct);

        Assert.Equal([a], Assert.Single(result.Swarm).Value.Updated);
        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Expire_Extend_OnlyRaisesAndReportsUnchanged()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var shortLived = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var longLived = await f.StoreOkAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(30));
        var target = f.Now + (2 * Day);

        var result = await f.Client.ExpireAsync(user, [shortLived, longLived], target, ExpireMode.Extend, NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal([shortLived], entry.Updated);
        Assert.Equal(target, entry.Expiry);
        f.AssertTime(f.Now + (30 * Day), Assert.Single(entry.Unchanged!, kv => kv.Key == longLived).Value);
        Assert.True(entry.SignatureValid);
    }

    [Fact]
    public async Task Expire_Shorten_OnlyLowersAndReportsUnchanged()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var shortLived = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromHours(1));
        var longLived = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var target = f.Now + (2 * Hour);

        var result = await f.Client.ExpireAsync(user, [shortLived, longLived], target, ExpireMode.Shorten, NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal([longLived], entry.Updated);
        f.AssertTime(f.Now + Hour, entry.Unchanged![shortLived]);
        Assert.True(entry.SignatureValid);
    }

    [Fact]
    public async Task Expire_ShortenNothingToDo_EmptyUnchangedMapStillSigned()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.ExpireAsync(user, [UnknownHash()], f.Now + Hour, ExpireMode.Shorten, NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Empty(entry.Updated);
        Assert.NotNull(entry.Unchanged);
        Assert.Empty(entry.Unchanged!);
        f.AssertTime(f.Now + Hour, entry.Expiry);
        Assert.True(entry.SignatureValid);
    }

    [Fact]
    public async Task Expire_MultipleExpiries_PerMessageAndSigned()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var b = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var ea = f.Now + Hour;
        var eb = f.Now + (2 * Hour);

        var result = await f.Client.ExpireAsync(user, [a, b], [ea, eb], cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.True(entry.SignatureValid);
        Assert.Null(entry.Expiry);
        var byHash = entry.Updated.Zip(entry.Expiries!).ToDictionary(x => x.First, x => x.Second);
        Assert.Equal(ea, byHash[a]);
        Assert.Equal(eb, byHash[b]);
        var expiries = (await f.Client.GetExpiriesAsync(user, [a, b], cancellationToken: NodeFixture.Ct)).Expiries;
        Assert.Equal(ea, expiries[a]);
        Assert.Equal(eb, expiries[b]);
    }

    [Fact]
    public async Task Expire_OneElementArray_IsSingleMode()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var b = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));

        var result = await f.Client.ExpireAsync(user, [a, b], [f.Now + Hour], cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        f.AssertTime(f.Now + Hour, entry.Expiry);
        Assert.Equal(2, entry.Updated.Count);
        Assert.True(entry.SignatureValid);
    }

    [Fact]
    public async Task Expire_BeyondThirtyDays_Clamped()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1));

        var result = await f.Client.ExpireAsync(user, [a], f.Now + (40 * Day), cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        f.AssertTime(f.Now + (30 * Day), entry.Expiry);
        Assert.True(entry.SignatureValid);
        f.AssertTime(f.Now + (30 * Day), (await f.Client.GetExpiriesAsync(user, [a], cancellationToken: NodeFixture.Ct)).Expiries[a]);
    }

    [Fact]
    public async Task Expire_TimestampInPast_401()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes());

        var ok = await f.Client.SendRawAsync(f.Requests.Expire(user, [a], f.Now - 60_000), NodeFixture.Ct);
        Assert.Equal(200, ok.StatusCode);

        await f.AssertFailsAsync(f.Requests.Expire(user, [a], f.Now - 60_001), 401, "expire: timestamp should be >= current time");
    }

    [Fact]
    public async Task Expire_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes());

        await f.AssertFailsAsync(f.Requests.Expire(user, [a], f.Now + Hour).WithBadSignature(), 401, "expire: signature verification failed");
    }

    [Fact]
    public async Task Expire_ModeChangedAfterSigning_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes());

        await f.AssertFailsAsync(f.Requests.Expire(user, [a], f.Now + Hour).With("extend", true), 401, "expire: signature verification failed");
    }

    [Fact]
    public async Task Expire_ShortenAndExtend_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Expire(user, [UnknownHash()], f.Now + Hour, ExpireMode.Shorten).With("extend", true),
            400,
            "invalid request: cannot specify both 'shorten' and 'extend'");
    }

    [Fact]
    public async Task Expire_ExpiryCountMismatch_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Expire(user, [UnknownHash(), UnknownHash(), UnknownHash()], [f.Now + Hour, f.Now + Hour]),
            400,
            "invalid request: 'expiry' must be a single expiry, or the same length as 'messages'");
    }

    [Fact]
    public async Task Expire_EmptyExpiryList_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Expire(user, [UnknownHash()], f.Now + Hour).With("expiry", new System.Text.Json.Nodes.JsonArray()),
            400,
            "invalid request: 'expiry' does not contain any expiration timestamps");
    }

    [Fact]
    public async Task Expire_NoHashes_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Expire(user, [], f.Now + Hour), 400, "invalid request: messages does not contain any message hashes");
    }

    [Fact]
    public async Task Expire_MultiExpiryBeforeHardFork19_4_403()
    {
        await using var f = await NodeFixture.StartAsync(new Dictionary<string, string?> { ["Rpc:HardForkMinor"] = "3" });
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes());
        var b = await f.StoreOkAsync(user, Bytes());

        await f.AssertFailsAsync(
            f.Requests.Expire(user, [a, b], [f.Now + Hour, f.Now + Hour]),
            403,
            "expire: multi-expiry requests are not yet active on the network");
        var single = await f.Client.ExpireAsync(user, [a, b], f.Now + Hour, cancellationToken: NodeFixture.Ct);
        Assert.True(single.SignaturesValid);
    }

    [Fact]
    public async Task ExpireAll_OneNamespace_ShortensOnlyLongerOnes()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var shortLived = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromMinutes(10));
        var longLived = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var otherNs = await f.StoreOkAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1));
        var target = f.Now + Hour;

        var result = await f.Client.ExpireAllAsync(user, target, cancellationToken: NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.Equal([longLived], entry.Updated);
        Assert.True(entry.SignatureValid);
        var expiries = (await f.Client.GetExpiriesAsync(user, [shortLived, longLived, otherNs], cancellationToken: NodeFixture.Ct)).Expiries;
        f.AssertTime(f.Now + (10 * Minute), expiries[shortLived]);
        Assert.Equal(target, expiries[longLived]);
        f.AssertTime(f.Now + Day, expiries[otherNs]);
    }

    [Fact]
    public async Task ExpireAll_AllNamespaces_NamespaceMapAndSigned()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var b = await f.StoreOkAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1));
        var c = await f.StoreOkAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1));

        var result = await f.Client.ExpireAllAsync(user, f.Now + Hour, NamespaceScope.All, NodeFixture.Ct);

        var entry = Assert.Single(result.Swarm).Value;
        Assert.True(entry.SignatureValid);
        Assert.Equal([a], entry.UpdatedByNamespace![0]);
        Assert.Equal(new[] { b, c }.Order(StringComparer.Ordinal), entry.UpdatedByNamespace[2]);
    }

    [Fact]
    public async Task ExpireAll_ExpiryInPast_406()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var ok = await f.Client.ExpireAllAsync(user, f.Now - 60_000, cancellationToken: NodeFixture.Ct);
        Assert.True(ok.SignaturesValid);

        await f.AssertFailsAsync(f.Requests.ExpireAll(user, f.Now - 60_001), 406, "expire_all timestamp should be >= current time");
    }

    [Fact]
    public async Task ExpireAll_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.ExpireAll(user, f.Now + Hour, NamespaceScope.All).WithBadSignature(), 401, "expire_all signature verification failed");
    }

    [Fact]
    public async Task GetExpiries_ReturnsOnlyOwnExistingHashesAcrossNamespaces()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var other = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromDays(1));
        var b = await f.StoreOkAsync(user, Bytes(), new Namespace(-35), ttl: TimeSpan.FromHours(1));
        var theirs = await f.StoreOkAsync(other, Bytes());

        var result = await f.Client.GetExpiriesAsync(user, [a, b, theirs, "not-a-hash"], cancellationToken: NodeFixture.Ct);

        Assert.Equal(2, result.Expiries.Count);
        f.AssertTime(f.Now + Day, result.Expiries[a]);
        f.AssertTime(f.Now + Hour, result.Expiries[b]);
    }

    [Fact]
    public async Task GetExpiries_TimestampOutsideWindow_406()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.GetExpiries(user, [UnknownHash()], f.Now - 60_001), 406, "get_expiries timestamp too far from current time");
    }

    [Fact]
    public async Task GetExpiries_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.GetExpiries(user, [UnknownHash()]).WithBadSignature(), 401, "get_expiries signature verification failed");
    }

    [Fact]
    public async Task GetExpiries_ResponseHasNoTimeOrHardFork()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var response = await f.Client.SendRawAsync(f.Requests.GetExpiries(user, [UnknownHash()]), NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("""{"expiries":{}}""", response.BodyText);
    }
}
