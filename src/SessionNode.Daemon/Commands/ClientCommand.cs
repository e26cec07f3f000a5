using System.CommandLine;
using System.Text;
using SessionNode.Client;
using SessionNode.Core;

namespace SessionNode.Daemon.Commands;

/// <summary>
/// <c>sessionnode client …</c>: try a node from the shell through <see cref="SessionNodeClient"/>
/// (keygen, store, retrieve, delete, expire, get-swarm, info). Accounts come from a 32-byte Ed25519
/// seed given in hex (a Session ID is derived from it, as Session clients do).
/// </summary>
internal static class ClientCommand
{
    private const int Failure = 1;

    public static Command Create()
    {
        var target = new Option<string>("--target")
        {
            Description = "Base address of the node's client HTTPS API.",
            DefaultValueFactory = _ => "https://127.0.0.1:22021",
            Recursive = true,
        };

        var client = new Command("client", "Talk to a node's client API (/storage_rpc/v1) from the shell.");
        client.Options.Add(target);
        client.Subcommands.Add(Keygen());
        client.Subcommands.Add(Info(target));
        client.Subcommands.Add(GetSwarm(target));
        client.Subcommands.Add(Store(target));
        client.Subcommands.Add(Retrieve(target));
        client.Subcommands.Add(Delete(target));
        client.Subcommands.Add(Expire(target));
        return client;
    }

    private static Option<string> SeedOption(bool required = true) => new("--seed")
    {
        Description = "Account Ed25519 seed, 64 hex digits (see `client keygen`).",
        Required = required,
    };

    private static Option<short> NamespaceOption() => new("--namespace")
    {
        Description = "Message namespace (-32768..32767).",
        DefaultValueFactory = _ => 0,
    };

    private static Command Keygen()
    {
        var command = new Command("keygen", "Generate a new account seed and print it with its Session ID.");
        command.SetAction(result =>
        {
            var seed = new byte[32];
            System.Security.Cryptography.RandomNumberGenerator.Fill(seed);
            using var account = SessionAccount.FromSessionSeed(seed);
            result.InvocationConfiguration.Output.WriteLine($"seed:       {Convert.ToHexStringLower(seed)}");
            result.InvocationConfiguration.Output.WriteLine($"session id: {account.PubkeyHex}");
            return 0;
        });
        return command;
    }

    private static Command Info(Option<string> target)
    {
        var command = new Command("info", "Print the node's version, clock and hard fork.");
        command.SetAction((result, ct) => RunAsync(result, target, async (client, output) =>
        {
            var info = await client.InfoAsync(ct);
            await output.WriteLineAsync($"version {string.Join('.', info.Version)}, time {info.NodeTime}, hf {info.HardFork}");
        }));
        return command;
    }

    private static Command GetSwarm(Option<string> target)
    {
        var pubkey = new Argument<string>("pubkey") { Description = "Account id, 66 hex digits." };
        var command = new Command("get-swarm", "Print the swarm serving an account.");
        command.Arguments.Add(pubkey);
        command.SetAction((result, ct) => RunAsync(result, target, async (client, output) =>
        {
            var swarm = await client.GetSwarmAsync(AccountId.ParseHex(result.GetValue(pubkey)!), ct);
            await output.WriteLineAsync($"swarm {swarm.SwarmId}");
            foreach (var node in swarm.Snodes)
            {
                await output.WriteLineAsync($"  {node.PubkeyEd25519} {node.Ip}:{node.PortHttps}");
            }
        }));
        return command;
    }

    private static Command Store(Option<string> target)
    {
        var seed = SeedOption(required: false);
        var to = new Option<string>("--to") { Description = "Store unauthenticated into this account (66 hex) instead of --seed's own." };
        var ns = NamespaceOption();
        var ttl = new Option<long>("--ttl") { Description = "Lifetime in ms (10 000 .. 14/30 days).", DefaultValueFactory = _ => 86_400_000 };
        var data = new Argument<string>("data") { Description = "Message text (UTF-8)." };
        var command = new Command("store", "Store a message; signed with --seed when the namespace needs it.");
        command.Options.Add(seed);
        command.Options.Add(to);
        command.Options.Add(ns);
        command.Options.Add(ttl);
        command.Arguments.Add(data);
        command.SetAction((result, ct) => RunAsync(result, target, async (client, output) =>
        {
            var bytes = Encoding.UTF8.GetBytes(result.GetValue(data)!);
            var lifetime = TimeSpan.FromMilliseconds(result.GetValue(ttl));
            StoreResult stored;
            if (result.GetValue(to) is { } recipient)
            {
                stored = await client.StoreAsync(AccountId.ParseHex(recipient), bytes, new Namespace(result.GetValue(ns)), lifetime, cancellationToken: ct);
            }
            else
            {
                using var account = Account(result.GetValue(seed));
                stored = await client.StoreAsync(account, bytes, new Namespace(result.GetValue(ns)), lifetime, cancellationToken: ct);
            }

            await output.WriteLineAsync($"hash {stored.Hash ?? stored.ExpectedHash}");
            await WriteEntriesAsync(output, stored.Swarm.Select(e => (e.Key, e.Value.Failed, $"expiry {e.Value.Expiry}{(e.Value.Already ? " (already stored)" : string.Empty)}")));
        }));
        return command;
    }

