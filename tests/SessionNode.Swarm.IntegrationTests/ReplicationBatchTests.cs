using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Crypto;
using SessionNode.Rpc;
using SessionNode.Rpc.Peers;
using SessionNode.Rpc.Peers.Proto;
using static SessionNode.Swarm.IntegrationTests.SwarmFixture;

namespace SessionNode.Swarm.IntegrationTests;

/// <summary>Concurrent replicated requests to one peer travel in batches on a <c>ReplicateStream</c> (or <c>ReplicateBatch</c> calls) (peer.proto).</summary>
public sealed class ReplicationBatchTests
{
    [Fact]
    public async Task ConcurrentRequestsToOnePeer_FewCalls_EachAnsweredOnItsOwn()
    {
        const int Stores = 100;
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);
        var batcher = swarm[0].Services.GetRequiredService<ReplicationBatcher>();
        var peer = swarm[0].Services.GetRequiredService<NodeState>().Membership.Current.FindByEd25519(swarm.KeyOf(1))
            ?? throw new InvalidOperationException("node 1 missing from node 0's view");

        // All queued at once: the first calls are still in flight (TLS connect, peer authentication) while the
        // rest wait, so they leave together; a non-replicated method in the middle is refused on its own.
        var expected = new string[Stores];
        var tasks = new List<Task<ReplicateResponse>>(Stores + 1);
        for (var i = 0; i < Stores; i++)
        {
            var data = Encoding.UTF8.GetBytes("batched " + i);
            var request = client.Requests.Store(user, data, ttl: TimeSpan.FromHours(1));
            expected[i] = MessageHasher.Compute(user.Id, Namespace.Default, data);
            tasks.Add(batcher.ReplicateAsync(peer, "store", Encoding.UTF8.GetBytes(request.Params.ToJsonString()), Ct));
            if (i == Stores / 2)
            {
                tasks.Add(batcher.ReplicateAsync(peer, "retrieve", "{}"u8.ToArray(), Ct));
            }
        }

        var responses = await Task.WhenAll(tasks);

        var refused = responses[(Stores / 2) + 1];
        Assert.Equal(400, refused.Status);
        Assert.Equal(PeerService.NonForwardable, refused.Body.ToStringUtf8());
        var stored = responses.Where((_, i) => i != (Stores / 2) + 1).ToArray();
        for (var i = 0; i < Stores; i++)
        {
            Assert.Equal(200, stored[i].Status);
            Assert.Contains(expected[i], stored[i].Body.ToStringUtf8(), StringComparison.Ordinal);
        }

        Assert.Equal(Stores + 1, batcher.Requests);
        Assert.True(batcher.Calls <= 10, $"{batcher.Calls} calls for {batcher.Requests} requests");
        Assert.Equal(Stores, StoredCount(swarm[1], user.Id));

