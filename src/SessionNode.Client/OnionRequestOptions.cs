using SessionNode.Crypto;

namespace SessionNode.Client;

/// <summary>How an onion request is written (onion.md §5.2, §8, §12). Init-only; defaults suit new code.</summary>
public sealed record OnionRequestOptions
{
    /// <summary>The shared default options.</summary>
    public static readonly OnionRequestOptions Default = new();

    /// <summary>
    /// Encryption of every layer whose hop or server does not set its own. Default: <see cref="EncryptionType.XChaCha20"/>
    /// (onion.md §3.6: the client default for new code; nodes still default to aes-gcm when <c>enc_type</c> is absent).
    /// </summary>
    public EncryptionType EncType { get; init; } = EncryptionType.XChaCha20;

    /// <summary>
    /// Write <c>"enc_type":"aes-gcm"</c> for aes-gcm layers. Default: true. False omits the key for aes-gcm layers
    /// (the node's default), as Desktop and Android do (vector <c>e2e-snode-aesgcm-no-enctype</c>); xchacha20 layers
    /// always carry it.
    /// </summary>
    public bool EmitAesGcmEncType { get; init; } = true;

    /// <summary>
    /// The <c>json</c> flag of a service-node destination's control JSON: true asks the node to embed a JSON result
    /// instead of carrying it as a string (§8.2). Default: null (omitted, the node's default false).
    /// </summary>
    public bool? Json { get; init; }

    /// <summary>
    /// The <c>base64</c> flag: false asks the node for raw ciphertext instead of base64 text (§8.3). Default: null
    /// (omitted, the node's default true).
    /// </summary>
    public bool? Base64 { get; init; }

    /// <summary>
    /// The exact control JSON of a service-node destination's layer, replacing the generated
    /// <c>{"base64":…,"headers":{},"json":…}</c> (for compatibility tests, e.g. Desktop's <c>{"body":null,"headers":{}}</c>
    /// or libsession's <c>{"headers":""}</c>). It must contain <c>headers</c>. Default: null (generated).
    /// </summary>
    public string? ControlJson { get; init; }

    /// <summary>
    /// The starting hop counter written to the outer JSON as <c>hop_no</c> (§5.2; nodes reject values above 15 at
    /// a relay). Default: null (omitted, i.e. 0).
    /// </summary>
    public int? HopNo { get; init; }
}
