using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using SessionNode.Client;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Rpc.Peers;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Tests;

/// <summary>
/// A peer's <c>ReplicateBatch</c> path (swarm.md §7, Peers README): the stores of a batch are committed together,
/// yet every item is answered exactly as a single <c>Replicate</c> of it, in order, would be. Two nodes with the same
/// key, clock and store contents: one takes the batch, the other the same items one at a time.
/// </summary>
public sealed class PeerBatchTests : IDisposable
{
    private readonly HandlerFixture _batched = new();
    private readonly HandlerFixture _single = new();
    private readonly PeerTokenIssuer _tokens = new();
    private readonly RequestBuilder _requests;
    private readonly SessionAccount _user = SessionAccount.FromSessionSeed(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly SessionAccount _group = SessionAccount.FromGroupSeed(Enumerable.Repeat((byte)9, 32).ToArray());

    public PeerBatchTests()
    {
        _requests = new RequestBuilder(_batched.Clock);
    }

    public void Dispose()
    {
        _batched.Dispose();
        _single.Dispose();
        _tokens.Dispose();
        _user.Dispose();
        _group.Dispose();
    }

    [Fact]
    public async Task DistinctStores_OneStoreWrite_SameAnswersAsOneByOne()
    {
        var items = Enumerable.Range(0, 32)
            .Select(i => Store(_requests.Store(AccountFor(i), Encoding.UTF8.GetBytes("message " + i), ttl: TimeSpan.FromHours(1))))
            .ToArray();
        var writes = _batched.Store.WriteCount;

        var answers = await CompareAsync(items);

        Assert.Equal(writes + 1, _batched.Store.WriteCount);
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(32, _batched.Store.MessageCount);
    }

    [Fact]
    public async Task ManyStores_OneWritePerGroup_SameAnswersAsOneByOne()
    {
        const int Stores = RequestHandler.MaxGroupedStores + 10;
        var items = Enumerable.Range(0, Stores)
            .Select(i => Store(_requests.Store(AccountFor(i), Encoding.UTF8.GetBytes("message " + i), ttl: TimeSpan.FromHours(1))))
            .ToArray();
        var writes = _batched.Store.WriteCount;

        await CompareAsync(items);

        Assert.Equal(writes + 2, _batched.Store.WriteCount);
        Assert.Equal(Stores, _batched.Store.MessageCount);
    }

    [Fact]
    public async Task MixedBatch_DuplicatesOutboxDeleteAndRefusals_SameAnswersAsOneByOne()
    {
        var a = Encoding.UTF8.GetBytes("inbox message");
        var b = Encoding.UTF8.GetBytes("private message");
        var bHash = MessageHasher.Compute(_user.Id, new Namespace(2), b);
        var outbox = new Namespace(-21);
        ReplicateRequest[] items =
        [
            Store(_requests.Store(_user, a, ttl: TimeSpan.FromHours(1))),
            Store(_requests.Store(_user, a, ttl: TimeSpan.FromHours(1))), // the same message again: "already"
            Store(_requests.Store(_user, b, new Namespace(2), ttl: TimeSpan.FromHours(1))),
            Store(_requests.Store(_user, b, new Namespace(2), ttl: TimeSpan.FromHours(1), sign: false)), // 401
            new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8("not json") },
            new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8("{\"pubkey\":\"05\"}") },
            Store(_requests.Store(_group, "first"u8.ToArray(), outbox, ttl: TimeSpan.FromHours(1))),
            Store(_requests.Store(_group, "second"u8.ToArray(), outbox, ttl: TimeSpan.FromHours(1))), // replaces "first"
            Store(_requests.Store(_user, a, ttl: TimeSpan.FromHours(2))), // extends the first store
            new ReplicateRequest { Method = "retrieve", Params = ByteString.CopyFromUtf8("{}") },
            Forward(_requests.Delete(_user, [bHash])),
            Store(_requests.Store(_user, b, new Namespace(2), ttl: TimeSpan.FromHours(1))), // re-stored after the delete
            Store(_requests.Store(_group, "first"u8.ToArray(), outbox, ttl: TimeSpan.FromHours(1))), // and back
            new ReplicateRequest
            {
                Method = "store",
                Params = Store(_requests.Store(_user, "replayed"u8.ToArray(), ttl: TimeSpan.FromHours(1))).Params,
                ValidateAtMs = _batched.Node.NowMs + (long)TimeSpan.FromMinutes(5).TotalMilliseconds, // in the future: 400
            },
        ];

        var answers = await CompareAsync(items);

        Assert.Equal([200, 200, 200, 401, 400, 400, 200, 200, 200, 400, 200, 200, 200, 400], answers.Select(r => r.Status));
        Assert.Contains("\"already\":true", answers[1].Body.ToStringUtf8(), StringComparison.Ordinal);
        Assert.Contains("\"already\":true", answers[8].Body.ToStringUtf8(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"already\"", answers[11].Body.ToStringUtf8(), StringComparison.Ordinal);
        Assert.Contains(bHash, answers[10].Body.ToStringUtf8(), StringComparison.Ordinal);
        Assert.Equal(
            ["first"],
            _batched.Store.Retrieve(_group.Id, outbox, null, null, null).Messages.Select(m => Encoding.UTF8.GetString(m.Data)));
    }

    /// <summary>Runs the items as one batch on one node and one by one on the other; the answers must be byte-identical.</summary>
    private async Task<List<ReplicateResponse>> CompareAsync(ReplicateRequest[] items)
    {
        var batch = new ReplicateBatchRequest();
        batch.Requests.AddRange(items);
        var batched = (await Peer(_batched).HandleBatchAsync(batch, CancellationToken.None)).Responses.ToList();

        var singlePeer = Peer(_single);
        var single = new List<ReplicateResponse>();
        foreach (var item in items)
        {
            single.Add(await singlePeer.ReplicateOneAsync(item, CancellationToken.None));
        }

        Assert.Equal(single.Count, batched.Count);
        for (var i = 0; i < single.Count; i++)
        {
            Assert.Equal((i, single[i].Status, single[i].Body.ToStringUtf8()), (i, batched[i].Status, batched[i].Body.ToStringUtf8()));
        }

        Assert.Equal(_single.Store.MessageCount, _batched.Store.MessageCount);
        Assert.Equal(_single.Store.LogicalBytes, _batched.Store.LogicalBytes);
        // get_stats counts forwarded stores too (swarm.md §15.1), grouped or not.
        var now = _batched.Node.NowMs;
        Assert.Equal(_single.Handler.Stats.Snapshot(now).Totals, _batched.Handler.Stats.Snapshot(now).Totals);
        return batched;
    }

    private PeerService Peer(HandlerFixture f) =>
        new(f.Node, _tokens, f.Handler, f.Store, [], new IncomingPingMonitor(f.Clock), new NoLifetime());

    private static ReplicateRequest Store(RpcRequest request) => Forward(request);

    private static ReplicateRequest Forward(RpcRequest request) =>
        new() { Method = request.Method, Params = ByteString.CopyFromUtf8(request.Params.ToJsonString()) };

    private static AccountId AccountFor(int i)
    {
        var raw = new byte[AccountId.Length];
        raw[0] = 0x05;
        raw[^1] = (byte)i;
        return AccountId.FromBytes(raw);
    }

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
