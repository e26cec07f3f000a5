using System.CommandLine;
using System.Globalization;
using SessionNode.Daemon.Configuration;
using SessionNode.Rpc;

namespace SessionNode.Daemon.Commands;

/// <summary>
/// The node's command-line options, in our spellings and the reference's (storage.md §8.1), shared
/// by the root command, <c>run</c>, <c>check-config</c> and the config-file reader, and their mapping
/// onto configuration keys. Options carry no default values: defaults live in the options classes,
/// so an option that is not given leaves lower layers (file, environment) in charge.
/// </summary>
internal sealed class NodeCommandLineOptions
{
    private static readonly NodeOptions NodeDefaults = new();
    private static readonly DaemonOptions DaemonDefaults = new();

    public Option<string> DataDir { get; } = new("--data-dir")
    {
        HelpName = "DIR",
        Description = $"Folder for the node key, TLS certificate and database; created if missing. [Node:DataDir, default: {NodeDefaults.DataDir}]",
    };

    public Option<string> BindIp { get; } = new("--bind-ip")
    {
        HelpName = "IP",
        Description = $"Address the client HTTPS listener binds to (0.0.0.0 for all). [Node:BindIp, default: {NodeDefaults.BindIp}]",
    };

    public Option<int> HttpsPort { get; } = new("--https-port", "--port")
    {
        HelpName = "PORT",
        Description = $"Client HTTPS port; 0 picks a free one. --port is the reference's deprecated alias. [Node:HttpsPort, default: {NodeDefaults.HttpsPort}]",
    };

    public Option<int> PeerPort { get; } = new("--peer-port", "--omq-port", "--lmq-port")
    {
        HelpName = "PORT",
        Description = $"Peer (gRPC) port advertised to the network; --omq-port/--lmq-port are the reference's names. [Node:PeerPort, default: {NodeDefaults.PeerPort}]",
    };

    public Option<int> AdminPort { get; } = new("--admin-port")
    {
        HelpName = "PORT",
        Description = $"Admin HTTP port on 127.0.0.1 (GET /stats, check-reachability); 0 picks a free one, negative disables. [Node:AdminPort, default: {NodeDefaults.AdminPort}]",
    };

    public Option<string> PublicIp { get; } = new("--public-ip")
    {
        HelpName = "IPV4",
        Description = "IPv4 address advertised to clients in swarm lists; empty means the bind address. [Node:PublicIp, default: empty]",
    };

    public Option<string> LogLevel { get; } = CreateLogLevel();

    public Option<string> ConfigFile { get; } = new("--config-file")
    {
        HelpName = "PATH",
        Description = "Extra settings: a reference-format file (name=value per line, long option names without dashes, # comments) " +
            "or, if the name ends in .json, an appsettings-style JSON file. A given file must exist. " +
            $"[default: {DefaultConfigFile} if present]",
    };

    public Option<bool> DisableRateLimit { get; } = new("--disable-rate-limit")
    {
        Description = "Turn off the per-IP rate limit of /storage_rpc/v1 (testing, load generation). [Rpc:RateLimitEnabled=false]",
    };

    public Option<string> HardFork { get; } = CreateHardFork();

    public Option<long> StorageMaxBytes { get; } = new("--storage-max-bytes")
    {
        HelpName = "BYTES",
        Description = "Cap on the logical size of stored messages; stores beyond it are refused as full. [Storage:MaxLogicalBytes]",
    };

    public Option<bool> ForceStart { get; } = new("--force-start")
    {
        Description = "Answer client requests even when the node is not ready (debugging). [Node:ForceStart, default: false]",
    };

    public Option<bool> Testnet { get; } = new("--testnet")
    {
        Description = "Reference testnet mode. Accepted for compatibility; testnet rules are not implemented (a warning is logged). [Daemon:Testnet]",
    };

    public Option<string[]> StatsAccessKeys { get; } = new("--stats-access-key")
    {
        HelpName = "PUBKEY",
        AllowMultipleArgumentsPerToken = true, // the reference's CLI11 vector option: --stats-access-key K1 K2
        Description = "The reference's get_stats access key (64 hex); repeatable. Validated for compatibility and unused: get_stats is served on the loopback-only admin port. [Daemon:StatsAccessKeys]",
    };

    public Option<string> OxendRpc { get; } = new("--oxend-rpc")
    {
        HelpName = "URL",
        Description = "oxend's HTTP JSON-RPC URL (e.g. http://127.0.0.1:22023): selects Network:Mode oxend with it — node keys, service-node list, pings and reports. The reference's OxenMQ addresses (ipc://, tcp://) are not spoken: ignored with a warning. [Network:OxendRpcUrl]",
    };

    /// <summary>The reference's first positional argument, an old IP argument it ignores.</summary>
    public Argument<string> LegacyIp { get; } = new("ip") { Arity = ArgumentArity.ZeroOrOne, Hidden = true };

    /// <summary>The reference's second positional argument, a deprecated alias of --https-port.</summary>
    public Argument<int?> LegacyPort { get; } = new("port") { Arity = ArgumentArity.ZeroOrOne, Hidden = true };

    /// <summary>The reference's default config file (storage.md §8.2), derived from the default data folder.</summary>
    public static string DefaultConfigFile { get; } = Path.Combine(NodeDefaults.DataDir, "storage-server.conf");

