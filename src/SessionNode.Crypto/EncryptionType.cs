namespace SessionNode.Crypto;

/// <summary>Channel encryption types a node accepts (onion.md §3.1, §3.6).</summary>
public enum EncryptionType
{
    /// <summary>AES-256-GCM with K = HMAC-SHA256("LOKI", S); the default when <c>enc_type</c> is absent.</summary>
    AesGcm,

    /// <summary>XChaCha20-Poly1305 with K = BLAKE2b-256(S ‖ client public ‖ server public).</summary>
    XChaCha20,
}

/// <summary>Wire names, parsing and sizes of <see cref="EncryptionType"/>.</summary>
public static class EncryptionTypes
{
    /// <summary>AES-GCM nonce length.</summary>
    public const int AesGcmNonceSize = 12;

    /// <summary>XChaCha20-Poly1305 nonce length.</summary>
    public const int XChaCha20NonceSize = 24;

    /// <summary>Tag length of both AEADs.</summary>
    public const int TagSize = 16;

    /// <summary>
    /// Parses an <c>enc_type</c> value, case-sensitively: <c>aes-gcm</c>/<c>gcm</c> and
    /// <c>xchacha20</c>/<c>xchacha20-poly1305</c>. Everything else, including the legacy
    /// <c>aes-cbc</c>/<c>cbc</c> (onion.md §3.6 decision) and null, is false; an absent value means
    /// aes-gcm and is the caller's to handle.
    /// </summary>
    public static bool TryParse(string? value, out EncryptionType type)
    {
        switch (value)
        {
            case "aes-gcm":
            case "gcm":
                type = EncryptionType.AesGcm;
                return true;
            case "xchacha20":
            case "xchacha20-poly1305":
                type = EncryptionType.XChaCha20;
                return true;
            default:
                type = default;
                return false;
        }
    }

    /// <summary>The canonical name to emit: <c>aes-gcm</c> or <c>xchacha20</c>.</summary>
    public static string ToWireName(EncryptionType type) => type switch
    {
        EncryptionType.AesGcm => "aes-gcm",
        EncryptionType.XChaCha20 => "xchacha20",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown encryption type."),
    };

    /// <summary>Bytes a sealed message adds to its plaintext: nonce + tag (28 or 40).</summary>
    public static int Overhead(EncryptionType type) => NonceSize(type) + TagSize;

    /// <summary>Nonce length: 12 or 24.</summary>
    public static int NonceSize(EncryptionType type) => type switch
    {
        EncryptionType.AesGcm => AesGcmNonceSize,
        EncryptionType.XChaCha20 => XChaCha20NonceSize,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown encryption type."),
    };
}
