using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using SessionNode.Crypto;
using SessionNode.Rpc.Peers.Proto;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// Calls other nodes' peer services: one gRPC channel per peer (re-created when its address changes)
/// and a cached session token per peer, refreshed a minute before it expires or when the peer answers
/// <c>Unauthenticated</c> (e.g. after its restart). Thread-safe; owned by DI.
/// </summary>
public sealed partial class PeerClient : IDisposable
{
    /// <summary>Connection attempt limit: a dead peer must fail fast (loopback and LAN connect in ms).</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Tokens are refreshed this long before they expire.</summary>
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);

    private readonly NodeState _node;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);

    /// <summary>Creates the client.</summary>
    public PeerClient(NodeState node, ILogger<PeerClient> logger)
    {
        _node = node;
        _logger = logger;
    }

    /// <summary>Forwards a replicated request; <paramref name="validateAtMs"/> 0 = callee's clock.</summary>
    public Task<ReplicateResponse> ReplicateAsync(ServiceNodeRecord peer, string method, ReadOnlyMemory<byte> parameters, long validateAtMs, CancellationToken cancellationToken)
    {
        var request = new ReplicateRequest { Method = method, Params = ByteString.CopyFrom(parameters.Span), ValidateAtMs = validateAtMs };
        return CallAsync(peer, (c, options) => c.Stub.ReplicateAsync(request, options), cancellationToken);
    }

    /// <summary>Forwards several replicated requests in one call; the answer has one response per request, in order.</summary>
    public Task<ReplicateBatchResponse> ReplicateBatchAsync(ServiceNodeRecord peer, ReplicateBatchRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.Stub.ReplicateBatchAsync(request, options), cancellationToken);

    /// <summary>Pushes a batch of messages and revocations.</summary>
    /// <summary>
    /// Opens a <c>ReplicateStream</c> to <paramref name="peer"/> with a current token (no deadline: the stream
    /// lives until it is completed, fails, or <paramref name="cancellationToken"/> fires). Returns the call and
    /// the token it carries, for <see cref="ForgetToken"/> when the peer answers Unauthenticated.
    /// </summary>
    internal async Task<(AsyncDuplexStreamingCall<ReplicateBatchRequest, ReplicateBatchResponse> Call, string Token)> OpenReplicateStreamAsync(ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        var connection = GetConnection(peer);
        var token = await connection.TokenAsync(this, peer, cancellationToken);
        var headers = new Metadata { { PeerAuth.TokenHeader, token } };
        return (connection.Stub.ReplicateStream(new CallOptions(headers, cancellationToken: cancellationToken)), token);
    }

    /// <summary>Drops <paramref name="token"/> if it is still the one cached for the peer: the next call authenticates again.</summary>
    internal void ForgetToken(ServiceNodeRecord peer, string token)
    {
        if (_connections.TryGetValue(peer.Ed25519Hex, out var connection))
        {
            connection.ForgetToken(token);
        }
    }

    public Task<PushResponse> PushAsync(ServiceNodeRecord peer, PushRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.Stub.PushMessagesAsync(request, options), cancellationToken);

    /// <summary>Relays an onion hop to <paramref name="peer"/>.</summary>
    public Task<RelayResponse> RelayAsync(ServiceNodeRecord peer, RelayRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.Stub.RelayAsync(request, options), cancellationToken);

    /// <summary>Pings the peer (authenticating first if needed).</summary>
    public async Task PingAsync(ServiceNodeRecord peer, CancellationToken cancellationToken) =>
        await CallAsync(peer, (c, options) => c.Stub.PingAsync(new PingRequest(), options), cancellationToken);

    /// <summary>
    /// Pings the peer over a new connection (authenticating on it), so the result says whether its peer
    /// port accepts connections now, not whether an old connection is still open.
    /// </summary>
    public async Task PingFreshAsync(ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        using var connection = new Connection($"https://{peer.Ip}:{peer.PeerPort}");
        await CallAsync(connection, peer, (c, options) => c.Stub.PingAsync(new PingRequest(), options), cancellationToken);
    }

    /// <summary>Asks the peer to test this node's advertised ports now (check-reachability).</summary>
    public Task<TestMeResponse> TestMeAsync(ServiceNodeRecord peer, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.Reachability.TestMeAsync(new TestMeRequest(), options), cancellationToken);

    /// <summary>Sends a storage-test challenge (Protos/storagetest.proto).</summary>
    internal Task<ChallengeResponse> StorageTestAsync(ServiceNodeRecord peer, ChallengeRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.StorageTests.ChallengeAsync(request, options), cancellationToken);

    /// <summary>Asks the peer for its digests of <paramref name="request"/>'s accounts (handoff.proto).</summary>
    public Task<ConfirmHoldingsResponse> ConfirmHoldingsAsync(ServiceNodeRecord peer, ConfirmHoldingsRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (Connection c, CallOptions options) => c.HandOff.ConfirmHoldingsAsync(request, options), cancellationToken);

    /// <summary>Hands over a batch of items of accounts the peer's swarm serves (handoff.proto).</summary>
    public Task<HandOverResponse> HandOverAsync(ServiceNodeRecord peer, HandOverRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (Connection c, CallOptions options) => c.HandOff.HandOverAsync(request, options), cancellationToken);

    /// <summary>Anti-entropy: digests of leaf groups.</summary>
    public Task<DigestResponse> GetDigestsAsync(ServiceNodeRecord peer, DigestRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.AntiEntropy.GetDigestsAsync(request, options), cancellationToken);

    /// <summary>Anti-entropy: compact item lists of leaves.</summary>
    public Task<ItemsResponse> GetItemsAsync(ServiceNodeRecord peer, ItemsRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.AntiEntropy.GetItemsAsync(request, options), cancellationToken);

    /// <summary>Anti-entropy: full items by id.</summary>
    public Task<FetchResponse> FetchItemsAsync(ServiceNodeRecord peer, FetchRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.AntiEntropy.FetchItemsAsync(request, options), cancellationToken);

    /// <summary>Anti-entropy: items for the peer to apply.</summary>
    public Task<PushItemsResponse> PushItemsAsync(ServiceNodeRecord peer, PushItemsRequest request, CancellationToken cancellationToken) =>
        CallAsync(peer, (c, options) => c.AntiEntropy.PushItemsAsync(request, options), cancellationToken);

    /// <summary>Closes every channel.</summary>
    public void Dispose()
    {
        foreach (var c in _connections.Values)
        {
            c.Dispose();
        }

        _connections.Clear();
    }

    private Task<T> CallAsync<T>(ServiceNodeRecord peer, Func<Connection, CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken) =>
        CallAsync(GetConnection(peer), peer, call, cancellationToken);

    private async Task<T> CallAsync<T>(Connection connection, ServiceNodeRecord peer, Func<Connection, CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await connection.TokenAsync(this, peer, cancellationToken);
            var headers = new Metadata { { PeerAuth.TokenHeader, token } };
            try
            {
                return await call(connection, new CallOptions(headers, cancellationToken: cancellationToken));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && attempt == 0)
            {
                connection.ForgetToken(token);
            }
        }
    }

    private Connection GetConnection(ServiceNodeRecord peer)
    {
        var address = $"https://{peer.Ip}:{peer.PeerPort}";
        while (true)
        {
            if (_connections.TryGetValue(peer.Ed25519Hex, out var existing))
            {
                if (existing.Address == address)
                {
                    return existing;
                }

                if (_connections.TryRemove(new KeyValuePair<string, Connection>(peer.Ed25519Hex, existing)))
                {
                    existing.Dispose();
                }

                continue;
            }

            var created = new Connection(address);
            if (_connections.TryAdd(peer.Ed25519Hex, created))
            {
                return created;
            }

            created.Dispose();
        }
    }

    private async Task<(string Token, long ExpiresMs)> AuthenticateAsync(Connection connection, ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        var now = _node.NowMs;
        var request = new AuthRequest
        {
            CallerEd25519 = ByteString.CopyFrom(_node.Keys.PublicKey),
            TimestampMs = now,
            Signature = ByteString.CopyFrom(_node.Keys.Sign(PeerAuth.AuthMessage(peer.Ed25519, _node.Keys.PublicKey, now))),
        };
        var response = await connection.Stub.AuthenticateAsync(request, cancellationToken: cancellationToken);
        if (!Ed25519.Verify(peer.Ed25519, PeerAuth.AckMessage(response.Token), response.CalleeSignature.Span))
        {
            LogBadAck(_logger, peer.Ed25519Hex[..8]);
            throw new RpcException(new Status(StatusCode.Unauthenticated, "peer did not prove its identity"));
        }

        return (response.Token, response.ExpiresMs);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Peer}… answered Authenticate with a bad signature")]
    private static partial void LogBadAck(ILogger logger, string peer);

    private sealed record TokenInfo(string Token, long ExpiresMs);

    /// <summary>A channel to one peer address and its token.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly GrpcChannel _channel;
        private readonly SemaphoreSlim _authLock = new(1, 1);
        private TokenInfo? _token;

        public Connection(string address)
        {
            Address = address;
            var handler = new SocketsHttpHandler
            {
                ConnectTimeout = ConnectTimeout,
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            };
            // Peers use self-signed certificates; identity is proven by Authenticate (both ways).
#pragma warning disable CA5359 // By design: self-signed peer certificates; Authenticate proves the callee's key.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
            _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = handler,
                MaxReceiveMessageSize = PeerListener.MaxMessageBytes,
                MaxSendMessageSize = PeerListener.MaxMessageBytes,
            });
            Stub = new Proto.Peer.PeerClient(_channel);
            Reachability = new Proto.Reachability.ReachabilityClient(_channel);
            StorageTests = new Proto.StorageTest.StorageTestClient(_channel);
            HandOff = new Proto.HandOff.HandOffClient(_channel);
            AntiEntropy = new Proto.AntiEntropy.AntiEntropyClient(_channel);
        }

        public string Address { get; }

        public Proto.Peer.PeerClient Stub { get; }

        public Proto.Reachability.ReachabilityClient Reachability { get; }
        public Proto.StorageTest.StorageTestClient StorageTests { get; }

        public Proto.HandOff.HandOffClient HandOff { get; }

        public Proto.AntiEntropy.AntiEntropyClient AntiEntropy { get; }

        public async Task<string> TokenAsync(PeerClient owner, ServiceNodeRecord peer, CancellationToken cancellationToken)
        {
            var now = owner._node.NowMs;
            if (Volatile.Read(ref _token) is { } t && t.ExpiresMs - (long)RefreshMargin.TotalMilliseconds > now)
            {
                return t.Token;
            }

            await _authLock.WaitAsync(cancellationToken);
            try
            {
                if (_token is { } again && again.ExpiresMs - (long)RefreshMargin.TotalMilliseconds > now)
                {
                    return again.Token;
                }

                var (token, expires) = await owner.AuthenticateAsync(this, peer, cancellationToken);
                Volatile.Write(ref _token, new TokenInfo(token, expires));
                return token;
            }
            finally
            {
                _authLock.Release();
            }
        }

        public void ForgetToken(string token)
        {
            Interlocked.CompareExchange(ref _token, null, _token is { } t && t.Token == token ? t : null);
        }

        public void Dispose()
        {
            _channel.Dispose();
            _authLock.Dispose();
        }
    }
}
