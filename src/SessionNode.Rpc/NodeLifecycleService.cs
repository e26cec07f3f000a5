using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SessionNode.Rpc;

/// <summary>
/// Ties the node state to the host's lifetime: once the listeners are bound it publishes the real
/// HTTPS port in the standalone view (port 0 in tests), and when stopping begins it turns readiness
/// off so clients get 503 <c>shutting down</c>.
/// </summary>
internal sealed class NodeLifecycleService : IHostedLifecycleService
{
    private readonly NodeState _node;
    private readonly IServer _server;
    private readonly IOptions<NodeOptions> _nodeOptions;
    private readonly IOptions<RpcOptions> _rpcOptions;

    public NodeLifecycleService(NodeState node, IServer server, IOptions<NodeOptions> nodeOptions, IOptions<RpcOptions> rpcOptions)
    {
        _node = node;
        _server = server;
        _nodeOptions = nodeOptions;
        _rpcOptions = rpcOptions;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var options = _nodeOptions.Value;
        if (options.HttpsPort == 0 && _server.Features.Get<IServerAddressesFeature>() is { } addresses)
        {
            foreach (var a in addresses.Addresses)
            {
                if (Uri.TryCreate(a, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
                {
                    var current = _node.Membership.Current;
                    if (current.Self is { } self && current.Self.SwarmId == StandaloneMembership.SwarmId && current.Nodes.Count == 1)
                    {
                        var updated = self with { HttpsPort = uri.Port };
                        _node.Membership.Publish(StandaloneMembership.Snapshot(current.Version + 1, updated, _rpcOptions.Value));
                    }

                    break;
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _node.BeginShutdown();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
