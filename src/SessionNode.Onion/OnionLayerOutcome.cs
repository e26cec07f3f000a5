using System.Buffers;
using System.Security.Cryptography;
using SessionNode.Crypto;

namespace SessionNode.Onion;

/// <summary>What one decrypted layer asks this node to do (onion.md §6).</summary>
public enum OnionLayerKind
{
    /// <summary>Key <c>headers</c> present: run the blob as a storage RPC and encrypt the result (§8).</summary>
    Final,

    /// <summary>Neither <c>headers</c> nor <c>host</c>: relay the blob to <c>destination</c> (§7).</summary>
    RelayToNode,

    /// <summary>Key <c>host</c> present: POST the whole layer to an external server (§9).</summary>
    RelayToServer,

    /// <summary>Decrypted, but the layer is malformed: answer the encrypted 400 <c>Invalid json</c> (§6 step 4).</summary>
    ParseError,

    /// <summary>Could not decrypt: answer plain 400 <c>Invalid ciphertext</c> (§6 step 2).</summary>
    DecryptError,
}

/// <summary>
/// The result of peeling one layer. Owns the pooled plaintext buffer that <see cref="Plaintext"/> and
/// <see cref="Blob"/> point into: dispose it exactly once, after the blob has been used (relayed, executed
/// or proxied). Copies of this value share the buffer.
/// </summary>
public readonly struct OnionLayerOutcome : IDisposable
{
    private readonly byte[]? _rented;

    internal OnionLayerOutcome(OnionLayerKind kind, ChannelKey key, byte[]? rented, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> blob)
    {
        Kind = kind;
        Key = key;
        _rented = rented;
        Plaintext = plaintext;
        Blob = blob;
    }

    /// <summary>The classification.</summary>
    public OnionLayerKind Kind { get; }

    /// <summary>This layer's key: encrypts the final response or the <c>Invalid json</c>/<c>Invalid url</c> errors. Default for <see cref="OnionLayerKind.DecryptError"/>.</summary>
    public ChannelKey Key { get; }

    /// <summary>The whole decrypted layer (the exit's POST body, §9.3). Empty for <see cref="OnionLayerKind.DecryptError"/>.</summary>
    public ReadOnlyMemory<byte> Plaintext { get; }

    /// <summary>The layer's blob: the RPC body (final) or the next layer's ciphertext (relay).</summary>
    public ReadOnlyMemory<byte> Blob { get; }

    /// <summary>Final: the <c>json</c> flag (embed JSON results as a value).</summary>
    public bool JsonFlag { get; init; }

    /// <summary>Final: the <c>base64</c> flag (base64 the encrypted response); true by default.</summary>
    public bool Base64Flag { get; init; } = true;

    /// <summary>Relay: the next node's 32-byte Ed25519 key (empty otherwise). Like <see cref="Blob"/>, valid until disposal.</summary>
    public ReadOnlyMemory<byte> NextNode { get; init; }

    /// <summary>Relay: the next layer's 32-byte ephemeral key (empty otherwise). Like <see cref="Blob"/>, valid until disposal.</summary>
    public ReadOnlyMemory<byte> NextEphemeralKey { get; init; }

    /// <summary>Relay: the next layer's encryption type (aes-gcm when absent).</summary>
    public EncryptionType NextEncType { get; init; }

    /// <summary>Exit: the target with defaults applied (not yet checked against the allow-list).</summary>
    public OnionProxyTarget? ProxyTarget { get; init; }

    /// <summary>Why the layer was rejected (diagnostics only; never sent, never logged with payloads).</summary>
    public string? Error { get; init; }

    /// <summary>Wipes and returns the plaintext buffer.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            // The relay keys sit right after the plaintext (OnionProcessor.ProcessLayer rents room for them).
            CryptographicOperations.ZeroMemory(_rented.AsSpan(0, Math.Min(_rented.Length, Plaintext.Length + OnionProcessor.RelayKeysSize)));
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}
