using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SessionNode.Crypto;
using SessionNode.Protocol;

namespace SessionNode.Integration.Tests;

/// <summary>
/// A tiny external server for exit-proxy tests (onion.md §11): Kestrel on 127.0.0.1, port 0, HTTP or HTTPS with a
/// self-signed certificate. It decrypts the exit's POST with its X25519 key and answers v4 (bencoded, raw
/// ciphertext) on <c>/oxen/v4/lsrpc</c> and v3 (base64) on <c>/loki/v3/lsrpc</c>, echoing what it understood.
/// </summary>
internal sealed class OnionTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X25519KeyPair _keys;
    private readonly X509Certificate2? _certificate;
    private readonly List<Received> _received = [];
    private readonly Lock _lock = new();

    private OnionTestServer(WebApplication app, X25519KeyPair keys, X509Certificate2? certificate)
    {
        _app = app;
        _keys = keys;
        _certificate = certificate;
    }

    /// <summary>One POST as received: the raw body, its content type, and the decrypted inner request.</summary>
    public sealed record Received(byte[] Body, string? ContentType, string? UserAgent, byte[]? Plaintext);

    public int Port { get; private set; }

    public ReadOnlySpan<byte> PublicKey => _keys.PublicKey;

    /// <summary>When set, requests wait for this task before answering (timeout tests).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed when a request has arrived.</summary>
    public TaskCompletionSource FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<Received> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<OnionTestServer> StartAsync(bool https)
    {
        var keys = X25519KeyPair.Generate();
        var certificate = https ? CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var server = new OnionTestServer(app, keys, certificate);
        app.MapPost("/oxen/v4/lsrpc", ctx => server.HandleAsync(ctx, v4: true));
        app.MapPost("/loki/v3/lsrpc", ctx => server.HandleAsync(ctx, v4: false));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        Gate?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _keys.Dispose();
        _certificate?.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private async Task HandleAsync(HttpContext ctx, bool v4)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        var body = buffer.ToArray();
        FirstRequest.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(ctx.RequestAborted);
        }

        // §11.1: u32le(N) ‖ blob ‖ JSON with ephemeral_key and enc_type.
        byte[]? plaintext = null;
        byte[]? ephemeral = null;
        var encType = EncryptionType.AesGcm;
        if (body.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(body) is var n && n <= body.Length - 4)
        {
            using var json = JsonDocument.Parse(body.AsMemory(4 + (int)n));
            ephemeral = Convert.FromHexString(json.RootElement.GetProperty("ephemeral_key").GetString()!);
            if (json.RootElement.TryGetProperty("enc_type", out var t) && !EncryptionTypes.TryParse(t.GetString(), out encType))
            {
                ctx.Response.StatusCode = 400;
                return;
            }

            new ChannelEncryption(_keys, isServer: true).TryDecrypt(encType, body.AsSpan(4, (int)n), ephemeral, out plaintext);
        }

        lock (_lock)
        {
            _received.Add(new Received(body, ctx.Request.ContentType, ctx.Request.Headers.UserAgent.ToString(), plaintext));
        }

        if (plaintext is null)
        {
            ctx.Response.StatusCode = 400; // pysogs answers 400 when it cannot decrypt (§11.1)
            return;
        }

        var channel = new ChannelEncryption(_keys, isServer: true);
        if (v4)
        {
            // Echo the request info and body back in a v4 response with a custom status and header.
            if (!BencodedList.TryDecode(plaintext, out var parts))
            {
                ctx.Response.StatusCode = 400;
                return;
            }

            using var info = JsonDocument.Parse(parts[0]);
            var echo = RpcJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("method", info.RootElement.GetProperty("method").GetString());
                w.WriteString("endpoint", info.RootElement.GetProperty("endpoint").GetString());
                w.WriteString("body", parts.Count > 1 ? Encoding.UTF8.GetString(parts[1].Span) : null);
                w.WriteEndObject();
            });
            var reply = BencodedList.Encode([
                """{"code":201,"headers":{"content-type":"application/json","x-test":"yes"}}"""u8.ToArray(),
                echo]);
            var sealedReply = channel.Encrypt(encType, reply, ephemeral);
            ctx.Response.ContentType = "application/octet-stream";
            await ctx.Response.Body.WriteAsync(sealedReply, ctx.RequestAborted);
        }
        else
        {
            using var request = JsonDocument.Parse(plaintext);
            var echo = RpcJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("v3", request.RootElement.GetProperty("endpoint").GetString());
                w.WriteString("body", request.RootElement.GetProperty("body").GetString());
                w.WriteEndObject();
            });
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync(Convert.ToBase64String(channel.Encrypt(encType, echo, ephemeral)), ctx.RequestAborted);
        }
    }
}