    private static Command Retrieve(Option<string> target)
    {
        var seed = SeedOption();
        var ns = NamespaceOption();
        var lastHash = new Option<string>("--last-hash") { Description = "Return only messages after this hash." };
        var maxCount = new Option<int?>("--max-count") { Description = "At most this many messages." };
        var command = new Command("retrieve", "Retrieve (signed) the messages of one namespace of the seed's account.");
        command.Options.Add(seed);
        command.Options.Add(ns);
        command.Options.Add(lastHash);
        command.Options.Add(maxCount);
        command.SetAction((result, ct) => RunAsync(result, target, async (client, output) =>
        {
            using var account = Account(result.GetValue(seed));
            var r = await client.RetrieveAsync(account, new Namespace(result.GetValue(ns)), result.GetValue(lastHash), result.GetValue(maxCount), cancellationToken: ct);
            foreach (var m in r.Messages)
            {
                await output.WriteLineAsync($"{m.Hash} t={m.Timestamp} expiry={m.Expiry} data={Printable(m.Data.Span)}");
            }

            await output.WriteLineAsync($"{r.Messages.Count} message(s){(r.More ? ", more available" : string.Empty)}");
        }));
        return command;
    }

    private static Command Delete(Option<string> target)
    {
        var seed = SeedOption();
        var hashes = new Argument<string[]>("hashes") { Description = "Message hashes to delete.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete messages of the seed's account by hash (all swarm members).");
        command.Options.Add(seed);
        command.Arguments.Add(hashes);
        command.SetAction((result, ct) => RunAsync(result, target, async (client, output) =>
        {
            using var account = Account(result.GetValue(seed));
            var r = await client.DeleteAsync(account, result.GetValue(hashes)!, cancellationToken: ct);
            await WriteEntriesAsync(output, r.Swarm.Select(e => (e.Key, e.Value.Failed, "deleted " + string.Join(' ', e.Value.Deleted))));
        }));
        return command;
    }

    private static Command Expire(Option<string> target)
    {
        var seed = SeedOption();
        var expiry = new Option<long>("--expiry") { Description = "New expiry, ms since the Unix epoch.", Required = true };
        var extend = new Option<bool>("--extend") { Description = "Only raise expiries." };
        var shorten = new Option<bool>("--shorten") { Description = "Only lower expiries." };
        var hashes = new Argument<string[]>("hashes") { Description = "Message hashes.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("expire", "Change the expiry of messages of the seed's account.");
        command.Options.Add(seed);
        command.Options.Add(expiry);
        command.Options.Add(extend);
        command.Options.Add(shorten);
        command.Arguments.Add(hashes);
        command.SetAction((result, ct) => RunAsync(result, target, async (client, output) =>
        {
            using var account = Account(result.GetValue(seed));
            var mode = result.GetValue(extend) ? ExpireMode.Extend : result.GetValue(shorten) ? ExpireMode.Shorten : ExpireMode.Set;
            var r = await client.ExpireAsync(account, result.GetValue(hashes)!, result.GetValue(expiry), mode, ct);
            await WriteEntriesAsync(output, r.Swarm.Select(e => (e.Key, e.Value.Failed, "updated " + string.Join(' ', e.Value.Updated))));
        }));
        return command;
    }

    private static SessionAccount Account(string? seedHex)
    {
        var seed = new byte[32];
        if (seedHex is null || !Hex.TryDecode(seedHex, seed))
        {
            throw new ArgumentException("--seed must be 64 hex digits.");
        }

        return SessionAccount.FromSessionSeed(seed);
    }

    private static async Task<int> RunAsync(ParseResult result, Option<string> target, Func<SessionNodeClient, TextWriter, Task> action)
    {
        var output = result.InvocationConfiguration.Output;
        try
        {
            if (!Uri.TryCreate(result.GetValue(target), UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("https" or "http"))
            {
                throw new ArgumentException("--target must be an absolute http(s) URL, e.g. https://127.0.0.1:22021");
            }

            using var client = new SessionNodeClient(new SessionNodeClientOptions { BaseAddress = baseAddress });
            await action(client, output);
            return 0;
        }
        catch (SessionNodeRpcException e)
        {
            await result.InvocationConfiguration.Error.WriteLineAsync($"error: HTTP {e.StatusCode}: {e.Body}");
        }
        catch (Exception e) when (e is HttpRequestException or ArgumentException or FormatException or TaskCanceledException)
        {
            await result.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
        }

        return Failure;
    }

    private static async Task WriteEntriesAsync(TextWriter output, IEnumerable<(string Node, bool Failed, string Text)> entries)
    {
        foreach (var (node, failed, text) in entries)
        {
            await output.WriteLineAsync($"  {node[..16]}… {(failed ? "FAILED" : text)}");
        }
    }

    private static string Printable(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        return text.All(c => !char.IsControl(c)) ? text : Convert.ToBase64String(data);
    }
}
