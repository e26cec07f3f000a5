using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SessionNode.Client;
using SessionNode.LoadGen.Workloads;

namespace SessionNode.LoadGen;

/// <summary>
/// The <c>sessionnode-loadgen</c> command line: options into <see cref="LoadGenOptions"/>, then one
/// <see cref="LoadRunner"/> run per workload, reported as text or JSON. Exit codes: 0 all requests
/// succeeded, 1 setup or verification failed, 3 some measured requests failed.
/// </summary>
internal static class LoadGenCli
{
    /// <summary>Far beyond what one box can drive; guards against typos that would exhaust file descriptors.</summary>
    private const int MaxConnections = 10_000;

    private static readonly Option<Uri[]> Target = new("--target")
    {
        HelpName = "URL",
        Description = "The node's HTTPS base address (self-signed certificates are accepted). Repeat it for several nodes " +
            "(e.g. the members of one swarm): connection i sends to target i mod count; setup and verification use the first.",
        DefaultValueFactory = _ => [.. new LoadGenOptions().Targets],
        AllowMultipleArgumentsPerToken = false,
        CustomParser = r => [.. r.Tokens.Select(t => Uri.TryCreate(t.Value, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"
            ? u
            : Fail<Uri>(r, "--target must be an absolute http(s) URL."))],
    };

    private static readonly Option<string[]> Workload = CreateWorkloadOption();

    private static readonly Option<int> Connections = new("--connections", "-c")
    {
        HelpName = "N",
        Description = "Concurrent connections, one task and one keep-alive connection each.",
        DefaultValueFactory = _ => new LoadGenOptions().Connections,
        CustomParser = r => (int)ParseInteger(r, "--connections", 1, MaxConnections),
    };

    private static readonly Option<TimeSpan> Duration = CreateDuration("--duration", "Measured phase, e.g. 15s, 500ms, 2m.", new LoadGenOptions().Duration, allowZero: false);

    private static readonly Option<TimeSpan> Warmup = CreateDuration("--warmup", "Unmeasured phase before it.", new LoadGenOptions().Warmup, allowZero: true);

    private static readonly Option<TimeSpan> RequestTimeout = CreateDuration("--timeout", "Time limit for one request.", new LoadGenOptions().RequestTimeout, allowZero: false);

    private static readonly Option<int?> Accounts = new("--accounts")
    {
        HelpName = "N",
        Description = $"Accounts per workload (default: {StoreWorkload.DefaultAccounts} random recipients for store-*, {RetrieveWorkload.DefaultAccounts} pre-filled mailboxes for retrieve-50).",
        CustomParser = r => (int)ParseInteger(r, "--accounts", 1, int.MaxValue),
    };

    private static readonly Option<long> MaxRequests = new("--requests", "-n")
    {
        HelpName = "N",
        Description = "Stop after N measured requests (over all connections) even if the duration has not passed; 0 = no cap.",
        CustomParser = r => ParseInteger(r, "--requests", 0, long.MaxValue),
    };

    private static readonly Option<int[]> NodePid = new("--node-pid")
    {
        HelpName = "PID",
        Description = "The node's process id on this host: samples its RSS (/proc/PID/status VmRSS) and CPU during the measured phase. " +
            "Repeat it for several nodes: CPU is summed, RSS is the largest single node's.",
    };

    private static readonly Option<bool> Json = new("--json")
    {
        Description = "Write machine-readable JSON to stdout; progress and the text report go to stderr.",
    };

    public static RootCommand Create()
    {
        var root = new RootCommand(
            "End-to-end load generator for a running SessionNode (or any Session storage server): closed-loop HTTPS keep-alive " +
            "requests from N connections; reports req/s, latency percentiles, errors by status, node RSS and CPU.")
        {
            Target, Workload, Connections, Duration, Warmup, Accounts, RequestTimeout, MaxRequests, NodePid, Json,
        };
        root.SetAction((result, cancellationToken) => RunAsync(ToOptions(result), cancellationToken));

        var selfTest = new Command("self-test", "Offline checks of the histogram and request templates; needs no node.");
        selfTest.SetAction(_ => SelfTest.Run(Console.Out));
        root.Add(selfTest);
        return root;
    }

    private static LoadGenOptions ToOptions(ParseResult r) => new()
    {
        Targets = r.GetValue(Target) is { Length: > 0 } targets ? targets : new LoadGenOptions().Targets,
        Workloads = r.GetValue(Workload) is { Length: > 0 } names ? ExpandWorkloads(names) : new LoadGenOptions().Workloads,
        Connections = r.GetValue(Connections),
        Duration = r.GetValue(Duration),
        Warmup = r.GetValue(Warmup),
        Accounts = r.GetValue(Accounts),
        RequestTimeout = r.GetValue(RequestTimeout),
        MaxRequests = r.GetValue(MaxRequests),
        NodePids = r.GetValue(NodePid) ?? [],
        Json = r.GetValue(Json),
    };

    private static async Task<int> RunAsync(LoadGenOptions options, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        using var client = new SessionNodeClient(new SessionNodeClientOptions
        {
            BaseAddress = options.Target,
            RequestTimeout = options.RequestTimeout,
        });

        var results = new List<RunResult>();
        try
        {
            var offset = await client.SyncClockAsync(cancellationToken);
            var info = await client.InfoAsync(cancellationToken);
            log.WriteLine($"target {options.Target} ({options.Targets.Count} in all): version {string.Join('.', info.Version)}, hf {info.HardFork}, clock offset {offset.TotalMilliseconds:0} ms");

            var runner = new LoadRunner(options, log);
            foreach (var name in options.Workloads)
            {
                var workload = WorkloadCatalog.Find(name) ?? throw new InvalidOperationException($"Unknown workload '{name}'.");
                var result = await runner.RunAsync(workload, client, cancellationToken);
                results.Add(result);
                // With --json, stdout is for the machine and the text report joins the progress on stderr.
                var text = options.Json ? log : Console.Out;
                ReportWriter.WriteText(text, result);
                text.WriteLine();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or SessionNodeRpcException or SessionNodeProtocolException or TimeoutException)
        {
            log.WriteLine($"error: {e.Message}");
            return 1;
        }

        if (options.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            ReportWriter.WriteJson(stdout, results);
            stdout.Write("\n"u8);
        }

        return results.Any(r => r.Failed > 0) ? 3 : 0;
    }

    private static string[] ExpandWorkloads(string[] names) =>
        [.. names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .SelectMany(n => n.Equals("all", StringComparison.OrdinalIgnoreCase) ? WorkloadCatalog.All.Select(w => w.Name) : [n])];

    private static Option<string[]> CreateWorkloadOption()
    {
        var option = new Option<string[]>("--workload", "-w")
        {
            HelpName = "NAME",
            Description = "Workload(s), run in order; repeat the option, separate with commas, or use 'all':\n" +
                string.Join("\n", WorkloadCatalog.All.Select(w => $"  {w.Name}: {w.Description}")) +
                $"\nDefault: {string.Join(",", new LoadGenOptions().Workloads)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        option.Validators.Add(r =>
        {
            foreach (var name in ExpandWorkloads(r.GetValueOrDefault<string[]>() ?? []))
            {
                if (WorkloadCatalog.Find(name) is null)
                {
                    r.AddError($"Unknown workload '{name}'. Known: {string.Join(", ", WorkloadCatalog.All.Select(w => w.Name))}, all.");
                }
            }
        });
        return option;
    }

    private static Option<TimeSpan> CreateDuration(string name, string description, TimeSpan defaultValue, bool allowZero) => new(name)
    {
        HelpName = "TIME",
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => DurationParser.TryParse(r.Tokens.Single().Value, out var d) && (allowZero || d > TimeSpan.Zero)
            ? d
            : Fail<TimeSpan>(r, $"{name}: '{r.Tokens.Single().Value}' is not a {(allowZero ? string.Empty : "positive ")}duration such as 15s, 500ms or 2m."),
    };

    /// <summary>Parses an integer option's token and checks its range (a validator would throw on unparsable input).</summary>
    private static long ParseInteger(ArgumentResult r, string name, long min, long max)
    {
        var text = r.Tokens.Single().Value;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        r.AddError($"{name} must be an integer from {min} to {max}, not '{text}'.");
        return min;
    }

    private static T Fail<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
