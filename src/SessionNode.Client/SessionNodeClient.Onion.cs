using System.Net.Http.Headers;

namespace SessionNode.Client;

public sealed partial class SessionNodeClient
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    /// <summary>
    /// Builds onion requests with this client's ephemeral-key and nonce sources
    /// (<see cref="SessionNodeClientOptions.OnionEphemeralKeys"/>, <see cref="SessionNodeClientOptions.OnionNonces"/>).
    /// </summary>
    public OnionRequestBuilder Onion { get; }

    /// <summary>
    /// Sends <paramref name="request"/> through <paramref name="path"/> (its last node runs it, onion.md §12) and
    /// parses the answer exactly like <see cref="SendAsync{TResult}"/>.
    /// </summary>
    /// <param name="request">The RPC request.</param>
    /// <param name="path">1 to 16 nodes, edge first, destination last; the edge needs an address.</param>
    /// <param name="options">Encryption and flags; default <see cref="OnionRequestOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OnionPathException">A node on the path failed (plain-text error, or <c>Invalid json</c>).</exception>
    /// <exception cref="SessionNodeRpcException">The destination answered outside 200–299.</exception>
    /// <exception cref="SessionNodeProtocolException">The answer cannot be decrypted or is not the method's shape.</exception>
    public async Task<TResult> SendViaOnionAsync<TResult>(
        RpcRequest<TResult> request, IReadOnlyList<OnionHop> path, OnionRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (options?.Json == true)
        {
            throw new ArgumentException("Typed onion calls parse the body as the RPC's JSON text; leave Json unset.", nameof(options));
        }

        var response = (await SendRawViaOnionAsync(request, path, options, cancellationToken)).EnsureDelivered();
        if (!response.IsSuccess)
        {
            throw new SessionNodeRpcException(response.Status, response.BodyText, request.Method);
        }

        return request.ParseResponse(response.Body);
    }

    /// <summary>
    /// Sends <paramref name="request"/> through <paramref name="path"/> and returns the decoded answer whatever its
    /// status (path errors included, see <see cref="OnionResponse.IsPathError"/>).
    /// </summary>
    /// <param name="request">The RPC request.</param>
    /// <param name="path">1 to 16 nodes, edge first, destination last.</param>
    /// <param name="options">Encryption and flags; default <see cref="OnionRequestOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<OnionResponse> SendRawViaOnionAsync(
        RpcRequest request, IReadOnlyList<OnionHop> path, OnionRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var onion = Onion.BuildForNode(path, request.ToJsonBytes(), options);
        return await SendOnionAsync(onion, cancellationToken);
    }

    /// <summary>
    /// Sends an HTTP request to an external server through <paramref name="path"/> (its last node is the exit,
    /// onion.md §9) and returns the server's decoded answer (v4: <c>code</c>, headers, body).
    /// </summary>
    /// <param name="request">The HTTP request for the server.</param>
    /// <param name="server">The server, its key and target.</param>
    /// <param name="path">1 to 16 nodes, edge first, exit last.</param>
    /// <param name="options">Encryption; default <see cref="OnionRequestOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<OnionResponse> SendToServerViaOnionAsync(
        OnionServerRequest request,
        OnionServerDestination server,
        IReadOnlyList<OnionHop> path,
        OnionRequestOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        using var onion = Onion.BuildForServer(path, server, request, options);
        return await SendOnionAsync(onion, cancellationToken);
    }

    /// <summary>
    /// Posts a built request to its edge's <c>/onion_req/v2</c> (<c>Content-Type: application/octet-stream</c>) and
    /// decodes the answer with <see cref="OnionRequest.Decode"/>. The request stays usable (and owned by the caller).
    /// </summary>
    /// <param name="request">The built request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">The edge has no address.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="SessionNodeClientOptions.RequestTimeout"/>.</exception>
    public async Task<OnionResponse> SendOnionAsync(OnionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.EdgeUri ?? throw new InvalidOperationException("The edge of the onion path has no host/port.");
        var raw = await PostAsync(uri, request.Body, OctetStream, headers: null, cancellationToken);
        return request.Decode(raw.StatusCode, raw.Body);
    }
}
