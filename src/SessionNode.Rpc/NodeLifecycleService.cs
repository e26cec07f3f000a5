using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SessionNode.Rpc.Peers;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>
/// Ties the node state to the host's lifetime: once the listeners are bound it records the real
/// HTTPS and peer ports (port 0 in tests) for the membership sources and the standalone view, and when stopping begins it turns readiness
/// off so clients get 503 <c>shutting down</c>.
/// </summary>
internal sealed class NodeLifecycleService : IHostedLifecycleService
{
    private readonly NodeState _node;
    private readonly IServer _server;
    private readonly IOptions<NodeOptions> _nodeOptions;
    private readonly IOptions<RpcOptions> _rpcOptions;
    private readonly PeerListener _peerListener;
    private readonly LocalNode _local;

    public NodeLifecycleService(NodeState node, IServer server, IOptions<NodeOptions> nodeOptions, IOptions<RpcOptions> rpcOptions, PeerListener peerListener, LocalNode local)
    {
        _peerListener = peerListener;
        _local = local;
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
        var peerPort = _peerListener.BoundPort != 0 ? _peerListener.BoundPort : options.PeerPort;
        var httpsPort = options.HttpsPort;
        if (_server.Features.Get<IServerAddressesFeature>() is { } addresses)
        {
            foreach (var a in addresses.Addresses)
            {
                if (Uri.TryCreate(a, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.Port != peerPort)
                {
                    httpsPort = uri.Port;
                    break;
                }
            }
        }

        // The membership sources build our own record from these (port 0 in tests).
        _local.SetPorts(httpsPort, peerPort);
        var current = _node.Membership.Current;
        if (current.Self is { } self && self.SwarmId == StandaloneMembership.SwarmId && current.Nodes.Count == 1
            && (self.HttpsPort != httpsPort || self.PeerPort != peerPort))
        {
            var updated = self with { HttpsPort = httpsPort, PeerPort = peerPort };
            _node.Membership.Publish(StandaloneMembership.Snapshot(current.Version + 1, updated, _rpcOptions.Value));
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
