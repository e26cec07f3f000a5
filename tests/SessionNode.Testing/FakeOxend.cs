using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SessionNode.Testing;

/// <summary>One service node as the fake oxend reports it.</summary>
public sealed record FakeOxendNode(string Ed25519Hex, string? X25519Hex, string Ip, int HttpsPort, int PeerPort, ulong SwarmId, bool Funded = true, string? Legacy = null)
{
    /// <summary>Legacy key reported as <c>service_node_pubkey</c>: <see cref="Legacy"/>, else the Ed25519 key (like modern registrations).</summary>
    public string LegacyHex => Legacy ?? Ed25519Hex;
}

/// <summary>One <c>storage_server_ping</c> call received by the fake oxend (swarm.md §14).</summary>
public sealed record FakeOxendStoragePing(IReadOnlyList<int> Version, string PubkeyEd25519, int HttpsPort, int OmqPort);

/// <summary>One <c>report_peer_status</c> call received by the fake oxend.</summary>
public sealed record FakeOxendPeerReport(string Type, string Pubkey, bool Passed);

/// <summary>
/// An oxend test double on loopback (plain HTTP, port 0): <c>POST /json_rpc</c> answers
/// <c>get_service_nodes</c> with the shapes of swarm.md §2.2, including <c>"unchanged": true</c> when the
/// caller's <c>poll_block_hash</c> is the current block, and records <c>report_peer_status</c> and
/// <c>storage_server_ping</c> calls. Tests change the node list with
/// <see cref="SetNodes"/>, which mines a new block.
/// </summary>
public sealed class FakeOxend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<FakeOxendPeerReport> _peerReports = [];
    private readonly List<FakeOxendStoragePing> _storagePings = [];
    private IReadOnlyList<FakeOxendNode> _nodes = [];
    private long _height = 100;
    private string _blockHash = NewHash(100);

    private FakeOxend(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port (use as <c>Network:OxendRpcUrl</c>).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary><c>get_service_nodes</c> requests received so far.</summary>
    public int Requests { get; private set; }

    /// <summary><c>report_peer_status</c> calls received so far (swarm.md §12.5), oldest first.</summary>
    public IReadOnlyList<FakeOxendPeerReport> PeerReports
    {
        get
        {
            lock (_lock)
            {
                return [.. _peerReports];
            }
        }
    }

    /// <summary><c>storage_server_ping</c> calls received so far (swarm.md §14), oldest first.</summary>
    public IReadOnlyList<FakeOxendStoragePing> StoragePings
    {
        get
        {
            lock (_lock)
            {
                return [.. _storagePings];
            }
        }
    }

    /// <summary>Requests that carried the current block hash as <c>poll_block_hash</c>.</summary>
    public int UnchangedAnswers { get; private set; }

    /// <summary>When true every request fails with 500 (oxend down).</summary>
    public bool Failing { get; set; }

    /// <summary>
    /// The keys answered to <c>get_service_node_privkey</c> / <c>get_service_privkeys</c> (swarm.md §1) as hex:
    /// legacy scalar, libsodium Ed25519 secret key (seed ‖ public) and X25519 secret. Null: a "Method not found" error.
    /// </summary>
    public (string Legacy, string Ed25519, string X25519)? PrivateKeys { get; set; }

    /// <summary><c>get_service_node_privkey</c> requests received so far.</summary>
    public int KeyRequests { get; private set; }

    /// <summary>When set, the body (status 200) answered to methods other than <c>get_service_nodes</c> and <c>report_peer_status</c>.</summary>
    public string? OtherMethodAnswer { get; set; }

    /// <summary>Starts the fake.</summary>
    public static async Task<FakeOxend> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var fake = new FakeOxend(app);
        app.MapPost("/json_rpc", fake.HandleAsync);
        await app.StartAsync(cancellationToken);
        fake.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>Replaces the node list and moves to a new block.</summary>
    public void SetNodes(IReadOnlyList<FakeOxendNode> nodes)
    {
        lock (_lock)
        {
            _nodes = nodes;
            _height++;
            _blockHash = NewHash(_height);
        }
    }

    /// <summary>Stops the fake.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var method = doc.RootElement.GetProperty("method").GetString();
        if (method == "storage_server_ping")
        {
            // Not counted in Requests either. oxend answers {"status":"OK"} (swarm.md §14).
            var prm = doc.RootElement.GetProperty("params");
            await RecordAndAnswerOkAsync(context, () => _storagePings.Add(new FakeOxendStoragePing(
                [.. prm.GetProperty("version").EnumerateArray().Select(v => v.GetInt32())],
                prm.GetProperty("pubkey_ed25519").GetString()!,
                prm.GetProperty("https_port").GetInt32(),
                prm.GetProperty("omq_port").GetInt32())));
            return;
        }

        if (method == "report_peer_status")
        {
            // Not counted in Requests, which counts the membership polls.
            var prm = doc.RootElement.GetProperty("params");
            await RecordAndAnswerOkAsync(context, () => _peerReports.Add(
                new FakeOxendPeerReport(prm.GetProperty("type").GetString()!, prm.GetProperty("pubkey").GetString()!, prm.GetProperty("passed").GetBoolean())));
            return;
        }

        if (method is "get_service_node_privkey" or "get_service_privkeys")
        {
            // Not counted in Requests, which counts the membership polls.
            string reply;
            lock (_lock)
            {
                KeyRequests++;
                if (Failing)
                {
                    context.Response.StatusCode = 500;
                    return;
                }

                reply = PrivateKeys is { } k
                    ? new JsonObject
                    {
                        ["jsonrpc"] = "2.0",
                        ["id"] = "0",
                        ["result"] = new JsonObject
                        {
                            ["service_node_privkey"] = k.Legacy,
                            ["service_node_ed25519_privkey"] = k.Ed25519,
                            ["service_node_x25519_privkey"] = k.X25519,
                            ["status"] = "OK",
                        },
                    }.ToJsonString()
                    : new JsonObject { ["jsonrpc"] = "2.0", ["id"] = "0", ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Method not found" } }.ToJsonString();
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply, context.RequestAborted);
            return;
        }

        string answer;
        lock (_lock)
        {
            Requests++;
            if (Failing)
            {
                context.Response.StatusCode = 500;
                return;
            }

            if (method != "get_service_nodes" && OtherMethodAnswer is { } other)
            {
                answer = other;
            }
            else if (method != "get_service_nodes")
            {
                answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = "0", ["error"] = new JsonObject { ["code"] = -32601, ["message"] = "Method not found" } }.ToJsonString();
            }
            else
            {
                var prm = doc.RootElement.GetProperty("params");
                var poll = prm.TryGetProperty("poll_block_hash", out var p) ? p.GetString() : null;
                var result = new JsonObject { ["height"] = _height, ["block_hash"] = _blockHash, ["hardfork"] = 19, ["snode_revision"] = 4, ["status"] = "OK" };
                if (poll == _blockHash)
                {
                    UnchangedAnswers++;
                    result["unchanged"] = true;
                }
                else
                {
                    var states = new JsonArray();
                    foreach (var n in _nodes)
                    {
                        var s = new JsonObject { ["service_node_pubkey"] = n.LegacyHex, ["funded"] = n.Funded, ["swarm_id"] = n.SwarmId, ["public_ip"] = n.Ip, ["storage_port"] = n.HttpsPort, ["storage_lmq_port"] = n.PeerPort };
                        s["pubkey_ed25519"] = n.Ed25519Hex;
                        if (n.X25519Hex is not null)
                        {
                            s["pubkey_x25519"] = n.X25519Hex;
                        }

                        states.Add(s);
                    }

                    result["service_node_states"] = states;
                }

                answer = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = "0", ["result"] = result }.ToJsonString();
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    /// <summary>Records a call under the lock (unless <see cref="Failing"/>: 500) and answers <c>{"status":"OK"}</c>.</summary>
    private async Task RecordAndAnswerOkAsync(HttpContext context, Action record)
    {
        lock (_lock)
        {
            if (Failing)
            {
                context.Response.StatusCode = 500;
                return;
            }

            record();
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"jsonrpc\":\"2.0\",\"id\":\"0\",\"result\":{\"status\":\"OK\"}}", context.RequestAborted);
    }

    private static string NewHash(long height) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(height)));
}
