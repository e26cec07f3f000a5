using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionNode.Core;
using SessionNode.Crypto;
using SessionNode.Onion;

namespace SessionNode.Rpc;

/// <summary>
/// <c>POST /onion_req/v2</c> (onion.md §5) and the per-layer dispatch of §6 shared with the future relay
/// receiver: final destination through <see cref="RequestHandler"/>, relays via <see cref="IOnionForwarder"/>,
/// exit proxying via <see cref="IOnionServerProxy"/>. Owns the node's X25519 key pair (disposed with it).
/// </summary>
public sealed partial class OnionEndpoint : IDisposable
{
    /// <summary>
    /// In-flight onion requests beyond which the edge answers 503 "Server busy" (§5.3 step 3); same bound
    /// as /storage_rpc/v1's, since each one holds at most one 10 MiB body.
    /// </summary>
    public const int MaxInFlight = 1_000;

    private readonly RequestHandler _handler;
    private readonly NodeState _node;
    private readonly OnionProcessor _processor;
    private readonly X25519KeyPair? _ownedKeys;
    private readonly IOnionForwarder? _forwarder;
    private readonly IOnionServerProxy? _proxy;
    private readonly bool _allowPrivateProxyTargets;
    private readonly ILogger<OnionEndpoint> _logger;
    private int _inFlight;

    /// <summary>Creates the endpoint over an existing processor (tests inject fixed nonces through it).</summary>
    public OnionEndpoint(
        RequestHandler handler,
        NodeState node,
        OnionProcessor processor,
        ILogger<OnionEndpoint> logger,
        IOnionForwarder? forwarder = null,
        IOnionServerProxy? proxy = null,
        bool allowPrivateProxyTargets = false)
    {
        _handler = handler;
        _node = node;
        _processor = processor;
        _logger = logger;
        _forwarder = forwarder;
        _proxy = proxy;
        _allowPrivateProxyTargets = allowPrivateProxyTargets;
    }

    private OnionEndpoint(
        RequestHandler handler, NodeState node, X25519KeyPair keys, ILogger<OnionEndpoint> logger, IOnionForwarder? forwarder, IOnionServerProxy? proxy, bool allowPrivateProxyTargets)
        : this(handler, node, new OnionProcessor(keys), logger, forwarder, proxy, allowPrivateProxyTargets)
    {
        _ownedKeys = keys;
    }

    /// <summary>DI factory: the node's X25519 key is the conversion of its Ed25519 identity (onion.md §2.1).</summary>
    public static OnionEndpoint Create(IServiceProvider services)
    {
        var node = services.GetRequiredService<NodeState>();
        return new OnionEndpoint(
            services.GetRequiredService<RequestHandler>(),
            node,
            node.Keys.ToX25519(),
            services.GetRequiredService<ILogger<OnionEndpoint>>(),
            services.GetServices<IOnionForwarder>().LastOrDefault(),
            services.GetServices<IOnionServerProxy>().LastOrDefault(),
            services.GetService<IOptions<OnionOptions>>()?.Value.AllowPrivateProxyTargets ?? false);
    }

