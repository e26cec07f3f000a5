using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SessionNode.Client;
using SessionNode.Core;

namespace SessionNode.Rpc.Tests;

/// <summary>
/// Seeded mutation tests of the whole request path (envelope → parser → handler): valid requests of every
/// method, with values swapped for hostile ones (wrong JSON types, extreme numbers, huge or odd strings, deep or
/// wide containers), keys dropped, bytes flipped or cut. Every answer must be a clear 4xx/2xx — never an
/// escaped exception, never a 500 — and the node must keep serving afterwards. The seeds are fixed, so a failure
/// reproduces; the failing mutation is in the assertion message.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private const int MutationsPerSeed = 1500;

    private readonly HandlerFixture _f = new();
    private readonly RequestBuilder _requests;
    private readonly SessionAccount _user = SessionAccount.FromSessionSeed(Enumerable.Repeat((byte)7, 32).ToArray());
    private readonly SessionAccount _group = SessionAccount.FromGroupSeed(Enumerable.Repeat((byte)9, 32).ToArray());

    public HostileInputTests()
    {
        _requests = new RequestBuilder(_f.Clock);
    }

    public void Dispose() => _f.Dispose();

    private static readonly JsonNode?[] HostileValues =
    [
        null, true, false, 0, -1, 1, long.MaxValue, long.MinValue, ulong.MaxValue, 1e308, -1e308, 0.5, 1e-300,
        "", " ", "0", "-1", "18446744073709551616", "99999999999999999999999", "1e3", "0x10", "NaN", "all", "null",
        "05", "03" + new string('f', 64), "05" + new string('0', 64), new string('a', 43), new string('A', 88),
        "\u0000", "\uFFFD", "é", "=", "==", "////", new string('z', 70_000),
        new JsonArray(), new JsonArray(1, 2, 3), new JsonArray("a", null, 5), new JsonObject(),
        new JsonObject { ["method"] = "info", ["params"] = new JsonObject() },
    ];

    private IEnumerable<JsonObject> ValidRequests()
    {
        var now = _f.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var hash = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";
        var member = _user.CreateSubaccount(SubaccountFlags.Read | SubaccountFlags.Write, Enumerable.Repeat((byte)3, 32).ToArray());
        RpcRequest[] requests =
        [
            _requests.Store(_user.Id, Encoding.UTF8.GetBytes("hello")),
            _requests.Store(_user, Encoding.UTF8.GetBytes("signed"), new Namespace(5)),
            _requests.Store(_group, Encoding.UTF8.GetBytes("group"), new Namespace(11)),
            _requests.Store(member, Encoding.UTF8.GetBytes("member"), new Namespace(2)),
            _requests.Retrieve(_user),
            _requests.Retrieve(_user, new Namespace(-10), lastHash: hash, maxCount: 3, maxSize: -2),
            _requests.Info(),
            _requests.GetSwarm(_user.Id),
            _requests.Delete(_user, [hash]),
            _requests.DeleteAll(_user, NamespaceScope.All),
            _requests.DeleteBefore(_user, now),
            _requests.Expire(_user, [hash], now + 60_000, ExpireMode.Shorten),
            _requests.ExpireAll(_user, now + 60_000),
            _requests.GetExpiries(_user, [hash]),
            _requests.RevokeSubaccount(_group, [SubaccountToken.FromBytes(new byte[SubaccountToken.Length])]),
            _requests.UnrevokeSubaccount(_group, [SubaccountToken.FromBytes(new byte[SubaccountToken.Length])]),
            _requests.Batch(_requests.Info(), _requests.Retrieve(_user)),
            _requests.Sequence(_requests.Store(_user.Id, Encoding.UTF8.GetBytes("seq")), _requests.Retrieve(_user)),
            _requests.IfElse(new IfElseCondition { HardForkAtLeast = [19, 0] }, _requests.Info(), _requests.Retrieve(_user)),
            _requests.OxendRequest("get_service_nodes"),
        ];
        return requests.Select(r => (JsonObject)JsonNode.Parse(r.ToJsonBytes())!);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task MutatedRequests_NeverFailTheServer(int seed)
    {
        var rng = new Random(seed);
        var valid = ValidRequests().ToArray();
        for (var i = 0; i < MutationsPerSeed; i++)
        {
            var original = valid[rng.Next(valid.Length)];
            var (body, description) = Mutate(original, rng);
            RpcResult result;
            try
            {
                result = await _f.Handler.HandleEnvelopeAsync(body, _f.Handler.CreateContext(forwarded: rng.Next(4) == 0, CancellationToken.None));
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} #{i}: {description} threw {e.GetType().Name}: {e.Message}\n{Show(body)}");
                return;
            }

            Assert.True(result.Status is >= 200 and < 500 && result.Status != 500, $"seed {seed} #{i}: {description} → {result.Status} {result.BodyText}\n{Show(body)}");
            Assert.True(result.Body.Length > 0 || result.Status == 200, $"seed {seed} #{i}: {description} → {result.Status} with an empty body");
            result.ReleaseBody();
        }

        // Still serving: a fresh store and its retrieve work.
        var store = await _f.Handler.HandleEnvelopeAsync(
            _requests.Store(_user, Encoding.UTF8.GetBytes("after " + seed), new Namespace(42)).ToJsonBytes(),
            _f.Handler.CreateContext(forwarded: false, CancellationToken.None));
        Assert.True(store.Status == 200, store.BodyText);
        var retrieve = await _f.Handler.HandleEnvelopeAsync(_requests.Retrieve(_user, new Namespace(42)).ToJsonBytes(), _f.Handler.CreateContext(false, CancellationToken.None));
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("after " + seed)), retrieve.BodyText, StringComparison.Ordinal);
    }

    private static string Show(byte[] body) =>
        body.Length > 600 ? Encoding.UTF8.GetString(body, 0, 600) + "…" : Encoding.UTF8.GetString(body);

    private static (byte[] Body, string Description) Mutate(JsonObject original, Random rng)
    {
        var request = (JsonObject)original.DeepClone();
        var kind = rng.Next(10);
        if (kind >= 8)
        {
            // Byte-level damage to otherwise valid JSON.
            var bytes = Encoding.UTF8.GetBytes(request.ToJsonString());
            var at = rng.Next(bytes.Length);
            if (kind == 8)
            {
                return (bytes[..at], $"cut at {at}");
            }

            bytes[at] = (byte)rng.Next(256);
            return (bytes, $"byte {at} := {bytes[at]}");
        }

        // Structural: pick any object inside (params, a subrequest's params, ...) and damage one member.
        var objects = new List<JsonObject>();
        Collect(request, objects);
        var target = objects[rng.Next(objects.Count)];
        var keys = target.Select(p => p.Key).ToArray();
        if (keys.Length == 0 || kind == 7)
        {
            var name = rng.Next(3) == 0 ? "x" + rng.Next(100) : keys.Length > 0 ? keys[rng.Next(keys.Length)] + "_" : "method";
            target[name] = HostileValue(rng);
            return (Encoding.UTF8.GetBytes(request.ToJsonString()), $"added {name}");
        }

        var key = keys[rng.Next(keys.Length)];
        if (kind == 6)
        {
            target.Remove(key);
            return (Encoding.UTF8.GetBytes(request.ToJsonString()), $"removed {key}");
        }

        var value = HostileValue(rng);
        target[key] = value;
        return (Encoding.UTF8.GetBytes(request.ToJsonString()), $"{key} := {Describe(value)}");
    }

    private static JsonNode? HostileValue(Random rng)
    {
        var pick = rng.Next(HostileValues.Length + 3);
        if (pick < HostileValues.Length)
        {
            return HostileValues[pick]?.DeepClone();
        }

        return (pick - HostileValues.Length) switch
        {
            // Deep nesting and wide containers.
            0 => Nest(rng.Next(1, 200)),
            1 => new JsonArray([.. Enumerable.Range(0, rng.Next(1, 3000)).Select(i => (JsonNode)JsonValue.Create("h" + i))]),
            _ => JsonValue.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(rng.Next(0, 100)))),
        };
    }

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonObject();
        for (var i = 0; i < depth; i++)
        {
            node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["a"] = node };
        }

        return node;
    }

    private static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    private static void Collect(JsonNode? node, List<JsonObject> objects)
    {
        switch (node)
        {
            case JsonObject o:
                objects.Add(o);
                foreach (var (_, child) in o)
                {
                    Collect(child, objects);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, objects);
                }

                break;
        }
    }
}
