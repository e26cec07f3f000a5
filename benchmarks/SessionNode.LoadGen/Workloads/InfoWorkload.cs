namespace SessionNode.LoadGen.Workloads;

/// <summary>
/// <c>info</c> (client-rpc.md §9.3): no storage, no signature, a ~80-byte answer. A baseline for the
/// transport (TLS, HTTP/1.1, JSON envelope, routing) that the other workloads add their work to.
/// Stateless after <see cref="PrepareAsync"/>.
/// </summary>
internal sealed class InfoWorkload : IWorkload
{
    private byte[] _body = [];

    public string Name => "info";

    public string Path => WorkloadPaths.StorageRpc;

    public string ContentType => WorkloadPaths.Json;

    public IReadOnlyList<KeyValuePair<string, double>> Setup { get; } = [];

    public Task PrepareAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        _body = context.Client.Requests.Info().ToJsonBytes();
        return Task.CompletedTask;
    }

    public async Task VerifyAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        var request = context.Client.Requests.Info();
        var raw = await context.Client.PostRawAsync(_body, Path, cancellationToken: cancellationToken);
        if (!raw.IsSuccess)
        {
            throw new InvalidOperationException($"{Name}: verification answered {raw.StatusCode}: {raw.BodyText}");
        }

        var info = request.ParseResponse(raw.Body);
        context.Log.WriteLine($"  verified: info version {string.Join('.', info.Version)}, hf {info.HardFork}");
    }

    public IRequestSource CreateSource(int connection, int connections) => new Source(_body);

    public void Dispose()
    {
    }

    private sealed class Source(byte[] body) : IRequestSource
    {
        public ReadOnlyMemory<byte> Next(long nodeNowMs) => body;
    }
}