    /// <summary>Every option, in help order.</summary>
    public IReadOnlyList<Option> All =>
    [
        DataDir, BindIp, HttpsPort, PeerPort, AdminPort, PublicIp, LogLevel, ConfigFile, DisableRateLimit, HardFork,
        StorageMaxBytes, ForceStart, Testnet, StatsAccessKeys, OxendRpc,
    ];

    /// <summary>Adds the options (and, for the commands that run a node, the legacy positionals) to <paramref name="command"/>.</summary>
    public void AddTo(Command command, bool legacyPositionals)
    {
        foreach (var option in All)
        {
            command.Add(option);
        }

        if (legacyPositionals)
        {
            command.Add(LegacyIp);
            command.Add(LegacyPort);
        }
    }

    /// <summary>The configuration keys for the options explicitly present in <paramref name="result"/>.</summary>
    public Dictionary<string, string?> ToSettings(ParseResult result, List<string> warnings)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        void Set<T>(Option<T> option, string key, Func<T, string> format)
        {
            if (result.GetResult(option) is { Implicit: false })
            {
                settings[key] = format(result.GetValue(option)!);
            }
        }

        Set(DataDir, "Node:DataDir", v => v);
        Set(BindIp, "Node:BindIp", v => v);
        Set(PeerPort, "Node:PeerPort", Invariant);
        Set(AdminPort, "Node:AdminPort", Invariant);
        Set(PublicIp, "Node:PublicIp", v => v);
        Set(ForceStart, "Node:ForceStart", Invariant);
        Set(LogLevel, "Daemon:LogLevel", v => v.ToLowerInvariant());
        Set(Testnet, "Daemon:Testnet", Invariant);
        if (result.GetResult(OxendRpc) is { Implicit: false } && result.GetValue(OxendRpc) is { } oxend)
        {
            // The reference always runs against its oxend (storage.md §8.1); ours reaches oxend over its
            // HTTP JSON-RPC, so an http(s) address selects the oxend membership source. OxenMQ addresses
            // (ipc://, tcp://) cannot be used and are only reported.
            if (Swarm.NetworkOptions.IsOxendRpcUrl(oxend))
            {
                settings["Network:Mode"] = "oxend";
                settings["Network:OxendRpcUrl"] = oxend;
            }
            else
            {
                settings["Daemon:OxendRpc"] = oxend;
                warnings.Add($"--oxend-rpc '{oxend}' is an OxenMQ address; this node reaches oxend over HTTP JSON-RPC: give http://host:port (oxend's RPC port) to use oxend.");
            }
        }
        Set(DisableRateLimit, "Rpc:RateLimitEnabled", v => Invariant(!v));
        Set(StorageMaxBytes, "Storage:MaxLogicalBytes", Invariant);
        if (result.GetResult(HardFork) is { Implicit: false } && TryParseHardFork(result.GetValue(HardFork), out var major, out var minor))
        {
            settings["Rpc:HardForkMajor"] = Invariant(major);
            settings["Rpc:HardForkMinor"] = Invariant(minor);
        }

        if (result.GetResult(StatsAccessKeys) is { Implicit: false })
        {
            var keys = result.GetValue(StatsAccessKeys) ?? [];
            for (var i = 0; i < keys.Length; i++)
            {
                settings[$"Daemon:StatsAccessKeys:{i}"] = keys[i];
            }
        }

        if (result.GetResult(LegacyIp) is { Implicit: false })
        {
            warnings.Add($"The positional IP argument '{result.GetValue(LegacyIp)}' is deprecated and ignored; use --bind-ip.");
        }

        if (result.GetValue(LegacyPort) is { } legacyPort)
        {
            warnings.Add("The positional port argument is deprecated; use --https-port.");
            settings.TryAdd("Node:HttpsPort", Invariant(legacyPort));
        }

        // --https-port wins over the positional port, as in the reference.
        Set(HttpsPort, "Node:HttpsPort", Invariant);
        return settings;
    }

    /// <summary>Parses a hard fork given as "MAJOR" or "MAJOR.MINOR" (e.g. "19.4").</summary>
    public static bool TryParseHardFork(string? text, out int major, out int minor)
    {
        (major, minor) = (0, 0);
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var majorText = dot < 0 ? text : text[..dot];
        var minorText = dot < 0 ? "0" : text[(dot + 1)..];
        return int.TryParse(majorText, NumberStyles.None, CultureInfo.InvariantCulture, out major)
            && int.TryParse(minorText, NumberStyles.None, CultureInfo.InvariantCulture, out minor);
    }

    private static Option<string> CreateLogLevel()
    {
        var option = new Option<string>("--log-level")
        {
            HelpName = "LEVEL",
            Description = $"Log level: {string.Join(", ", LogLevelNames.All)}. [Daemon:LogLevel, default: {DaemonDefaults.LogLevel}]",
        };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. LogLevelNames.Accepted]);
        return option;
    }

    private static Option<string> CreateHardFork()
    {
        var defaults = new RpcOptions();
        var option = new Option<string>("--hf")
        {
            HelpName = "MAJOR.MINOR",
            Description = $"Network hard fork reported to clients while no oxend is configured. [Rpc:HardForkMajor/Minor, default: {defaults.HardForkMajor}.{defaults.HardForkMinor}]",
        };
        option.Validators.Add(r =>
        {
            if (!TryParseHardFork(r.GetValueOrDefault<string>(), out _, out _))
            {
                r.AddError($"--hf '{r.GetValueOrDefault<string>()}' is not a hard fork such as 19.4.");
            }
        });
        return option;
    }

    private static string Invariant<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Invariant(bool value) => value ? "true" : "false";
}
