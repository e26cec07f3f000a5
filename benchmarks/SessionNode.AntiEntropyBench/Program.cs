using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SessionNode.Core;
using SessionNode.Rpc.Peers;
using SessionNode.Storage;
using SessionNode.Testing;

// Anti-entropy benchmark (benchmarks/README.md): two real nodes of one swarm in this process on loopback,
// each holding N messages of which 1 % differ (missing writes, deletes, shortened expiries, revocations on
// either side). Measures the rounds until an in-sync round (wall time, bytes), then the CPU an in-sync
// round costs both nodes together (process CPU time over back-to-back rounds).
// Usage: sessionnode-aebench [messages=1000000] [accounts=100000] [idle-rounds=20]
var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var accountCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
var idleRounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;

var settings = new Dictionary<string, string?> { ["Network:AntiEntropyInterval"] = "00:00:00" };
await using var swarm = await TestSwarm.StartAsync([0UL, 0UL], settings);
var a = swarm[0].Services.GetRequiredService<MessageStore>();
var b = swarm[1].Services.GetRequiredService<MessageStore>();
var now = swarm[0].Time.GetUtcNow().ToUnixTimeMilliseconds();
var random = new Random(42);
var accounts = new AccountId[accountCount];
for (var i = 0; i < accounts.Length; i++)
{
    var raw = new byte[AccountId.Length];
    raw[0] = 0x05;
    random.NextBytes(raw.AsSpan(1));
    accounts[i] = AccountId.FromBytes(raw);
}

StoredMessage Message(int i) => new(accounts[i % accounts.Length], new Namespace(0), "aebench" + i.ToString("D12", CultureInfo.InvariantCulture), now, now + 86_400_000, BitConverter.GetBytes(i).Concat(new byte[96]).ToArray());

var fill = Stopwatch.StartNew();
for (var start = 0; start < messages; start += 10_000)
{
    var batch = Enumerable.Range(start, Math.Min(10_000, messages - start)).Select(Message).ToList();
    a.BulkStore(batch);
    b.BulkStore(batch);
}

Console.WriteLine($"filled {messages} messages x 2 ({accountCount} accounts) in {fill.Elapsed.TotalSeconds:F1} s");

// 1 % different, spread over both sides and the four kinds of difference.
var differences = messages / 100;
for (var i = 0; i < differences; i++)
{
    var x = i % 2 == 0 ? a : b;
    var m = Message(random.Next(messages));
    switch (i % 4)
    {
        case 0:
            x.Store(m.Account, m.Namespace, "aebench-only" + i.ToString("D8", CultureInfo.InvariantCulture), now, now + 86_400_000, new byte[100]);
            break;
        case 1:
            x.DeleteByHash(m.Account, [m.Hash]);
            break;
        case 2:
            x.UpdateExpiry(m.Account, [m.Hash], [now + 43_200_000], extendOnly: false, shortenOnly: true);
            break;
        default:
            var key = new byte[32];
            random.NextBytes(key);
            x.Revoke(m.Account, [SubaccountToken.Create(0x03, SubaccountFlags.Read, key)], now);
            break;
    }
}

var service = swarm[0].Services.GetRequiredService<AntiEntropyService>();
var converge = Stopwatch.StartNew();
long bytes = 0;
var rounds = 0;
while (true)
{
    var r = await service.RunRoundAsync(CancellationToken.None) ?? throw new InvalidOperationException("no peer");
    rounds++;
    bytes += r.BytesSent + r.BytesReceived;
    Console.WriteLine($"round {rounds}: differing leaves {r.DifferingLeaves}, pulled {r.Pulled}, pushed {r.Pushed}, {r.BytesSent + r.BytesReceived} bytes, {r.Duration.TotalSeconds:F2} s{(r.Error is null ? string.Empty : " (" + r.Error + ")")}");
    if (r.InSync)
    {
        break;
    }
}

converge.Stop();
var same = a.LeafDigests(0, MessageStore.LeafCount, now + 60_000).SequenceEqual(b.LeafDigests(0, MessageStore.LeafCount, now + 60_000));
Console.WriteLine($"converged: {differences} differences, {rounds} rounds, {converge.Elapsed.TotalSeconds:F1} s, {bytes / 1e6:F2} MB, digests equal: {same}");

// Idle: an in-sync swarm. CPU of both nodes (this process) per in-sync round.
using var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
var idle = Stopwatch.StartNew();
long idleBytes = 0;
for (var i = 0; i < idleRounds; i++)
{
    var r = await service.RunRoundAsync(CancellationToken.None);
    idleBytes += r!.BytesSent + r.BytesReceived;
}

idle.Stop();
process.Refresh();
var cpuPerRound = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / idleRounds;
Console.WriteLine($"in-sync round: {cpuPerRound:F1} ms CPU (both nodes), {idle.Elapsed.TotalMilliseconds / idleRounds:F1} ms wall, {idleBytes / idleRounds} bytes; at the 30 s default interval = {cpuPerRound / 30_000 * 100:F3} % of one core");

// Restart of one node: opening the store rebuilds the digest leaves by a full scan.
await swarm.StopNodeAsync(1);
var restart = Stopwatch.StartNew();
await swarm.RestartNodeAsync(1);
restart.Stop();
var reopened = swarm[1].Services.GetRequiredService<MessageStore>();
Console.WriteLine($"restart of a node holding {reopened.MessageCount} messages (digest rebuilt at open): {restart.Elapsed.TotalSeconds:F1} s; still in sync: {reopened.LeafDigests(0, MessageStore.LeafCount, now + 60_000).SequenceEqual(a.LeafDigests(0, MessageStore.LeafCount, now + 60_000))}");
