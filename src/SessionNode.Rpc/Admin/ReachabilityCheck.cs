using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using SessionNode.Rpc.Peers;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Admin;

/// <summary>
/// <c>POST /check_reachability?sample=K</c> on the admin listener (<c>sessionnode check-reachability</c>):
/// picks K other nodes (default 3; one per other swarm first), asks each concurrently to test this node
/// now (<c>Reachability.TestMe</c>) and answers one JSON document:
/// <c>{"node","ip","https_port","peer_port","all_reached","peers":[{"pubkey_ed25519","swarm_id","ip",
/// "error","results":[{"transport","ip","port","reached","error","latency_ms"}]}]}</c>. Stateless.
/// </summary>
public sealed class ReachabilityCheck
{
    /// <summary>Peers asked when the request does not say.</summary>
    public const int DefaultSample = 3;

    /// <summary>Most peers one check may ask (each runs two tests against us).</summary>
    public const int MaxSample = 16;

    /// <summary>Deadline of one TestMe call: the callee's two 5 s sub-tests run in parallel, plus connect and auth.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    private readonly PeerClient _client;
    private readonly NodeState _node;

    /// <summary>Creates the handler.</summary>
    public ReachabilityCheck(PeerClient client, NodeState node)
    {
        _client = client;
        _node = node;
    }

    /// <summary>
    /// Up to <paramref name="count"/> testable nodes other than us, spread over swarms: a random order
    /// in which every swarm's first pick comes before any swarm's second pick, and at each rank other
    /// swarms come before our own.
    /// </summary>
    public static IReadOnlyList<ServiceNodeRecord> SelectSample(MembershipSnapshot view, string selfEd25519Hex, int count, Random random)
    {
        var ownSwarm = view.Self?.SwarmId;
        var candidates = view.Nodes
            .Where(n => n.Ed25519Hex != selfEd25519Hex && n.Ip != "0.0.0.0" && n.PeerPort != 0)
            .ToArray();
        random.Shuffle(candidates);
        return [.. candidates
            .GroupBy(n => n.SwarmId)
            .SelectMany(g => g.Select((n, rank) => (Node: n, Rank: rank, Own: g.Key == ownSwarm)))
            .OrderBy(x => x.Rank)
            .ThenBy(x => x.Own)
            .Take(count)
            .Select(x => x.Node)];
    }

    /// <summary>The admin route.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var sample = DefaultSample;
        if (http.Request.Query.TryGetValue("sample", out var text)
            && (!int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out sample) || sample is < 1 or > MaxSample))
        {
            await WriteErrorAsync(http, StatusCodes.Status400BadRequest, $"sample must be a number from 1 to {MaxSample}");
            return;
        }

        var view = _node.Membership.Current;
        if (view.Self is not { } self)
        {
            await WriteErrorAsync(http, StatusCodes.Status503ServiceUnavailable, "this node is not in its own membership view yet (not registered or not synced)");
            return;
        }

        var peers = SelectSample(view, self.Ed25519Hex, sample, Random.Shared);
        var answers = await Task.WhenAll(peers.Select(p => AskAsync(p, http.RequestAborted)));

        using var buffer = new MemoryStream();
        await using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("node", self.Ed25519Hex);
            w.WriteString("ip", self.Ip);
            w.WriteNumber("https_port", self.HttpsPort);
            w.WriteNumber("peer_port", self.PeerPort);
            w.WriteBoolean("all_reached", answers.Length > 0 && answers.All(a => a.Error is null && a.Results.All(r => r.Reached)));
            w.WriteStartArray("peers");
            foreach (var a in answers)
            {
                w.WriteStartObject();
                w.WriteString("pubkey_ed25519", a.Peer.Ed25519Hex);
                w.WriteString("swarm_id", a.Peer.SwarmId.ToString("x16", CultureInfo.InvariantCulture));
                w.WriteString("ip", a.Peer.Ip);
                w.WriteString("error", a.Error);
                w.WriteStartArray("results");
                foreach (var r in a.Results)
                {
                    w.WriteStartObject();
                    w.WriteString("transport", r.Transport);
                    w.WriteString("ip", r.Ip);
                    w.WriteNumber("port", r.Port);
                    w.WriteBoolean("reached", r.Reached);
                    w.WriteString("error", r.Reached ? null : r.Error);
                    w.WriteNumber("latency_ms", Math.Round(r.LatencyUs / 1000.0, 3));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        http.Response.ContentType = "application/json";
        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted);
    }

    private async Task<Answer> AskAsync(ServiceNodeRecord peer, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(CallTimeout);
        try
        {
            var response = await _client.TestMeAsync(peer, cts.Token);
            return new Answer(peer, null, [.. response.Results]);
        }
        catch (RpcException e)
        {
            return new Answer(peer, $"could not ask this peer: {e.StatusCode}: {e.Status.Detail}", []);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Answer(peer, $"could not ask this peer: no answer within {CallTimeout.TotalSeconds:0} s", []);
        }
    }

    private static async Task WriteErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        }

        await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
    }

    private sealed record Answer(ServiceNodeRecord Peer, string? Error, IReadOnlyList<Peers.Proto.TransportResult> Results);
}
