using System.Text.Json.Nodes;
using static SessionNode.Integration.Tests.TestData;

namespace SessionNode.Integration.Tests;

/// <summary>retrieve (client-rpc.md §9.2): paging, limits, auth modes and TTL filtering.</summary>
public sealed class RetrieveTests
{
    [Fact]
    public async Task Retrieve_ReturnsMessagesInInsertionOrder()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hashes = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            // Timestamps deliberately out of order: retrieval follows insertion, not timestamp.
            hashes.Add(await f.StoreOkAsync(user, Bytes(), timestamp: f.Now - ((i % 2) * Minute)));
        }

        var page = await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct);

        Assert.Equal(hashes, page.Messages.Select(m => m.Hash));
        Assert.False(page.More);
        f.AssertTime(f.Now, page.Timestamp);
        Assert.Equal(new HardFork(19, 4), page.HardFork);
    }

    [Fact]
    public async Task Retrieve_EmptyMailbox_NoMessages()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var page = await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct);

        Assert.Empty(page.Messages);
        Assert.False(page.More);
    }

    [Fact]
    public async Task Retrieve_LastHashPaging_WalksTheMailbox()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hashes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            hashes.Add(await f.StoreOkAsync(user, Bytes()));
        }

        var p1 = await f.Client.RetrieveAsync(user, maxCount: 2, cancellationToken: NodeFixture.Ct);
        var p2 = await f.Client.RetrieveAsync(user, lastHash: p1.Messages[^1].Hash, maxCount: 2, cancellationToken: NodeFixture.Ct);
        var p3 = await f.Client.RetrieveAsync(user, lastHash: p2.Messages[^1].Hash, maxCount: 2, cancellationToken: NodeFixture.Ct);

        Assert.Equal(hashes[..2], p1.Messages.Select(m => m.Hash));
        Assert.True(p1.More);
        Assert.Equal(hashes[2..4], p2.Messages.Select(m => m.Hash));
        Assert.True(p2.More);
        Assert.Equal(hashes[4..], p3.Messages.Select(m => m.Hash));
        Assert.False(p3.More);

        var done = await f.Client.RetrieveAsync(user, lastHash: hashes[^1], cancellationToken: NodeFixture.Ct);
        Assert.Empty(done.Messages);
        Assert.False(done.More);
    }

    [Fact]
    public async Task Retrieve_UnknownOrEmptyLastHash_StartsFromBeginning()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var a = await f.StoreOkAsync(user, Bytes());
        var b = await f.StoreOkAsync(user, Bytes());

        var unknown = await f.Client.RetrieveAsync(user, lastHash: UnknownHash(), cancellationToken: NodeFixture.Ct);
        var empty = await f.Client.RetrieveAsync(user, lastHash: "", cancellationToken: NodeFixture.Ct);

        Assert.Equal([a, b], unknown.Messages.Select(m => m.Hash));
        Assert.Equal([a, b], empty.Messages.Select(m => m.Hash));
    }

    [Fact]
    public async Task Retrieve_MaxCountExactlyExhausted_MoreIsFalse()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        await f.StoreOkAsync(user, Bytes());
        await f.StoreOkAsync(user, Bytes());

        var page = await f.Client.RetrieveAsync(user, maxCount: 2, cancellationToken: NodeFixture.Ct);

        Assert.Equal(2, page.Messages.Count);
        Assert.False(page.More);
    }

    [Theory]
    [InlineData(100, 1, true)] // the first message is always returned
    [InlineData(1085, 1, true)] // 543 + 543 = 1086 > 1085
    [InlineData(1086, 2, true)]
    [InlineData(1629, 3, false)] // budget exactly exhausted by the last message
    [InlineData(0, 3, false)] // 0 = absent: default budget
    [InlineData(-1, 3, false)] // negative: 7 800 000 / 1
    public async Task Retrieve_MaxSize_CountsEstimatedBytes(int maxSize, int expected, bool more)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        for (var i = 0; i < 3; i++)
        {
            // Each costs 100 + 43 + floor(300 * 4 / 3) = 543.
            await f.StoreOkAsync(user, Bytes(300));
        }

        var page = await f.Client.RetrieveAsync(user, maxSize: maxSize, cancellationToken: NodeFixture.Ct);

        Assert.Equal(expected, page.Messages.Count);
        Assert.Equal(more, page.More);
    }

    [Fact]
    public async Task Retrieve_MaxSizeNegativeFraction_DividesTheMaximum()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        for (var i = 0; i < 3; i++)
        {
            // 100 + 43 + floor(76 800 * 4 / 3) = 102 543 per message.
            await f.StoreOkAsync(user, Bytes(Limits.MaxMessageBytes));
        }

        // 7 800 000 / 38 = 205 263: two messages (205 086), not three.
        var page = await f.Client.RetrieveAsync(user, maxSize: -38, cancellationToken: NodeFixture.Ct);

        Assert.Equal(2, page.Messages.Count);
        Assert.True(page.More);
    }

    [Fact]
    public async Task Retrieve_NegativeMaxCount_TreatedAsAbsent()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        await f.StoreOkAsync(user, Bytes());
        await f.StoreOkAsync(user, Bytes());

        var page = await f.Client.RetrieveAsync(user, maxCount: -1, cancellationToken: NodeFixture.Ct);

        Assert.Equal(2, page.Messages.Count);
    }

    [Fact]
    public async Task Retrieve_NoAuthNoNamespace_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user.Id, null), 401, "retrieve: request signature required");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-11)]
    public async Task Retrieve_ExplicitAuthNamespaceWithoutSignature_400(short ns)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user.Id, new Namespace(ns)), 400, "invalid request: Required field 'signature' missing");
    }

    [Theory]
    [InlineData(-10)]
    [InlineData(-21)]
    [InlineData(-41)]
    public async Task Retrieve_NoAuthNamespaces_WorkUnsigned(short ns)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hash = await f.StoreOkAsync(user, Bytes(), new Namespace(ns));

        var unsigned = await f.Client.RetrieveAsync(user.Id, new Namespace(ns), cancellationToken: NodeFixture.Ct);
        var signed = await f.Client.RetrieveAsync(user, new Namespace(ns), cancellationToken: NodeFixture.Ct);

        Assert.Equal(hash, Assert.Single(unsigned.Messages).Hash);
        Assert.Equal(hash, Assert.Single(signed.Messages).Hash);
    }

    [Fact]
    public async Task Retrieve_NoAuthNamespaceWithBadSignature_StillVerified401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user, new Namespace(-10)).WithBadSignature(), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Retrieve_BadSignature_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user).WithBadSignature(), 401, "retrieve signature verification failed");
    }

    [Fact]
    public async Task Retrieve_OtherAccountsKey_401()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var other = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(other).With("pubkey", user.PubkeyHex), 401, "retrieve signature verification failed");
    }

    [Theory]
    [InlineData(60_000, 200)]
    [InlineData(-60_000, 200)]
    [InlineData(60_001, 406)]
    [InlineData(-60_001, 406)]
    public async Task Retrieve_TimestampWindow_406Outside60Seconds(long offset, int status)
    {
        NodeFixture.RequireFrozenClock();
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        var response = await f.Client.SendRawAsync(f.Requests.Retrieve(user, timestamp: f.Now + offset), NodeFixture.Ct);

        Assert.Equal(status, response.StatusCode);
        if (status == 406)
        {
            Assert.Equal("retrieve timestamp too far from current time", response.BodyText);
        }
    }

    [Fact]
    public async Task Retrieve_AuthModeWithoutTimestamp_400()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user).With("timestamp", null), 400, "invalid request: Required field 'timestamp' missing");
    }

    [Theory]
    [InlineData("abc", "invalid request: Invalid last_hash: expected base64 (43 chars)")]
    [InlineData("hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc=", "invalid request: Invalid last_hash: expected base64 (43 chars)")]
    [InlineData("hhtSJaPR7ZE9Idyy-viPiKEbTvLMkK9gAide8asB6tc", "invalid request: Invalid last_hash: not base64")]
    public async Task Retrieve_MalformedLastHash_400(string lastHash, string error)
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();

        await f.AssertFailsAsync(f.Requests.Retrieve(user, lastHash: lastHash), 400, error);
    }

    [Fact]
    public async Task Retrieve_TtlBoundary_InvisibleOnceExpiryPasses()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hash = await f.StoreOkAsync(user, Bytes(), ttl: TimeSpan.FromSeconds(10));

        f.Clock.Advance(TimeSpan.FromMilliseconds(9_999));
        Assert.Equal(hash, Assert.Single((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages).Hash);
        Assert.Contains(hash, (await f.Client.GetExpiriesAsync(user, [hash], cancellationToken: NodeFixture.Ct)).Expiries.Keys);

        // expiry <= now: no sweep needed, reads filter.
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Empty((await f.Client.RetrieveAsync(user, cancellationToken: NodeFixture.Ct)).Messages);
        Assert.Empty((await f.Client.GetExpiriesAsync(user, [hash], cancellationToken: NodeFixture.Ct)).Expiries);
    }

    [Fact]
    public async Task Retrieve_PubKeyAlias_Accepted()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        var hash = await f.StoreOkAsync(user, Bytes());
        var request = f.Requests.Retrieve(user);
        request.Params["pubKey"] = user.PubkeyHex;
        request.Params.Remove("pubkey");

        var response = await f.Client.SendRawAsync(request, NodeFixture.Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(hash, Assert.Single(request.ParseResponse(response.Body).Messages).Hash);
    }

    [Fact]
    public async Task Retrieve_MessageObjects_HaveExactlyFourKeys()
    {
        await using var f = await NodeFixture.StartAsync();
        var user = f.NewUser();
        await f.StoreOkAsync(user, Bytes());

        var response = await f.Client.SendRawAsync(f.Requests.Retrieve(user), NodeFixture.Ct);

        Assert.Equal("application/json", response.ContentType);
        var message = JsonNode.Parse(response.BodyText)!["messages"]![0]!.AsObject();
        Assert.Equal(["data", "expiration", "hash", "timestamp"], message.Select(p => p.Key).Order(StringComparer.Ordinal));
    }
}
