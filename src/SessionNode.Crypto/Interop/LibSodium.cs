using System.Runtime.InteropServices;
using NSec.Cryptography;

namespace SessionNode.Crypto.Interop;

/// <summary>
/// The only P/Invoke surface of this project: direct calls into the libsodium that NSec bundles
/// (same native library, so the same version and CPU-specific code paths NSec uses).
/// </summary>
/// <remarks>
/// Why not NSec for these:
/// <list type="bullet">
/// <item><c>crypto_sign_ed25519_pk_to_curve25519</c>: NSec does not expose it, and client-rpc.md §6.3
/// requires libsodium's exact point checks (small order, non-canonical, not on the main subgroup).</item>
/// <item><c>crypto_scalarmult_curve25519</c>: NSec's <c>Agree</c> puts every shared secret into a fresh
/// guarded <c>sodium_malloc</c> block (mmap + mprotect + mlock) and needs an export array to get the
/// raw bytes the onion KDFs hash: about 40% more CPU and 184 B per onion hop (see the
/// <c>X25519Benchmarks</c> baseline).</item>
/// <item><c>crypto_aead_xchacha20poly1305_ietf_*</c>: NSec's AEAD API requires a <c>Key</c> object, i.e. a
/// <c>sodium_malloc</c> block plus two managed objects per derived layer key; calling the very function NSec
/// wraps keeps seal/open allocation-free and 10-25x faster (see <c>NSecAeadBaselineBenchmarks</c>).</item>
/// <item><c>crypto_aead_aes256gcm_*</c>: the BCL's <c>AesGcm</c> needs an instance (a managed object and an
/// OpenSSL cipher context) per derived layer key; libsodium's takes the key per call and allocates nothing.
/// It exists only on CPUs with AES-NI + PCLMUL (x86-64) or the ARMv8 crypto extensions, so callers check
/// <c>crypto_aead_aes256gcm_is_available</c> and keep the BCL as the fallback (<c>AesGcmCipher</c>).</item>
/// <item><c>crypto_auth_hmacsha256_*</c>: the aes-gcm layer key is HMAC-SHA256 under the constant key "LOKI";
/// libsodium's state is a plain struct, so the keyed (ipad/opad) state is computed once and copied per layer,
/// two SHA-256 blocks instead of the BCL one-shot's four plus an OpenSSL MAC context (0.36 vs 1.1 µs).</item>
/// </list>
/// The static constructor touches an NSec algorithm first: NSec runs <c>sodium_init</c> (CPU feature
/// detection selects the fast X25519/ChaCha implementations) and installs its misuse handler.
/// Every span passed here has been length-checked by the caller.
/// </remarks>
internal static partial class LibSodium
{
    private const string Library = "libsodium";

    public const int XChaChaKeyBytes = 32;
    public const int XChaChaNonceBytes = 24;
    public const int XChaChaTagBytes = 16;

    public const int AesGcmKeyBytes = 32;
    public const int AesGcmNonceBytes = 12;
    public const int AesGcmTagBytes = 16;

#pragma warning disable CA1810 // Explicit static constructor: its side effect (sodium_init) must precede every P/Invoke.
    static LibSodium()
    {
        _ = KeyAgreementAlgorithm.X25519;
        _ = SignatureAlgorithm.Ed25519;
    }
#pragma warning restore CA1810

    /// <summary>Ed25519 base-point multiplication of a scalar without clamping; -1 if the scalar is 0 (mod L).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_ed25519_base_noclamp(Span<byte> q, ReadOnlySpan<byte> n);

    /// <summary>Montgomery u-coordinate of an Ed25519 public key; -1 for invalid or small-order points.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_sign_ed25519_pk_to_curve25519(Span<byte> curve25519Pk, ReadOnlySpan<byte> ed25519Pk);

    /// <summary>X25519(n, p) into q; -1 (q zeroed by us) when the result is all zeros.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p);

    /// <summary>X25519(n, 9) into q.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519_base(Span<byte> q, ReadOnlySpan<byte> n);

    /// <summary>Writes ciphertext ‖ tag (mlen + 16 bytes) to c.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_xchacha20poly1305_ietf_encrypt(
        Span<byte> c,
        out ulong clen,
        ReadOnlySpan<byte> m,
        ulong mlen,
        nint ad,
        ulong adlen,
        nint nsec,
        ReadOnlySpan<byte> npub,
        ReadOnlySpan<byte> k);

    /// <summary>Verifies and decrypts ciphertext ‖ tag into m; -1 on a bad tag.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_xchacha20poly1305_ietf_decrypt(
        Span<byte> m,
        out ulong mlen,
        nint nsec,
        ReadOnlySpan<byte> c,
        ulong clen,
        nint ad,
        ulong adlen,
        ReadOnlySpan<byte> npub,
        ReadOnlySpan<byte> k);

    /// <summary>1 when this CPU has libsodium's AES-256-GCM (hardware AES and carry-less multiply), else 0.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_is_available();

    /// <summary>Writes ciphertext ‖ tag (mlen + 16 bytes) to c.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_encrypt(
        Span<byte> c,
        out ulong clen,
        ReadOnlySpan<byte> m,
        ulong mlen,
        nint ad,
        ulong adlen,
        nint nsec,
        ReadOnlySpan<byte> npub,
        ReadOnlySpan<byte> k);

    /// <summary>Verifies and decrypts ciphertext ‖ tag into m; -1 on a bad tag.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_decrypt(
        Span<byte> m,
        out ulong mlen,
        nint nsec,
        ReadOnlySpan<byte> c,
        ulong clen,
        nint ad,
        ulong adlen,
        ReadOnlySpan<byte> npub,
        ReadOnlySpan<byte> k);

    /// <summary>sizeof(crypto_auth_hmacsha256_state): two SHA-256 states (ipad and opad), no pointers.</summary>
    [LibraryImport(Library)]
    public static partial nuint crypto_auth_hmacsha256_statebytes();

    /// <summary>Keys an HMAC-SHA256 state (any key length).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256_init(Span<byte> state, ReadOnlySpan<byte> key, nuint keylen);

    /// <summary>Absorbs inlen bytes.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256_update(Span<byte> state, ReadOnlySpan<byte> @in, ulong inlen);

    /// <summary>Writes the 32-byte MAC to @out.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_auth_hmacsha256_final(Span<byte> state, Span<byte> @out);
}
