using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Crypto;
using SessionNode.Rpc;
using SessionNode.Storage;

namespace SessionNode.Rpc.Tests;

/// <summary>A request handler over a real RocksDB store in a temp folder, with a fake clock.</summary>
public sealed class HandlerFixture : IDisposable
{
    public const string NodeKeyHex = "2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12";

    private readonly string _dir;

    public HandlerFixture(long nowMs = 1_700_000_000_012, RpcOptions? rpc = null)
    {
        _dir = Path.Combine(Path.GetTempPath(), "sn-rpc-" + Guid.NewGuid().ToString("N"));
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        Store = MessageStore.Open(new MessageStoreOptions { Path = _dir }, Clock);
        NodeKeys = Ed25519KeyPair.FromSeed(Enumerable.Repeat((byte)0x42, 32).ToArray());
        var membership = StandaloneMembership.Create(NodeKeys, new NodeOptions(), rpc ?? new RpcOptions());
        Node = new NodeState(NodeKeys, membership, Clock, forceStart: false);
        Handler = new RequestHandler(Store, Node, NullLogger<RequestHandler>.Instance, []);
    }

    public FakeTimeProvider Clock { get; }

    public MessageStore Store { get; }

    public Ed25519KeyPair NodeKeys { get; }

    public NodeState Node { get; }

    public RequestHandler Handler { get; }

    public void SetNow(long ms) => Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    public Task<RpcResult> CallAsync(string json, bool forwarded = false) =>
        Handler.HandleEnvelopeAsync(Encoding.UTF8.GetBytes(json), Handler.CreateContext(forwarded, CancellationToken.None));

    public Task<RpcResult> CallAsync(string method, string paramsJson, bool forwarded = false) =>
        CallAsync($"{{\"method\":\"{method}\",\"params\":{paramsJson}}}", forwarded);

    public void Dispose()
    {
        Store.Dispose();
        NodeKeys.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
