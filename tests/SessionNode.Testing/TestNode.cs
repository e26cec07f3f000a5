using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Crypto;
using SessionNode.Daemon.Configuration;
using SessionNode.Daemon.Hosting;

namespace SessionNode.Testing;

/// <summary>How a <see cref="TestNode"/> is started.</summary>
public sealed class TestNodeOptions
{
    /// <summary>The node's clock; null runs the node on <see cref="TimeProvider.System"/>.</summary>
    public FakeTimeProvider? Clock { get; init; }

    /// <summary>Per-IP rate limiting of /storage_rpc/v1. Default: false (tests hammer one node from one address).</summary>
    public bool RateLimitEnabled { get; init; }

    /// <summary>
    /// Data folder to use and keep (restart tests). Null: a fresh temporary folder that is deleted
    /// when the node is disposed.
    /// </summary>
    public string? DataDir { get; init; }

    /// <summary>Node log level (reference names). Default: "warn", to keep test output readable.</summary>
    public string LogLevel { get; init; } = "warn";

    /// <summary>Further configuration keys (e.g. <c>Storage:MaxLogicalBytes</c>); they override the harness's own.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// One real node in this process: the production builder (<see cref="SessionNodeHost"/>) on
/// 127.0.0.1, a free port, its own data folder and self-signed certificate.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory? _ownedDataDir;
    private readonly X509Certificate2 _certificate;

    private TestNode(WebApplication app, TempDirectory? ownedDataDir, string dataDir, TimeProvider time, Uri baseAddress)
    {
        _app = app;
        _ownedDataDir = ownedDataDir;
        DataDir = dataDir;
        Time = time;
        BaseAddress = baseAddress;
        _certificate = app.Services.GetRequiredService<NodeFiles>().Certificate;
    }

    /// <summary>https://127.0.0.1:&lt;port&gt;/</summary>
    public Uri BaseAddress { get; }

    /// <summary>http://127.0.0.1:&lt;admin port&gt;/ (the loopback admin listener: GET /stats).</summary>
    public Uri AdminAddress => new($"http://127.0.0.1:{Services.GetRequiredService<SessionNode.Rpc.Admin.AdminListener>().BoundPort}/");

    /// <summary>The node's data folder.</summary>
    public string DataDir { get; }

    /// <summary>The node's clock (a <see cref="FakeTimeProvider"/> when one was given).</summary>
    public TimeProvider Time { get; }

    /// <summary>The node's fake clock, or null when it runs on the system clock.</summary>
    public FakeTimeProvider? Clock => Time as FakeTimeProvider;

    /// <summary>The node's DI container.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The node's identity key.</summary>
    public Ed25519KeyPair Keys => Services.GetRequiredService<Ed25519KeyPair>();

    /// <summary>The node's Ed25519 public key, 64 lowercase hex digits.</summary>
    public string PublicKeyHex => Keys.PublicKeyHex;

    /// <summary>Starts a node and waits until its listener is bound.</summary>
    public static async Task<TestNode> StartAsync(TestNodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestNodeOptions();
        var ownedDataDir = options.DataDir is null ? new TempDirectory("sessionnode-node-") : null;
        var dataDir = options.DataDir ?? ownedDataDir!.Path;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Node:DataDir"] = dataDir,
            ["Node:BindIp"] = "127.0.0.1",
            ["Node:HttpsPort"] = "0",
            ["Node:PeerPort"] = "0",
            ["Node:AdminPort"] = "0",
            ["Rpc:RateLimitEnabled"] = options.RateLimitEnabled ? "true" : "false",
            ["Daemon:LogLevel"] = options.LogLevel,
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var time = (TimeProvider?)options.Clock ?? TimeProvider.System;
        WebApplication? app = null;
        try
        {
            app = await SessionNodeHost.BuildAsync(new NodeConfigurationSources { CommandLine = settings }, time, cancellationToken);
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new TestNode(app, ownedDataDir, dataDir, time, new Uri(address.TrimEnd('/') + "/"));
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            ownedDataDir?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An <see cref="HttpClient"/> for <see cref="BaseAddress"/> that accepts exactly this node's
    /// self-signed certificate (pinned, like Session clients pin nodes by other means).
    /// </summary>
    public HttpClient CreateHttpClient()
    {
        var expected = _certificate.GetCertHash();
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(expected),
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    /// <summary>Stops the node (graceful shutdown, store disposed) and deletes its data folder if the harness created it.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            _ownedDataDir?.Dispose();
        }
    }
}