    /// <summary>The HTTP handler for <c>/onion_req/v2</c>.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            await ClientEndpoints.NotFoundAsync(http);
            return;
        }

        if (_node.NotReadyReasons() is { } reasons)
        {
            await ClientEndpoints.WriteTextAsync(http, 503, "Service node is not ready: " + reasons + "\n");
            return;
        }

        if (http.Request.ContentLength > Limits.MaxRequestBody)
        {
            http.Response.Headers.Connection = "close";
            await ClientEndpoints.WriteTextAsync(http, 413, "Request body too large");
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            await ClientEndpoints.WriteTextAsync(http, 503, "Server busy, try again later");
            return;
        }

        byte[]? rented = null;
        try
        {
            (rented, var length) = await RequestBody.ReadAsync(http);
            if (rented is null)
            {
                http.Response.Headers.Connection = "close";
                await ClientEndpoints.WriteTextAsync(http, 413, "Request body too large");
                return;
            }

            var reply = await HandleBodyAsync(rented.AsMemory(0, length), http.RequestAborted);
            http.Response.StatusCode = reply.Status;
            http.Response.ContentType = reply.ContentType ?? "text/plain";
            http.Response.ContentLength = reply.Body.Length;
            await http.Response.Body.WriteAsync(reply.Body, http.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Handles a complete edge body (§5.3 steps 4–5): 400 <c>Error parsing onion request: …</c> for a bad outer
    /// body, otherwise layer 1 per §6. The returned body never aliases <paramref name="body"/>.
    /// </summary>
    public Task<OnionReply> HandleBodyAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!OnionProcessor.TryParseRequestBody(body.Span, out var request, out var error))
        {
            return Task.FromResult(OnionReply.Text(400, "Error parsing onion request: " + error));
        }

        // The edge does not check the client's starting hop_no against the limit (onion.md §5.2, client-rpc.md
        // §11.7): relays reach this node over the peer Relay RPC, never over this endpoint, so a client's hop_no
        // 16 is served here and refused by the first relay it reaches, as by the reference.
        return ProcessLayerCoreAsync(request.Ciphertext.Blob(body), request.EphemeralKey, request.EncType, request.HopNo, cancellationToken);
    }

    /// <summary>
    /// Processes one relayed layer addressed to this node (onion.md §6): first the hop limit of §7.4 (a
    /// <paramref name="hopNo"/> above 15 is refused before decrypting), then the layer. Returns the
    /// <c>(status, body)</c> for the previous hop. The entry point of the node-to-node relay receiver.
    /// </summary>
    public Task<OnionReply> ProcessLayerAsync(
        ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> ephemeralKey, EncryptionType encType, int hopNo, CancellationToken cancellationToken)
    {
        if (hopNo > OnionProcessor.MaxHopNo)
        {
            return Task.FromResult(OnionReply.Text(400, "onion request max path length exceeded"));
        }

        return ProcessLayerCoreAsync(ciphertext, ephemeralKey, encType, hopNo, cancellationToken);
    }

    /// <summary>One layer per §6 (readiness, decrypt, classify, act), without the hop limit.</summary>
    private async Task<OnionReply> ProcessLayerCoreAsync(
        ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> ephemeralKey, EncryptionType encType, int hopNo, CancellationToken cancellationToken)
    {
        if (_node.NotReadyReasons() is not null)
        {
            return OnionReply.Text(503, "Snode not ready: " + _node.Keys.PublicKeyHex);
        }

        _handler.Stats.Record(RequestKind.Onion, _node.NowMs);

        using var layer = _processor.ProcessLayer(ciphertext.Span, ephemeralKey.Span, encType);
        switch (layer.Kind)
        {
            case OnionLayerKind.DecryptError:
                return OnionReply.Text(400, "Invalid ciphertext");
            case OnionLayerKind.ParseError:
                return new OnionReply(200, _processor.EncryptError(layer.Key, OnionProcessor.InvalidJson));
            case OnionLayerKind.Final:
                return await FinalAsync(layer, cancellationToken);
            case OnionLayerKind.RelayToNode:
                return await RelayAsync(layer, hopNo, cancellationToken);
            case OnionLayerKind.RelayToServer:
                return await ProxyAsync(layer, cancellationToken);
            default:
                throw new InvalidOperationException("Unhandled onion layer kind " + layer.Kind);
        }
    }

    /// <summary>Disposes the X25519 key pair if this endpoint created it.</summary>
    public void Dispose() => _ownedKeys?.Dispose();

    /// <summary>
    /// Status normalisation of replies that crossed a relay (onion.md §7.5): known codes pass, anything
    /// else becomes 500.
    /// </summary>
    public static int NormalizeRelayStatus(int status) => status switch
    {
        200 or 400 or 401 or 403 or 404 or 406 or 410 or 413 or 421 or 429 or 500 or 502 or 503 or 504 => status,
        _ => 500,
    };

    private async Task<OnionReply> FinalAsync(OnionLayerOutcome layer, CancellationToken cancellationToken)
    {
        RpcResult result;
        if (_node.NotReadyReasons() is not null)
        {
            result = RpcResult.Text(503, "Snode not ready");
        }
        else
        {
            var context = _handler.CreateContext(forwarded: false, cancellationToken);
            result = await _handler.HandleEnvelopeAsync(layer.Blob, context);
        }

        var body = _processor.EncryptResponse(layer.Key, result.Status, result.Body.Span, result.IsJson, layer.JsonFlag, layer.Base64Flag);
        result.ReleaseBody();
        return new OnionReply(200, body);
    }

    private async Task<OnionReply> RelayAsync(OnionLayerOutcome layer, int hopNo, CancellationToken cancellationToken)
    {
        var hex = Convert.ToHexStringLower(layer.NextNode.Span);
        var next = _node.Membership.Current.FindByEd25519(hex);
        if (next is null)
        {
            return OnionReply.Text(502, "Next node not found: " + hex);
        }

        if (string.IsNullOrEmpty(next.Ip) || next.Ip == "0.0.0.0" || next.PeerPort <= 0)
        {
            return OnionReply.Text(502, "Next node is currently unreachable: " + hex);
        }

        if (_forwarder is null)
        {
            LogNoForwarder(_logger);
            return OnionReply.Text(502, "Onion relaying to other nodes is not available on this node");
        }

        // Saturating: a client's hop_no of int.MaxValue must not wrap to a negative the next node clamps to 1 (§7.4).
        var nextHopNo = hopNo == int.MaxValue ? hopNo : hopNo + 1;
        var request = new OnionRelayRequest(
            new OnionNextHop(hex, next.Ip, next.PeerPort), layer.NextEphemeralKey, layer.NextEncType, nextHopNo, layer.Blob);
        var reply = await _forwarder.ForwardAsync(request, cancellationToken);
        return new OnionReply(NormalizeRelayStatus(reply.Status), reply.Body);
    }

    private async Task<OnionReply> ProxyAsync(OnionLayerOutcome layer, CancellationToken cancellationToken)
    {
        var target = layer.ProxyTarget!;
        if (!OnionProxyTargets.IsAllowedProtocol(target.Protocol) || !OnionProxyTargets.IsAllowedTarget(target.Target)
            || (!_allowPrivateProxyTargets && OnionProxyTargets.IsPrivateHost(target.Host)))
        {
            return new OnionReply(200, _processor.EncryptError(layer.Key, OnionProcessor.InvalidUrl));
        }

        if (_proxy is null)
        {
            LogNoProxy(_logger);
            return OnionReply.Text(502, "Proxying onion requests to external servers is not available on this node");
        }

        _handler.Stats.Record(RequestKind.Proxy, _node.NowMs);
        var url = OnionProxyTargets.BuildUrl(target.Protocol, target.Host, target.Port, target.Target);
        var response = await _proxy.PostAsync(new OnionProxyRequest(url, layer.Plaintext), cancellationToken);
        string? contentType = null;
        foreach (var (name, value) in response.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value; // the only header copied, and only when this node is the edge (§5.4)
            }
        }

        return new OnionReply(response.Status, response.Body, contentType);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Onion relay requested but no IOnionForwarder is registered")]
    private static partial void LogNoForwarder(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Onion exit proxy requested but no IOnionServerProxy is registered")]
    private static partial void LogNoProxy(ILogger logger);
}