        // The admin stats report the same totals.
        using var admin = new HttpClient { BaseAddress = swarm[0].AdminAddress };
        using var stats = JsonDocument.Parse(await admin.GetStringAsync(new Uri("stats", UriKind.Relative), Ct));
        var section = stats.RootElement.GetProperty("replication");
        Assert.Equal(Stores + 1, section.GetProperty("peer_requests").GetInt64());
        Assert.Equal(batcher.Calls, section.GetProperty("peer_calls").GetInt64());
    }

    [Fact]
    public async Task ConcurrentStores_MemberStopped_BatchFailureQueuesEveryRequest_DeliveredAfterRestart()
    {
        const int Stores = 60;
        await using var swarm = await TestSwarm.StartAsync(3, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);
        await swarm.StopNodeAsync(2);

        // Concurrent, so requests to the stopped member share failing calls; each must still be queued on its own.
        var results = await Task.WhenAll(Enumerable.Range(0, Stores).Select(i =>
            client.StoreAsync(user, Encoding.UTF8.GetBytes("while down " + i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)));

        Assert.All(results, r => Assert.True(r.Swarm[swarm.KeyOf(2)].Failed));
        Assert.All(results, r => Assert.False(r.Swarm[swarm.KeyOf(1)].Failed));
        Assert.Equal(Stores, StoredCount(swarm[1], user.Id));
        var queue = swarm[0].Services.GetRequiredService<PeerRetryQueue>();
        Assert.Equal(Stores, queue.Depth(swarm.KeyOf(2)));

        await swarm.RestartNodeAsync(2, Ct);

        await WaitUntilAsync(() => StoredCount(swarm[2], user.Id) == Stores, "the restarted member to receive every store", seconds: 90);
        await WaitUntilAsync(() => queue.Depth(swarm.KeyOf(2)) == 0, "the queue to drain");
    }

    [Fact]
    public async Task ReplicateBatch_ForgedTokenOrOversized_Refused()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var channel = PeerAuthTests.Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var member = PeerAuthTests.MemberKey(swarm, 1);

        var batch = new ReplicateBatchRequest { Requests = { new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8("{}") } } };
        var forged = await Assert.ThrowsAsync<RpcException>(() => stub.ReplicateBatchAsync(
            batch, new Metadata { { PeerAuth.TokenHeader, Convert.ToBase64String(new byte[72]) } }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);

        var auth = await stub.AuthenticateAsync(PeerAuthTests.AuthRequest(member, swarm[0]), cancellationToken: Ct);
        var headers = new Metadata { { PeerAuth.TokenHeader, auth.Token } };
        var oversized = new ReplicateBatchRequest();
        for (var i = 0; i <= PeerService.MaxBatchRequests; i++)
        {
            oversized.Requests.Add(new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8("{}") });
        }

        var tooMany = await Assert.ThrowsAsync<RpcException>(() => stub.ReplicateBatchAsync(oversized, headers, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);

        // A bad item is answered in its slot; the batch goes on.
        var mixed = await stub.ReplicateBatchAsync(
            new ReplicateBatchRequest
            {
                Requests =
                {
                    new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8("not json") },
                    new ReplicateRequest { Method = "retrieve", Params = ByteString.CopyFromUtf8("{}") },
                },
            },
            headers,
            cancellationToken: Ct);
        Assert.Equal([400, 400], mixed.Responses.Select(r => r.Status));
        Assert.Equal("invalid json", mixed.Responses[0].Body.ToStringUtf8());
        Assert.Equal(PeerService.NonForwardable, mixed.Responses[1].Body.ToStringUtf8());
    }

    [Fact]
    public async Task ReplicateStream_BatchesAnsweredInOrder_ForgedTokenRefused_CallerLeavingItsSwarmCutOff()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);
        using var channel = PeerAuthTests.Channel(swarm[0]);
        var stub = new Peer.PeerClient(channel);
        using var member = PeerAuthTests.MemberKey(swarm, 1);

        using (var forged = stub.ReplicateStream(new Metadata { { PeerAuth.TokenHeader, Convert.ToBase64String(new byte[72]) } }, cancellationToken: Ct))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => forged.ResponseStream.MoveNext(Ct));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }

        var auth = await stub.AuthenticateAsync(PeerAuthTests.AuthRequest(member, swarm[0]), cancellationToken: Ct);
        using var stream = stub.ReplicateStream(new Metadata { { PeerAuth.TokenHeader, auth.Token } }, cancellationToken: Ct);
        var hashes = new List<string>();
        for (var b = 0; b < 2; b++)
        {
            var batch = new ReplicateBatchRequest();
            for (var i = 0; i < 3; i++)
            {
                var data = Encoding.UTF8.GetBytes($"streamed {b}.{i}");
                hashes.Add(MessageHasher.Compute(user.Id, Namespace.Default, data));
                batch.Requests.Add(new ReplicateRequest { Method = "store", Params = ByteString.CopyFromUtf8(client.Requests.Store(user, data, ttl: TimeSpan.FromHours(1)).Params.ToJsonString()) });
            }

            batch.Requests.Add(new ReplicateRequest { Method = "retrieve", Params = ByteString.CopyFromUtf8("{}") });
            await stream.RequestStream.WriteAsync(batch, Ct);
        }

        // Both written before either is read: answers come back per batch, in order.
        for (var b = 0; b < 2; b++)
        {
            Assert.True(await stream.ResponseStream.MoveNext(Ct));
            var answers = stream.ResponseStream.Current.Responses;
            Assert.Equal([200, 200, 200, 400], answers.Select(r => r.Status));
            for (var i = 0; i < 3; i++)
            {
                Assert.Contains(hashes[(b * 3) + i], answers[i].Body.ToStringUtf8(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(6, StoredCount(swarm[0], user.Id));

        // Node 1 leaves every swarm: its open stream is refused at the next batch.
        await swarm.MoveNodeAsync(1, SessionNode.Swarm.SwarmMapping.InvalidSwarmId, Ct);
        await WaitUntilAsync(
            () => swarm[0].Services.GetRequiredService<NodeState>().Membership.Current.FindByEd25519(swarm.KeyOf(1)) is { SwarmId: SessionNode.Swarm.SwarmMapping.InvalidSwarmId },
            "node 0 to see node 1 outside any swarm");
        await stream.RequestStream.WriteAsync(new ReplicateBatchRequest { Requests = { new ReplicateRequest { Method = "retrieve", Params = ByteString.CopyFromUtf8("{}") } } }, Ct);
        var cutOff = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.PermissionDenied, cutOff.StatusCode);
    }

    [Fact]
    public async Task PeerRestartedMidStream_LaterStoresReachItAgain_NothingLost()
    {
        await using var swarm = await TestSwarm.StartAsync(2, Ct);
        using var user = NewUser();
        using var client = ClientFor(swarm, 0);
        var batcher = swarm[0].Services.GetRequiredService<ReplicationBatcher>();

        var before = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.StoreAsync(user, Encoding.UTF8.GetBytes("before " + i), ttl: TimeSpan.FromHours(1), cancellationToken: Ct)));
        Assert.All(before, r => Assert.False(r.Swarm[swarm.KeyOf(1)].Failed));
        var callsBefore = batcher.Calls;

        // The open stream dies with the peer; stores meanwhile are queued, later ones open a new stream.
        await swarm.StopNodeAsync(1);
        await client.StoreAsync(user, "while down"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        await swarm.RestartNodeAsync(1, Ct);
        await WaitUntilAsync(() => swarm[0].Services.GetRequiredService<PeerRetryQueue>().Depth(swarm.KeyOf(1)) == 0, "the queue to drain", seconds: 90);

        var after = await client.StoreAsync(user, "after"u8.ToArray(), ttl: TimeSpan.FromHours(1), cancellationToken: Ct);
        Assert.False(after.Swarm[swarm.KeyOf(1)].Failed);
        Assert.True(batcher.Calls > callsBefore);
        Assert.Equal(22, StoredCount(swarm[1], user.Id));
    }
}
