using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SessionNode.Crypto;
using SessionNode.Rpc;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Onion.Tests;

/// <summary>
/// An <see cref="OnionEndpoint"/> over a real request handler and RocksDB store in a temp folder, with a
/// fake clock; plus a minimal client-side onion builder for one-hop requests.
/// </summary>
internal sealed class EndpointFixture : IDisposable
{
    private readonly string _dir;
    private readonly X25519KeyPair _onionKeys;

    public EndpointFixture(
        long nowMs = 1_700_000_000_012,
        IOnionForwarder? forwarder = null,
        IOnionServerProxy? proxy = null,
        byte[]? seed = null,
        Func<Ed25519KeyPair, Membership>? membership = null)
    {
        _dir = Path.Combine(Path.GetTempPath(), "sn-onion-" + Guid.NewGuid().ToString("N"));
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        Store = MessageStore.Open(new MessageStoreOptions { Path = _dir }, Clock);
        NodeKeys = Ed25519KeyPair.FromSeed(seed ?? Enumerable.Repeat((byte)0x42, 32).ToArray());
        _onionKeys = NodeKeys.ToX25519();
        var members = membership?.Invoke(NodeKeys) ?? StandaloneMembership.Create(NodeKeys, new NodeOptions(), new RpcOptions());
        Node = new NodeState(NodeKeys, members, Clock, forceStart: false);
        Handler = new RequestHandler(Store, Node, NullLogger<RequestHandler>.Instance, []);
        Endpoint = new OnionEndpoint(Handler, Node, new OnionProcessor(_onionKeys), NullLogger<OnionEndpoint>.Instance, forwarder, proxy);
    }

    public FakeTimeProvider Clock { get; }

    public MessageStore Store { get; }

    public Ed25519KeyPair NodeKeys { get; }

    public NodeState Node { get; }

    public RequestHandler Handler { get; }

    public OnionEndpoint Endpoint { get; }

    public ReadOnlySpan<byte> OnionPublicKey => _onionKeys.PublicKey;

    public void SetNow(long ms) => Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    /// <summary>Builds a one-hop edge body whose layer (blob + control JSON) is encrypted to this node.</summary>
    public byte[] BuildBody(X25519KeyPair ephemeral, EncryptionType type, ReadOnlySpan<byte> blob, string controlJson, string? outerExtra = null, bool omitEncType = false)
    {
        var layer = OnionFraming.Build(blob, Encoding.UTF8.GetBytes(controlJson));
        var ciphertext = new ChannelEncryption(ephemeral, isServer: false).Encrypt(type, layer, OnionPublicKey);
        var encType = omitEncType ? string.Empty : ",\"enc_type\":\"" + EncryptionTypes.ToWireName(type) + "\"";
        var outer = "{\"ephemeral_key\":\"" + Convert.ToHexStringLower(ephemeral.PublicKey) + "\"" + encType + (outerExtra ?? string.Empty) + "}";
        return OnionFraming.Build(ciphertext, Encoding.UTF8.GetBytes(outer));
    }

    /// <summary>Decrypts a 200 reply (base64 unless <paramref name="base64"/> is false) into (inner status, body element).</summary>
    public (int Status, JsonElement Body) OpenReply(OnionReply reply, X25519KeyPair ephemeral, EncryptionType type, bool base64 = true)
    {
        Assert.Equal(200, reply.Status);
        var ciphertext = base64 ? Convert.FromBase64String(Encoding.ASCII.GetString(reply.Body.Span)) : reply.Body.ToArray();
        var plaintext = new ChannelEncryption(ephemeral, isServer: false).Decrypt(type, ciphertext, OnionPublicKey);
        var root = JsonDocument.Parse(plaintext).RootElement;
        Assert.Equal(["body", "status"], root.EnumerateObject().Select(p => p.Name));
        return (root.GetProperty("status").GetInt32(), root.GetProperty("body").Clone());
    }

    public void Dispose()
    {
        Endpoint.Dispose();
        _onionKeys.Dispose();
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

internal sealed class FakeForwarder(OnionReply reply) : IOnionForwarder
{
    public List<(OnionRelayRequest Request, byte[] Ciphertext, byte[] Ephemeral)> Calls { get; } = [];

    public Task<OnionReply> ForwardAsync(OnionRelayRequest request, CancellationToken cancellationToken)
    {
        Calls.Add((request, request.Ciphertext.ToArray(), request.EphemeralKey.ToArray()));
        return Task.FromResult(reply);
    }
}

internal sealed class FakeProxy(OnionProxyResponse response) : IOnionServerProxy
{
    public List<(string Url, byte[] Body)> Calls { get; } = [];

    public Task<OnionProxyResponse> PostAsync(OnionProxyRequest request, CancellationToken cancellationToken)
    {
        Calls.Add((request.Url, request.Body.ToArray()));
        return Task.FromResult(response);
    }
}
