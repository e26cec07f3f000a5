using SessionNode.Core;

namespace SessionNode.Storage.Tests;

public sealed class RetrieveTests
{
    /// <summary>Budget cost of one message with a 2-char hash and 30 data bytes: 100 + 2 + 40.</summary>
    private const int Cost = 142;

    private static StoreFixture FiveMessages()
    {
        var f = new StoreFixture();
        for (var i = 0; i < 5; i++)
        {
            f.Put(Accounts.Ef, "h" + i, data: new byte[30]);
        }

        return f;
    }

    [Fact]
    public void Retrieve_UnknownAccount_IsEmpty()
    {
        using var f = new StoreFixture();
        var result = f.Store.Retrieve(Accounts.Ed, Namespace.Default, "whatever", 10, 100);
        Assert.Empty(result.Messages);
        Assert.False(result.More);
    }

    [Theory]
    [InlineData(Cost * 3, 3, true)]
    [InlineData((Cost * 3) + 1, 3, true)]
    [InlineData((Cost * 3) - 1, 2, true)]
    [InlineData(Cost * 5, 5, false)] // exactly exhausted by the last message: end reached
    [InlineData(Cost * 6, 5, false)]
    [InlineData(1, 1, true)] // the first message is always returned
    [InlineData(0, 1, true)]
    public void Retrieve_SizeBudget_StopsBeforeTheMessageThatExceedsIt(int maxSize, int expected, bool more)
    {
        using var f = FiveMessages();
        var result = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, maxSize);
        Assert.Equal(expected, result.Messages.Count);
        Assert.Equal(more, result.More);
    }

    [Fact]
    public void Retrieve_SizeBudget_UsesFloorOfFourThirds()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "a", data: new byte[4]); // 100 + 1 + 5
        f.Put(Accounts.Ef, "b", data: new byte[1]); // 100 + 1 + 1
        Assert.Equal(2, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, 208).Messages.Count);
        Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, 207).Messages);
    }

    [Fact]
    public void Retrieve_FirstMessageLargerThanBudget_IsReturnedAlone()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "big", data: new byte[Limits.MaxMessageBytes]);
        f.Put(Accounts.Ef, "small", data: new byte[1]);
        var result = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, 10);
        Assert.Equal("big", Assert.Single(result.Messages).Hash);
        Assert.True(result.More);
    }

    [Fact]
    public void Retrieve_CountAndSize_BothApply()
    {
        using var f = FiveMessages();
        Assert.Equal(2, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, 2, Cost * 4).Messages.Count);
        Assert.Equal(3, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, 4, Cost * 3).Messages.Count);
    }

    [Fact]
    public void Retrieve_CountExactlyExhausted_MoreIsFalse()
    {
        using var f = FiveMessages();
        Assert.False(f.Store.Retrieve(Accounts.Ef, Namespace.Default, "h2", 2, null).More);
        Assert.True(f.Store.Retrieve(Accounts.Ef, Namespace.Default, "h1", 2, null).More);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Retrieve_CountBelowOne_CountsAsOne(int maxCount)
    {
        using var f = FiveMessages();
        var result = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, maxCount, null);
        Assert.Equal("h0", Assert.Single(result.Messages).Hash);
        Assert.True(result.More);
    }

    [Fact]
    public void Retrieve_PagingWithLastHash_VisitsEveryMessageOnce()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 23; i++)
        {
            f.Put(Accounts.Ef, "p" + i);
        }

        var seen = new List<string>();
        string? last = null;
        RetrieveResult page;
        do
        {
            page = f.Store.Retrieve(Accounts.Ef, Namespace.Default, last, 5, null);
            seen.AddRange(page.Messages.Select(m => m.Hash));
            last = page.Messages.Count > 0 ? page.Messages[^1].Hash : last;
        }
        while (page.More);

        Assert.Equal(Enumerable.Range(0, 23).Select(i => "p" + i), seen);
    }

    [Fact]
    public void Retrieve_LastHashOfOtherMailbox_StartsFromTheBeginning()
    {
        using var f = FiveMessages();
        f.Put(Accounts.Ef, "ns5", ns: 5);
        f.Put(Accounts.Ee, "other");
        Assert.Equal(5, f.Store.Retrieve(Accounts.Ef, Namespace.Default, "ns5", null, null).Messages.Count);
        Assert.Equal(5, f.Store.Retrieve(Accounts.Ef, Namespace.Default, "other", null, null).Messages.Count);
        Assert.Equal(5, f.Store.Retrieve(Accounts.Ef, Namespace.Default, "unknown", null, null).Messages.Count);
        Assert.Equal(5, f.Store.Retrieve(Accounts.Ef, Namespace.Default, new string('z', 500), null, null).Messages.Count);
        Assert.Equal(5, f.Store.Retrieve(Accounts.Ef, Namespace.Default, "", null, null).Messages.Count);
    }

    [Fact]
    public void Retrieve_LastHashDeleted_StartsFromTheBeginning()
    {
        using var f = FiveMessages();
        f.Store.DeleteByHash(Accounts.Ef, ["h2"]);
        Assert.Equal(4, f.Store.Retrieve(Accounts.Ef, Namespace.Default, "h2", null, null).Messages.Count);
    }

    [Fact]
    public void Retrieve_NamespacesAreSeparateMailboxes()
    {
        using var f = new StoreFixture();
        foreach (var ns in new short[] { short.MinValue, -1, 0, 1, short.MaxValue })
        {
            f.Put(Accounts.Ef, "ns" + ns, ns: ns);
        }

        foreach (var ns in new short[] { short.MinValue, -1, 0, 1, short.MaxValue })
        {
            Assert.Equal("ns" + ns, Assert.Single(f.Store.Retrieve(Accounts.Ef, new Namespace(ns), null, null, null).Messages).Hash);
        }
    }

    [Fact]
    public void Retrieve_ExpiryBoundary_ExpiryEqualToNowIsInvisible()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "h", ttlMs: 1000);
        f.Put(Accounts.Ef, "long", ttlMs: 5000);

        f.Advance(999); // now = expiry - 1
        Assert.Equal(2, f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages.Count);
        Assert.NotNull(f.Store.GetByHash("h"));
        Assert.Contains("h", f.Store.GetExpiries(Accounts.Ef, ["h"]).Keys);

        f.Advance(1); // now = expiry
        Assert.Equal("long", Assert.Single(f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, null, null).Messages).Hash);
        Assert.Null(f.Store.GetByHash("h"));
        Assert.Empty(f.Store.GetExpiries(Accounts.Ef, ["h"]));
        Assert.DoesNotContain(f.Store.EnumerateMessages(_ => true), m => m.Hash == "h");
        Assert.Equal(2, f.Store.MessageCount); // not swept yet
    }

    [Fact]
    public void Retrieve_ExpiredMessagesDoNotCountTowardsLimits()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "short1", ttlMs: 100);
        f.Put(Accounts.Ef, "keep1");
        f.Put(Accounts.Ef, "short2", ttlMs: 100);
        f.Put(Accounts.Ef, "keep2");
        f.Put(Accounts.Ef, "short3", ttlMs: 100);
        f.Advance(100);

        var result = f.Store.Retrieve(Accounts.Ef, Namespace.Default, null, 2, null);
        Assert.Equal(new[] { "keep1", "keep2" }, result.Messages.Select(m => m.Hash));
        Assert.False(result.More);
    }

    [Fact]
    public void Retrieve_ExpiredLastHash_StartsFromTheBeginning()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "a");
        f.Put(Accounts.Ef, "short", ttlMs: 100);
        f.Put(Accounts.Ef, "b");
        f.Advance(100);
        Assert.Equal(new[] { "a", "b" }, f.Store.Retrieve(Accounts.Ef, Namespace.Default, "short", null, null).Messages.Select(m => m.Hash));
    }

    [Fact]
    public void GetByHash_AnyOwner_ReturnsFullMessage()
    {
        using var f = new StoreFixture();
        f.Store.Store(Accounts.Ee, new Namespace(-11), "hh", 42, f.Now + 777, "payload"u8);
        var message = f.Store.GetByHash("hh");
        Assert.NotNull(message);
        Assert.Equal(new StoredMessage(Accounts.Ee, new Namespace(-11), "hh", 42, f.Now + 777, message.Data), message);
        Assert.Equal("payload"u8.ToArray(), message.Data);
        Assert.Null(f.Store.GetByHash("nope"));
        Assert.Null(f.Store.GetByHash(""));
    }

    [Fact]
    public void EnumerateMessages_WithFilter_StreamsUnexpiredMessagesOfAcceptedOwners()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 20; i++)
        {
            f.Put(Accounts.Numbered(i % 4), "e" + i, ttlMs: i == 0 ? 10 : 60_000, ns: (short)(i % 3));
        }

        f.Advance(10);
        var asked = new List<AccountId>();
        var result = f.Store.EnumerateMessages(a =>
        {
            asked.Add(a);
            return a == Accounts.Numbered(0) || a == Accounts.Numbered(3);
        }).ToList();

        Assert.Equal(4, asked.Count); // once per account
        Assert.Equal(9, result.Count); // 5 + 5, minus expired e0
        Assert.All(result, m => Assert.True(m.Account == Accounts.Numbered(0) || m.Account == Accounts.Numbered(3)));
        Assert.DoesNotContain(result, m => m.Hash == "e0");
        var e4 = Assert.Single(result, m => m.Hash == "e4");
        Assert.Equal(new Namespace(1), e4.Namespace);
        Assert.Empty(f.Store.EnumerateMessages(_ => false));
        Assert.Equal(19, f.Store.EnumerateMessages(_ => true).Count());
    }

    [Fact]
    public void EnumerateAccounts_ListsAccountsWithMessages()
    {
        using var f = new StoreFixture();
        f.Put(Accounts.Ef, "1");
        f.Put(Accounts.Ee, "2");
        f.Put(Accounts.Ee, "3", ns: 7);
        Assert.Equal(new[] { Accounts.Ee, Accounts.Ef }, f.Store.EnumerateAccounts());
    }
}
