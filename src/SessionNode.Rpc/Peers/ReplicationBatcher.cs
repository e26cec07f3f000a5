using System.Collections.Concurrent;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using SessionNode.Rpc.Admin;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Coalesces concurrent replicated requests to the same peer into <c>ReplicateBatch</c> calls. Each peer has
/// a lane: a request that finds fewer than <see cref="MaxCallsInFlight"/> calls in flight to its peer is sent
/// at once (alone, when nothing else is waiting), otherwise it waits in the lane and leaves with the next call,
/// together with everything else that queued meanwhile. So a lightly loaded node adds no delay, and under load
/// the per-call cost (HTTP/2 stream, TLS record, gRPC framing, auth check) is shared by the whole batch.
/// Requests to one peer leave in arrival order and the callee handles a batch in order. A peer that answers
/// <c>Unimplemented</c> gets single <c>Replicate</c> calls from then on. Thread-safe; lanes live as long as the
/// node (one per peer ever called). Reports its totals as the <c>replication</c> section of the admin stats.
/// </summary>
internal sealed class ReplicationBatcher : IStatsContributor
{
    /// <summary>
    /// Calls in flight per peer. Two keeps a lightly loaded lane free of waiting (a second request goes out
    /// while the first is still answered) while still forming batches under load; more calls would mostly
    /// split the same work into smaller batches.
    /// </summary>
    internal const int MaxCallsInFlight = 2;

    /// <summary>Most requests per call: far above what 2 cores produce in one round trip, and below the callee's limit.</summary>
    internal const int MaxBatchRequests = 256;

    /// <summary>Payload bytes after which a batch is closed: well inside the 16 MiB peer message limit.</summary>
    internal const int MaxBatchBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Time limit of one batch call: the replicated-request timeout (swarm.md §16). Each request's own
    /// timeout still applies to its caller; this only bounds how long a lane can be held by a dead call.
    /// </summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly PeerClient _client;
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private long _calls;
    private long _requests;

    public ReplicationBatcher(PeerClient client) => _client = client;

    /// <summary>Peer calls made so far (batched or single).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Requests sent so far; <see cref="Requests"/> ÷ <see cref="Calls"/> is the mean batch size.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public string Section => "replication";

    public void WriteStats(Utf8JsonWriter writer)
    {
        var calls = Calls;
        var requests = Requests;
        writer.WriteNumber("peer_calls", calls);
        writer.WriteNumber("peer_requests", requests);
        writer.WriteNumber("mean_batch", calls > 0 ? Math.Round((double)requests / calls, 2) : 0);
    }

    /// <summary>
    /// Sends one replicated request to <paramref name="peer"/>, possibly together with others, and returns its
    /// response. Throws what a single <see cref="PeerClient.ReplicateAsync"/> would: <see cref="RpcException"/> for
    /// the call's failure (every request of the batch sees it), <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires first (the request may still be delivered).
    /// </summary>
    public Task<ReplicateResponse> ReplicateAsync(ServiceNodeRecord peer, string method, ReadOnlyMemory<byte> parameters, CancellationToken cancellationToken)
    {
        var item = new Pending(peer, new ReplicateRequest { Method = method, Params = ByteString.CopyFrom(parameters.Span) });
        var lane = _lanes.GetOrAdd(peer.Ed25519Hex, static _ => new Lane());
        if (lane.Enqueue(item))
        {
            _ = RunLaneAsync(lane);
        }

        return cancellationToken.CanBeCanceled ? item.Completion.Task.WaitAsync(cancellationToken) : item.Completion.Task;
    }

    /// <summary>One sender of a lane: takes whatever is waiting, sends it, repeats until the lane is empty.</summary>
    private async Task RunLaneAsync(Lane lane)
    {
        // Off the enqueuing request's thread: it goes on with its local apply while this call is sent.
        await Task.Yield();
        while (lane.TakeBatch() is { } batch)
        {
            await SendAsync(lane, batch);
        }
    }

    private async Task SendAsync(Lane lane, List<Pending> batch)
    {
        // The newest record of the peer (its address may have changed while requests waited).
        var peer = batch[^1].Peer;
        Interlocked.Add(ref _requests, batch.Count);
        using var timeout = new CancellationTokenSource(CallTimeout);
        try
        {
            if (batch.Count == 1 || lane.SingleCallsOnly)
            {
                foreach (var item in batch)
                {
                    Interlocked.Increment(ref _calls);
                    item.Completion.TrySetResult(await _client.ReplicateAsync(peer, item.Request.Method, item.Request.Params.Memory, validateAtMs: 0, timeout.Token));
                }

                return;
            }

            Interlocked.Increment(ref _calls);
            var request = new ReplicateBatchRequest();
            foreach (var item in batch)
            {
                request.Requests.Add(item.Request);
            }

            ReplicateBatchResponse response;
            try
            {
                response = await _client.ReplicateBatchAsync(peer, request, timeout.Token);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                // A callee from before ReplicateBatch: single calls to it from now on.
                lane.SingleCallsOnly = true;
                foreach (var item in batch)
                {
                    Interlocked.Increment(ref _calls);
                    item.Completion.TrySetResult(await _client.ReplicateAsync(peer, item.Request.Method, item.Request.Params.Memory, validateAtMs: 0, timeout.Token));
                }

                return;
            }

            if (response.Responses.Count != batch.Count)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"peer answered {response.Responses.Count} of {batch.Count} batched requests"));
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(response.Responses[i]);
            }
        }
        catch (Exception e)
        {
            // The call's failure is every waiting request's failure; the forwarder decides what it means.
            var failure = e is OperationCanceledException ? new RpcException(new Status(StatusCode.DeadlineExceeded, "batched replicate call timed out")) : e;
            foreach (var item in batch)
            {
                item.Completion.TrySetException(failure);
            }
        }
    }

    /// <summary>A request waiting for its answer.</summary>
    private sealed class Pending(ServiceNodeRecord peer, ReplicateRequest request)
    {
        public ServiceNodeRecord Peer { get; } = peer;

        public ReplicateRequest Request { get; } = request;

        public TaskCompletionSource<ReplicateResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One peer's queue and the number of senders working it; all state is guarded by the queue's lock.</summary>
    private sealed class Lane
    {
        private readonly Queue<Pending> _queue = new();
        private int _senders;

        /// <summary>Set once the peer answered <c>Unimplemented</c> to a batch.</summary>
        public volatile bool SingleCallsOnly;

        /// <summary>Queues <paramref name="item"/>; true if the caller must start a sender for the lane.</summary>
        public bool Enqueue(Pending item)
        {
            lock (_queue)
            {
                _queue.Enqueue(item);
                if (_senders < MaxCallsInFlight)
                {
                    _senders++;
                    return true;
                }

                return false;
            }
        }

        /// <summary>The next batch in arrival order, or null (and the sender retires) when the lane is empty.</summary>
        public List<Pending>? TakeBatch()
        {
            lock (_queue)
            {
                if (_queue.Count == 0)
                {
                    _senders--;
                    return null;
                }

                var batch = new List<Pending>(Math.Min(_queue.Count, MaxBatchRequests));
                var bytes = 0;
                while (batch.Count < MaxBatchRequests && _queue.TryPeek(out var next)
                    && (batch.Count == 0 || bytes + next.Request.Params.Length <= MaxBatchBytes))
                {
                    bytes += next.Request.Params.Length;
                    batch.Add(_queue.Dequeue());
                }

                return batch;
            }
        }
    }
}
