using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using SessionNode.Daemon.Hosting;
using SessionNode.Rpc;

namespace SessionNode.Daemon.Commands;

/// <summary>
/// <c>sessionnode check-reachability</c>: asks the running node (its loopback admin listener,
/// <c>Node:AdminPort</c> from the same configuration the node reads) to have a sample of other nodes
/// test it now, and prints per peer, transport and port whether they reached it. Exit code 0 when every
/// sampled peer reached every transport, 1 otherwise, 2 on usage or connection errors.
/// </summary>
internal static class CheckReachabilityCommand
{
    public const int NotReached = 1;
    public const int UsageOrConnection = 2;

    /// <summary>The node asks its peers concurrently; each takes at most 20 s.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(NodeCommandLineOptions options)
    {
        var sample = new Option<int>("--sample")
        {
            Description = "How many other nodes to ask (1-16; other swarms first).",
            DefaultValueFactory = _ => 3,
        };
        var json = new Option<bool>("--json") { Description = "Print the node's JSON answer instead of the table." };
        var command = new Command(
            "check-reachability",
            "Ask the running node to have a sample of other service nodes test it now over HTTPS (client port) and gRPC " +
            "(peer port), and print whether they reached it. Talks to the node's admin listener on 127.0.0.1:<Node:AdminPort>, " +
            "read from the same options, environment and config file as the node. " +
            "Exit code 0 when every peer reached every port, 1 otherwise, 2 on usage or connection errors.");
        options.AddTo(command, legacyPositionals: false);
        command.Options.Add(sample);
        command.Options.Add(json);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, result.GetValue(sample), result.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(NodeCommandLineOptions options, ParseResult result, int sample, bool json, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        if (sample is < 1 or > Rpc.Admin.ReachabilityCheck.MaxSample)
        {
            await error.WriteLineAsync($"--sample must be from 1 to {Rpc.Admin.ReachabilityCheck.MaxSample}.");
            return UsageOrConnection;
        }

        int port;
        try
        {
            port = AdminPort(options, result);
        }
        catch (Exception e) when (e is ConfigFileException or InvalidDataException or FormatException or InvalidOperationException)
        {
            await error.WriteLineAsync($"Cannot read the node's configuration: {e.Message}");
            return UsageOrConnection;
        }

        if (port <= 0 || port > 65535)
        {
            await error.WriteLineAsync(port == 0
                ? "Node:AdminPort is 0 (the node picks a free port at start); pass the real port with --admin-port."
                : "The admin listener is disabled (Node:AdminPort is negative); enable it to use check-reachability.");
            return UsageOrConnection;
        }

        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/check_reachability?sample={sample.ToString(CultureInfo.InvariantCulture)}");
        using var http = new HttpClient { Timeout = RequestTimeout };
        string body;
        int status;
        try
        {
            using var response = await http.PostAsync(address, content: null, cancellationToken);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            await error.WriteLineAsync($"No node is listening on its admin port 127.0.0.1:{port} (is the node running? Is Node:AdminPort / --admin-port right?).");
            return UsageOrConnection;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"Cannot talk to the node's admin listener at 127.0.0.1:{port}: {e.Message}");
            return UsageOrConnection;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"The node did not answer within {RequestTimeout.TotalSeconds:0} s.");
            return UsageOrConnection;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            await error.WriteLineAsync($"Unexpected answer from 127.0.0.1:{port} (HTTP {status}); is that the node's admin port?");
            return UsageOrConnection;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (status != 200 || root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("peers", out var peers))
            {
                var message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) ? e.GetString() : body;
                await error.WriteLineAsync($"The node could not run the check (HTTP {status}): {message}");
                return UsageOrConnection;
            }

            var allReached = root.GetProperty("all_reached").GetBoolean();
            if (json)
            {
                await output.WriteLineAsync(body);
            }
            else
            {
                await PrintTableAsync(output, root, peers);
            }

            return allReached ? 0 : NotReached;
        }
    }

    private static int AdminPort(NodeCommandLineOptions options, ParseResult result)
    {
        var sources = ConfigurationLoader.Load(options, result);
        using var configuration = SessionNodeHost.BuildConfiguration(sources);
        var text = configuration[$"{NodeOptions.SectionName}:{nameof(NodeOptions.AdminPort)}"];
        return text is null
            ? new NodeOptions().AdminPort
            : int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    private static async Task PrintTableAsync(TextWriter output, JsonElement root, JsonElement peers)
    {
        var node = root.GetProperty("node").GetString() ?? string.Empty;
        var ownPorts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["https"] = root.GetProperty("https_port").GetInt32(),
            ["grpc"] = root.GetProperty("peer_port").GetInt32(),
        };
        await output.WriteLineAsync($"Reachability of node {node[..Math.Min(16, node.Length)]}… (listening on https {ownPorts["https"]}, peer {ownPorts["grpc"]}), tested now by {peers.GetArrayLength()} peer(s) at the address and ports they know for it:");
        if (peers.GetArrayLength() == 0)
        {
            await output.WriteLineAsync("No other service node is known to this node; nothing was tested.");
            return;
        }

        await output.WriteLineAsync($"{"PEER",-18} {"SWARM",-16} {"TRANSPORT",-9} {"PORT",5}  RESULT");
        foreach (var peer in peers.EnumerateArray())
        {
            var key = peer.GetProperty("pubkey_ed25519").GetString() ?? string.Empty;
            var name = key[..Math.Min(16, key.Length)] + "…";
            var swarm = peer.GetProperty("swarm_id").GetString();
            if (peer.GetProperty("error").GetString() is { } askError)
            {
                await output.WriteLineAsync($"{name,-18} {swarm,-16} {"-",-9} {"-",5}  NOT TESTED ({askError})");
                continue;
            }

            foreach (var r in peer.GetProperty("results").EnumerateArray())
            {
                var transport = r.GetProperty("transport").GetString();
                var port = r.GetProperty("port").GetInt32();
                var verdict = r.GetProperty("reached").GetBoolean()
                    ? string.Create(CultureInfo.InvariantCulture, $"reached ({r.GetProperty("latency_ms").GetDouble():0.#} ms)")
                    : $"NOT reached ({r.GetProperty("error").GetString()})";
                if (transport is not null && ownPorts.TryGetValue(transport, out var own) && own != port)
                {
                    verdict += $" [the network advertises this port; this node listens on {own}]";
                }

                await output.WriteLineAsync($"{name,-18} {swarm,-16} {transport,-9} {port,5}  {verdict}");
            }
        }

        await output.WriteLineAsync(root.GetProperty("all_reached").GetBoolean()
            ? "All sampled peers reached this node on every port."
            : "Some peers could not reach this node: check the ports marked NOT reached (firewall, port forwarding, the advertised address).");
    }
}
