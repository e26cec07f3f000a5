using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>store (client-rpc.md §9.1) and its error paths (§6.7, §14).</summary>
public sealed class StoreTests
{
    [Fact]
    public async Task Store_PublicInboxUnsigned_StoredAndSigned()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var data = Bytes();

        var result = await f.Client.StoreAsync(user.Id, data, ttl: TimeSpan.FromDays(1), cancellationToken: NodeFixture.Ct);

        Assert.Equal(result.ExpectedHash, result.Hash);
        var (key, entry) = Assert.Single(result.Swarm);
        Assert.Equal(f.PublicKeyHex, key);
        Assert.False(entry.Failed);
        Assert.Equal(result.ExpectedHash, entry.Hash);
        f.AssertTime(f.Now + Day, entry.Expiry);
        Assert.False(entry.Already);
        Assert.True(entry.SignatureValid);
        f.AssertTime(f.Now, result.Timestamp);
        Assert.Equal(new HardFork(19, 4), result.HardFork);

        var page = await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct);
        var message = Assert.Single(page.Messages);
        Assert.Equal(result.ExpectedHash, message.Hash);
        f.AssertTime(f.Now, message.Timestamp);
        f.AssertTime(f.Now + Day, message.Expiry);
        Assert.Equal(data, message.Data.ToArray());
    }

    [Fact]
    public async Task Store_ToSomeoneElsesInbox_NoKeysNeeded()
    {
        await using var f = await NodeFixture.StartAsync();
        var recipient = f.NewUser();

        var result = await f.Client.StoreAsync(recipient.Id, Bytes(), new Namespace(-10), cancellationToken: NodeFixture.Ct);

        Assert.True(result.SignaturesValid);
        var page = await f.Client.RetrieveAsync(recipient.Id, new Namespace(-10), cancellationToken: NodeFixture.Ct);
        Assert.Equal(result.ExpectedHash, Assert.Single(page.Messages).Hash);
    }

    [Fact]
    public async Task Store_Duplicate_ReportsAlreadyWithSameHash()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var data = Bytes();
        var first = await f.Client.StoreAsync(user, data, ttl: TimeSpan.FromDays(1), cancellationToken: NodeFixture.Ct);

        var second = await f.Client.StoreAsync(user, data, ttl: TimeSpan.FromDays(1), timestamp: f.Now, cancellationToken: NodeFixture.Ct);

        Assert.Equal(first.Hash, second.Hash);
        var entry = Assert.Single(second.Swarm).Value;
        Assert.True(entry.Already);
        Assert.True(entry.SignatureValid);
        Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Store_DuplicateWithLaterExpiry_RaisesExpiryOnly()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var data = Bytes();
        var t0 = f.Now;
        await f.StoreOkAsync(user, data, ttl: TimeSpan.FromDays(1), timestamp: t0);

        var later = await f.Client.StoreAsync(user, data, expiry: t0 + (2 * Day), timestamp: t0, ttl: null, cancellationToken: NodeFixture.Ct);
        var earlier = await f.Client.StoreAsync(user, data, ttl: TimeSpan.FromHours(1), timestamp: t0, cancellationToken: NodeFixture.Ct);

        Assert.Equal(t0 + (2 * Day), Assert.Single(later.Swarm).Value.Expiry);
        Assert.True(Assert.Single(earlier.Swarm).Value.Already);
        Assert.Equal(t0 + (2 * Day), Assert.Single(earlier.Swarm).Value.Expiry);
        var message = Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages);
        Assert.Equal(t0 + (2 * Day), message.Expiry);
        Assert.Equal(t0, message.Timestamp);
    }

    [Fact]
    public async Task Store_PrivateNamespaceSigned_Stored()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.StoreAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(30), cancellationToken: NodeFixture.Ct);

        Assert.True(result.SignaturesValid);
        f.AssertTime(f.Now + (30 * Day), Assert.Single(result.Swarm).Value.Expiry);
        Assert.Single((await f.Client.RetrieveAsync(user, new Namespace(2), cancellationToken: NodeFixture.Ct)).Messages);
        Assert.Empty((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Store_GroupAccountSigned_Stored()
    {
        await using var f = await NodeFixture.StartAsync();
        var group = f.NewGroup();

        var result = await f.Client.StoreAsync(group, Bytes(), new Namespace(11), cancellationToken: NodeFixture.Ct);

        Assert.True(result.SignaturesValid);
        Assert.Single((await f.Client.RetrieveAsync(group, new Namespace(11), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Fact]
    public async Task Store_AnyPrefixAccountSigned_Stored()
    {
        await using var f = await NodeFixture.StartAsync();
        using var account = SessionAccount.FromSeed(0x07, Bytes(32));

        var result = await f.Client.StoreAsync(account, Bytes(), new Namespace(5), cancellationToken: NodeFixture.Ct);

        Assert.True(result.SignaturesValid);
        Assert.Single((await f.Client.RetrieveAsync(account, new Namespace(5), cancellationToken: NodeFixture.Ct)).Messages);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-35)]
    public async Task Store_PrivateNamespaceUnsigned_401(short ns)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes(), new Namespace(ns), sign: false), 401, $"store: signature required to store to namespace {ns}");
    }

    [Fact]
    public async Task Store_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes(), new Namespace(2)).WithBadSignature(), 401, "store signature verification failed");
    }

    [Fact]
    public async Task Store_SignedByOtherAccount_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var other = f.NewUser();
        var request = f.Requests.Store(other, Bytes(), new Namespace(2)).With("pubkey", user.PubkeyHex);

        await f.AssertFailsAsync(request, 401, "store signature verification failed");
    }

    [Fact]
    public async Task Store_SessionIdWithoutPubkeyEd25519_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes(), new Namespace(2)).With("pubkey_ed25519", null), 401, "store signature verification failed");
    }

    [Fact]
    public async Task Store_PublicInboxWithBadSignature_SignatureNotChecked()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var response = await f.Client.SendRawAsync(f.Requests.Store(user, Bytes(), sign: true).WithBadSignature(), NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
    }

    [Theory]
    [InlineData(0, 10_000, true)]
    [InlineData(0, 9_999, false)]
    [InlineData(0, 1_209_600_000, true)]
    [InlineData(0, 1_209_600_001, false)]
    [InlineData(-10, 1_209_600_001, false)]
    [InlineData(2, 2_592_000_000, true)]
    [InlineData(2, 2_592_000_001, false)]
    [InlineData(2, 9_999, false)]
    public async Task Store_TtlLimits_403OutsideRange(short ns, long ttlMs, bool accepted)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Store(user, Bytes(), new Namespace(ns), ttl: TimeSpan.FromMilliseconds(ttlMs));

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        if (accepted)
        {
            Assert.Equal(200, response.StatusCode);
            Assert.True(request.ParseResponse(response.Body).SignaturesValid);
        }
        else
        {
            Assert.Equal(403, response.StatusCode);
            Assert.Equal("Provided expiry/TTL is not valid.", response.BodyText);
        }
    }

    [Fact]
    public async Task Store_ExpiryInsteadOfTtl_UsesAbsoluteExpiry()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.StoreAsync(user, Bytes(), expiry: f.Now + Hour, cancellationToken: NodeFixture.Ct);

        f.AssertTime(f.Now + Hour, Assert.Single(result.Swarm).Value.Expiry);
    }

    [Fact]
    public async Task Store_TimestampTooFarInFuture_406()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var ok = await f.Client.SendRawAsync(f.Requests.Store(user, Bytes(), timestamp: f.Now + 10_000), NodeFixture.Ct);
        Assert.Equal(200, ok.StatusCode);

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes(), timestamp: f.Now + 10_001), 406, "Timestamp error: check your clock");
    }

    [Fact]
    public async Task Store_ExpiryInPast_406()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var ttl = TimeSpan.FromMinutes(1);

        var ok = await f.Client.SendRawAsync(f.Requests.Store(user, Bytes(), ttl: ttl, timestamp: f.Now - Minute - 10_000), NodeFixture.Ct);
        Assert.Equal(200, ok.StatusCode);

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes(), ttl: ttl, timestamp: f.Now - Minute - 10_001), 406, "Timestamp error: check your clock");
    }

    [Fact]
    public async Task Store_ClockMovedAfterSigning_406()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Store(user, Bytes(), new Namespace(3), ttl: TimeSpan.FromHours(1));

        f.Clock.Advance(TimeSpan.FromMilliseconds(60_001));

        await f.AssertFailsAsync(request, 406, "store signature timestamp too far from current time");
    }

    [Fact]
    public async Task Store_SigTimestampWindow_60Seconds()
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var ts = f.Now - Hour;

        // sig_timestamp, not the message timestamp, must be near now.
        var ok = await f.Client.StoreAsync(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1), timestamp: ts, sigTimestamp: f.Now - 60_000, cancellationToken: NodeFixture.Ct);
        Assert.True(ok.SignaturesValid);

        await f.AssertFailsAsync(
            f.Requests.Store(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1), timestamp: ts, sigTimestamp: f.Now + 60_001),
            406,
            "store signature timestamp too far from current time");
        await f.AssertFailsAsync(
            f.Requests.Store(user, Bytes(), new Namespace(2), ttl: TimeSpan.FromDays(1), timestamp: ts),
            406,
            "store signature timestamp too far from current time");
    }

    [Fact]
    public async Task Store_PublicOutbox_KeepsOnlyLatestMessage()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var outbox = new Namespace(-21);
        var first = await f.StoreOkAsync(user, Bytes(), outbox);
        var keepElsewhere = await f.StoreOkAsync(user, Bytes(), new Namespace(-41));

        var second = await f.StoreOkAsync(user, Bytes(), outbox);

        var page = await f.Client.RetrieveAsync(user.Id, outbox, cancellationToken: NodeFixture.Ct);
        Assert.Equal(second, Assert.Single(page.Messages).Hash);
        Assert.NotEqual(first, second);
        Assert.Equal(keepElsewhere, Assert.Single((await f.Client.RetrieveAsync(user.Id, new Namespace(-41), cancellationToken: NodeFixture.Ct)).Messages).Hash);
    }

    [Fact]
    public async Task Store_PublicOutboxSameMessageAgain_KeepsIt()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var data = Bytes();
        var hash = await f.StoreOkAsync(user, data, new Namespace(-21));

        var again = await f.Client.StoreAsync(user, data, new Namespace(-21), timestamp: f.Now, cancellationToken: NodeFixture.Ct);

        Assert.True(Assert.Single(again.Swarm).Value.Already);
        Assert.Equal(hash, Assert.Single((await f.Client.RetrieveAsync(user.Id, new Namespace(-21), cancellationToken: NodeFixture.Ct)).Messages).Hash);
    }

    [Fact]
    public async Task Store_MaxDataSize_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.StoreAsync(user, Bytes(Limits.MaxMessageBytes), cancellationToken: NodeFixture.Ct);

        Assert.True(result.SignaturesValid);
    }

    [Fact]
    public async Task Store_DataTooLarge_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Store(user, Bytes(Limits.MaxMessageBytes + 1)),
            400,
            "invalid request: Message body exceeds maximum allowed length of 76800 bytes");
    }

    [Fact]
    public async Task Store_EmptyData_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var result = await f.Client.StoreAsync(user, Array.Empty<byte>(), cancellationToken: NodeFixture.Ct);

        Assert.True(result.SignaturesValid);
        Assert.Empty(Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages).Data.ToArray());
    }

    [Fact]
    public async Task Store_TtlAndTimestampAsDecimalStrings_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var request = f.Requests.Store(user, Bytes(), ttl: TimeSpan.FromDays(1))
            .With("ttl", "86400000")
            .With("timestamp", f.Now.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        f.AssertTime(f.Now + Day, Assert.Single(request.ParseResponse(response.Body).Swarm).Value.Expiry);
    }

    [Fact]
    public async Task Store_BothTtlAndExpiry_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(
            f.Requests.Store(user, Bytes(), ttl: TimeSpan.FromDays(1), expiry: f.Now + Day),
            400,
            "invalid request: Cannot specify both 'expiry' and 'ttl'");
    }

    [Fact]
    public async Task Store_NeitherTtlNorExpiry_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("ttl", null), 400, "invalid request: Required field 'expiry' or 'ttl' missing");
    }

    [Fact]
    public async Task Store_DataNotBase64_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("data", "not base64!"), 400, "invalid request: Invalid 'data' value: not base64 encoded");
    }

    [Fact]
    public async Task Store_TtlWithGarbage_400QuotesValue()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Store(user, Bytes()).With("ttl", "12a"), 400, "invalid request: Invalid value given for 'ttl': \"12a\"");
    }
}
