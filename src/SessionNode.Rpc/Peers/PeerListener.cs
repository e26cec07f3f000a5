using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace SessionNode.Rpc.Peers;

/// <summary>
/// The peer (gRPC) listener on <c>Node:BindIp</c>:<c>Node:PeerPort</c>: HTTP/2 only, TLS with an
/// in-memory self-signed certificate (identities are proven by peer authentication, not by the
/// certificate). Added after the Daemon's own listeners (post-configure), so the client listener
/// stays first. After start, <see cref="BoundPort"/> is the real port (port 0 in tests).
/// </summary>
public sealed class PeerListener : IPostConfigureOptions<KestrelServerOptions>, IDisposable
{
    /// <summary>Largest peer message (a bulk push batch is at most 8 MiB; headroom for framing).</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly IOptions<NodeOptions> _options;
    private readonly Lazy<X509Certificate2> _certificate;
    private ListenOptions? _listen;

    /// <summary>Creates the listener configuration.</summary>
    public PeerListener(IOptions<NodeOptions> options, TimeProvider time)
    {
        _options = options;
        _certificate = new(() => CreateCertificate(time.GetUtcNow()));
    }

    /// <summary>The bound peer port, 0 before the server has started.</summary>
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
            // Reported by the host's options validation on start (and by check-config).
            return;
        }

        if (!IPAddress.TryParse(node.BindIp, out var ip) || node.PeerPort is < 0 or > 65535)
        {
            return;
        }

        options.Listen(ip, node.PeerPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            // Selected per handshake so nothing is created while the app is built (check-config).
            listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => _certificate.Value });
            _listen = listen;
        });
    }

    /// <summary>Disposes the certificate.</summary>
    public void Dispose()
    {
        if (_certificate.IsValueCreated)
        {
            _certificate.Value.Dispose();
        }
    }

    private static X509Certificate2 CreateCertificate(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=sessionnode-peer", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}
