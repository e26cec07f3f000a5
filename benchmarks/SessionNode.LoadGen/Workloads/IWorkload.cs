using SessionNode.Client;

namespace SessionNode.LoadGen.Workloads;

/// <summary>
/// One kind of load. The runner calls, in order: <see cref="PrepareAsync"/> (setup through the typed
/// client: pre-fill, key derivation, pre-signing), <see cref="VerifyAsync"/> (one request sent and its
/// answer parsed and checked), then <see cref="CreateSource"/> once per connection, and drives the
/// sources in the timed loop. Nothing a workload does after <see cref="CreateSource"/> may sign, parse
/// JSON or allocate per request beyond the returned body.
/// </summary>
/// <remarks>
/// Extension point for onion workloads: an onion workload sets <see cref="Path"/> to
/// <see cref="WorkloadPaths.OnionV2"/> and <see cref="ContentType"/> to <c>application/octet-stream</c>,
/// builds its encrypted <c>/onion_req/v2</c> bodies in <see cref="PrepareAsync"/> (X25519 and
/// AEAD from SessionNode.Crypto, the node's X25519 key from <c>get_swarm</c>; one ephemeral key per
/// body), checks one decrypted answer in <see cref="VerifyAsync"/>, and replays the bodies from its
/// sources. Register it in <see cref="WorkloadCatalog"/>; the runner needs no change.
/// </remarks>
internal interface IWorkload : IDisposable
{
    /// <summary>The name used with <c>--workload</c>.</summary>
    string Name { get; }

    /// <summary>The route relative to the target, e.g. <see cref="WorkloadPaths.StorageRpc"/>.</summary>
    string Path { get; }

    /// <summary>The request's media type.</summary>
    string ContentType { get; }

    /// <summary>Sets up the node and pre-builds what the sources need; records setup facts in <see cref="Setup"/>.</summary>
    Task PrepareAsync(WorkloadContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Sends one request exactly as the hot loop would build it and checks the answer with the typed
    /// client's parser (node signatures, hashes, contents). Throws <see cref="InvalidOperationException"/>
    /// when anything is off.
    /// </summary>
    Task VerifyAsync(WorkloadContext context, CancellationToken cancellationToken);

    /// <summary>A request source for connection <paramref name="connection"/> (0-based), used by that connection's task only.</summary>
    IRequestSource CreateSource(int connection, int connections);

    /// <summary>Facts about setup to report (e.g. pre-fill size, signing cost), in insertion order.</summary>
    IReadOnlyList<KeyValuePair<string, double>> Setup { get; }
}

/// <summary>Produces request bodies for one connection; owned by that connection's task (not thread-safe).</summary>
internal interface IRequestSource
{
    /// <summary>
    /// The body of the next request. <paramref name="nodeNowMs"/> is the node's estimated clock, for
    /// timestamps and picking pre-signed buckets. The memory stays valid until the next call.
    /// </summary>
    ReadOnlyMemory<byte> Next(long nodeNowMs);
}

/// <summary>Routes the workloads post to.</summary>
internal static class WorkloadPaths
{
    /// <summary>The JSON RPC route (client-rpc.md §2.2).</summary>
    public const string StorageRpc = SessionNodeClient.RpcPath;

    /// <summary>The onion request route (client-rpc.md §11), for onion workloads.</summary>
    public const string OnionV2 = "onion_req/v2";

    /// <summary>Media type of JSON RPC bodies.</summary>
    public const string Json = "application/json";
}

/// <summary>What a workload gets for setup and verification: the typed client and the run's shape.</summary>
/// <param name="Client">A typed client on the target with its clock synced to the node.</param>
/// <param name="Accounts">Number of accounts from <c>--accounts</c>, or null for the workload's default.</param>
/// <param name="Connections">Number of connections of the timed phase.</param>
/// <param name="RunLength">
/// Upper bound on the time from the end of <see cref="IWorkload.PrepareAsync"/> to the last request
/// (verification, warm-up, duration, one request timeout, slack); signed requests must stay valid this long.
/// </param>
/// <param name="Log">Progress output (stderr).</param>
internal sealed record WorkloadContext(
    SessionNodeClient Client,
    int? Accounts,
    int Connections,
    TimeSpan RunLength,
    TextWriter Log);
