using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SessionNode.Rpc.Admin;

/// <summary>
/// The operator's admin listener on <c>127.0.0.1</c>:<c>Node:AdminPort</c> (plain HTTP/1.1, loopback
/// only, never on a public address): <c>GET /stats</c> and the other admin routes. A negative port
/// disables it. Added after the client and peer listeners (post-configure) so the client listener stays
/// first. After start, <see cref="BoundPort"/> is the real port (port 0 in tests).
/// </summary>
public sealed class AdminListener : IPostConfigureOptions<KestrelServerOptions>
{
    private readonly IOptions<NodeOptions> _options;
    private ListenOptions? _listen;

    /// <summary>Creates the listener configuration.</summary>
    public AdminListener(IOptions<NodeOptions> options) => _options = options;

    /// <summary>The bound admin port; 0 before the server has started or when disabled.</summary>
    public int BoundPort => _listen?.IPEndPoint is { Port: var p } ? p : 0;

    /// <inheritdoc />
    public void PostConfigure(string? name, KestrelServerOptions options)
    {
        NodeOptions node;
        try
        {
            node = _options.Value;
        }
        catch (OptionsValidationException)
        {
            return;
        }

        if (node.AdminPort is < 0 or > 65535)
        {
            return;
        }

        options.Listen(IPAddress.Loopback, node.AdminPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            _listen = listen;
        });
    }
}
