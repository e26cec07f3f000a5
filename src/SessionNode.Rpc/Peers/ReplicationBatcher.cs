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
/// Requests to one peer leave in arrival order and the callee handles a batch in order. Batches go as messages
/// of one long-lived <c>ReplicateStream</c> per peer (no per-call HTTP/2 stream, headers or call setup),
/// renewed every <see cref="StreamLifetime"/>; a peer that answers the stream with <c>Unimplemented</c> gets
/// <c>ReplicateBatch</c> calls, and one that answers those with <c>Unimplemented</c> single <c>Replicate</c>
/// calls from then on. Thread-safe; lanes live as long as the node (one per peer ever called). Reports its
/// totals as the <c>replication</c> section of the admin stats.
/// </summary>
internal sealed class ReplicationBatcher : IStatsContributor, IDisposable
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

    /// <summary>
    /// A stream is replaced after this long (the new one carries a current token; the callee checks tokens
    /// when a stream opens). Below the 10-minute token lifetime.
    /// </summary>
    internal static readonly TimeSpan StreamLifetime = TimeSpan.FromMinutes(5);

    private readonly PeerClient _client;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private long _calls;
    private long _requests;

    public ReplicationBatcher(PeerClient client, TimeProvider? time = null)
    {
        _client = client;
        _time = time ?? TimeProvider.System;
    }

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

    /// <summary>Ends every lane's stream (the callees see the calls cancelled).</summary>
    public void Dispose()
    {
        foreach (var lane in _lanes.Values)
        {
            lane.Session?.Abort(new RpcException(new Status(StatusCode.Cancelled, "node stopping")));
        }
    }

    private async Task SendAsync(Lane lane, List<Pending> batch)
    {
        // The newest record of the peer (its address may have changed while requests waited).
        var peer = batch[^1].Peer;
        Interlocked.Add(ref _requests, batch.Count);
        if (!lane.StreamsUnsupported && !lane.SingleCallsOnly)
        {
            try
            {
                Interlocked.Increment(ref _calls);
                Complete(batch, await SendOnStreamAsync(lane, peer, ToBatchRequest(batch)));
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                // A callee from before ReplicateStream: unary batches to it from now on (this batch included).
                lane.StreamsUnsupported = true;
            }
            catch (Exception e)
            {
                Fail(batch, e);
                return;
            }
        }

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
            var request = ToBatchRequest(batch);
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

            Complete(batch, response);
        }
        catch (Exception e)
        {
            Fail(batch, e);
        }
    }

    /// <summary>
    /// Sends one batch on the lane's stream (opening or renewing it first) and waits for its answer. A batch
    /// unanswered after <see cref="CallTimeout"/> ends the stream: every batch on it fails, as a timed-out
    /// call would, and the next batch opens a new stream. A stream the callee refuses as Unauthenticated
    /// (it restarted and no longer knows our token) is retried once with a fresh token.
    /// </summary>
    private async Task<ReplicateBatchResponse> SendOnStreamAsync(Lane lane, ServiceNodeRecord peer, ReplicateBatchRequest request)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = await GetSessionAsync(lane, peer);
            Task<ReplicateBatchResponse> answer;
            try
            {
                answer = await session.SendAsync(request);
            }
            catch (StaleSessionException)
            {
                continue; // renewed between taking it and writing: send on the new one
            }

            try
            {
                return await answer.WaitAsync(CallTimeout);
            }
            catch (TimeoutException)
            {
                var timedOut = new RpcException(new Status(StatusCode.DeadlineExceeded, "replication stream batch timed out"));
                session.Abort(timedOut);
                throw timedOut;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && attempt == 0)
            {
                _client.ForgetToken(peer, session.Token);
            }
        }
    }

    /// <summary>The lane's open stream, or a new one when there is none, it failed, it is due for renewal, or the peer moved.</summary>
    private async Task<StreamSession> GetSessionAsync(Lane lane, ServiceNodeRecord peer)
    {
        var now = _time.GetTimestamp();
        if (lane.Session is { } current && current.IsUsableFor(peer, now, _time))
        {
            return current;
        }

        await lane.SessionLock.WaitAsync();
        try
        {
            var old = lane.Session;
            if (old is not null && old.IsUsableFor(peer, now, _time))
            {
                return old;
            }

            var cts = new CancellationTokenSource();
            try
            {
                var (call, token) = await _client.OpenReplicateStreamAsync(peer, cts.Token);
                lane.Session = new StreamSession(call, token, cts, peer, now);
            }
            catch
            {
                cts.Dispose();
                throw;
            }

            if (old is not null)
            {
                _ = old.RetireAsync();
            }

            return lane.Session;
        }
        finally
        {
            lane.SessionLock.Release();
        }
    }

    private static ReplicateBatchRequest ToBatchRequest(List<Pending> batch)
    {
        var request = new ReplicateBatchRequest();
        foreach (var item in batch)
        {
            request.Requests.Add(item.Request);
        }

        return request;
    }

    private static void Complete(List<Pending> batch, ReplicateBatchResponse response)
    {
        if (response.Responses.Count != batch.Count)
        {
            Fail(batch, new RpcException(new Status(StatusCode.Internal, $"peer answered {response.Responses.Count} of {batch.Count} batched requests")));
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(response.Responses[i]);
        }
    }

    /// <summary>The call's failure is every waiting request's failure; the forwarder decides what it means.</summary>
    private static void Fail(List<Pending> batch, Exception e)
    {
        var failure = e is OperationCanceledException ? new RpcException(new Status(StatusCode.DeadlineExceeded, "batched replicate call timed out")) : e;
        foreach (var item in batch)
        {
            item.Completion.TrySetException(failure);
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

        /// <summary>Set once the peer answered <c>Unimplemented</c> to a stream.</summary>
        public volatile bool StreamsUnsupported;

        /// <summary>Serialises opening and renewing <see cref="Session"/>.</summary>
        public SemaphoreSlim SessionLock { get; } = new(1, 1);

        /// <summary>The stream batches go on; replaced under <see cref="SessionLock"/>.</summary>
        public volatile StreamSession? Session;

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

    /// <summary>Thrown when a stream was retired between a sender taking it and writing to it.</summary>
    private sealed class StaleSessionException : Exception
    {
    }

    /// <summary>
    /// One <c>ReplicateStream</c> call: batches are written one at a time and answered in order, so the
    /// answers complete the waiting batches first in, first out. The first failure (of a write, of the
    /// answers, or <see cref="Abort"/>) fails every waiting batch and every later send, and cancels the call.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The write lock never allocates a wait handle; senders may still hold it when the call ends.")]
    private sealed class StreamSession
    {
        private readonly AsyncDuplexStreamingCall<ReplicateBatchRequest, ReplicateBatchResponse> _call;
        private readonly CancellationTokenSource _cts;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly Queue<TaskCompletionSource<ReplicateBatchResponse>> _waiting = new();
        private readonly string _address;
        private readonly long _openedAt;
        private Exception? _failure; // guarded by _waiting
        private bool _completed; // guarded by _writeLock

        public StreamSession(AsyncDuplexStreamingCall<ReplicateBatchRequest, ReplicateBatchResponse> call, string token, CancellationTokenSource cts, ServiceNodeRecord peer, long openedAt)
        {
            _call = call;
            _cts = cts;
            Token = token;
            _address = AddressOf(peer);
            _openedAt = openedAt;
            _ = ReadAnswersAsync();
        }

        public string Token { get; }

        public bool IsUsableFor(ServiceNodeRecord peer, long now, TimeProvider time) =>
            Volatile.Read(ref _failure) is null
            && !Volatile.Read(ref _completed)
            && time.GetElapsedTime(_openedAt, now) < StreamLifetime
            && AddressOf(peer) == _address;

        /// <summary>
        /// Writes <paramref name="request"/> and returns the task of its answer (which fails with the stream's
        /// failure). Throws <see cref="StaleSessionException"/> when the stream was retired meanwhile.
        /// </summary>
        public async Task<Task<ReplicateBatchResponse>> SendAsync(ReplicateBatchRequest request)
        {
            var answer = new TaskCompletionSource<ReplicateBatchResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            await _writeLock.WaitAsync();
            try
            {
                if (_completed)
                {
                    throw new StaleSessionException();
                }

                lock (_waiting)
                {
                    if (_failure is { } failed)
                    {
                        answer.TrySetException(failed);
                        return answer.Task;
                    }

                    _waiting.Enqueue(answer);
                }

                await _call.RequestStream.WriteAsync(request);
            }
            catch (Exception e) when (e is not StaleSessionException)
            {
                Abort(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, "replication stream write failed: " + e.Message)));
            }
            finally
            {
                _writeLock.Release();
            }

            return answer.Task;
        }

        /// <summary>Fails every waiting batch and later send with <paramref name="failure"/> and cancels the call.</summary>
        public void Abort(RpcException failure)
        {
            lock (_waiting)
            {
                _failure ??= failure;
                while (_waiting.TryDequeue(out var waiting))
                {
                    waiting.TrySetException(_failure);
                }
            }

            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>No more batches: completes the request side; the callee answers what it has and ends the call.</summary>
        public async Task RetireAsync()
        {
            await _writeLock.WaitAsync();
            try
            {
                if (!_completed)
                {
                    Volatile.Write(ref _completed, true);
                    await _call.RequestStream.CompleteAsync();
                }
            }
            catch (Exception e)
            {
                Abort(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, "replication stream ended: " + e.Message)));
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private static string AddressOf(ServiceNodeRecord peer) => peer.Ip + ":" + peer.PeerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private async Task ReadAnswersAsync()
        {
            RpcException failure;
            try
            {
                while (await _call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    TaskCompletionSource<ReplicateBatchResponse>? first;
                    lock (_waiting)
                    {
                        _waiting.TryDequeue(out first);
                    }

                    if (first is null)
                    {
                        throw new RpcException(new Status(StatusCode.Internal, "peer answered a batch that was not sent"));
                    }

                    first.TrySetResult(_call.ResponseStream.Current);
                }

                failure = new RpcException(new Status(StatusCode.Unavailable, "peer ended the replication stream"));
            }
            catch (RpcException e)
            {
                failure = e;
            }
            catch (Exception e)
            {
                failure = new RpcException(new Status(StatusCode.Unavailable, "replication stream failed: " + e.Message));
            }

            Abort(failure);
            _call.Dispose();
            _cts.Dispose();
        }
    }
}
