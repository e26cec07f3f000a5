using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SessionNode.Swarm;

/// <summary>
/// The byte strings of peer authentication. The caller signs
/// <c>"sessionnode-peer-auth" ‖ callee_ed25519 ‖ caller_ed25519 ‖ decimal(timestamp_ms)</c>; the
/// callee answers with a token and signs <c>"sessionnode-peer-ack" ‖ token</c>, so each side proves
/// its key to the other.
/// </summary>
public static class PeerAuth
{
    /// <summary>Accepted difference between the caller's timestamp and the callee's clock.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>Lifetime of an issued token.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Metadata key carrying the token on every other RPC.</summary>
    public const string TokenHeader = "sn-token";

    private static ReadOnlySpan<byte> AuthDomain => "sessionnode-peer-auth"u8;

    private static ReadOnlySpan<byte> AckDomain => "sessionnode-peer-ack"u8;

    /// <summary>What the caller signs.</summary>
    public static byte[] AuthMessage(ReadOnlySpan<byte> callee, ReadOnlySpan<byte> caller, long timestampMs)
    {
        var ts = Encoding.ASCII.GetBytes(timestampMs.ToString(CultureInfo.InvariantCulture));
        return [.. AuthDomain, .. callee, .. caller, .. ts];
    }

    /// <summary>What the callee signs.</summary>
    public static byte[] AckMessage(string token) => [.. AckDomain, .. Encoding.UTF8.GetBytes(token)];
}

/// <summary>
/// Issues and checks session tokens: <c>base64(caller_ed25519 ‖ expiry_ms BE64 ‖ HMAC-SHA256(secret,
/// caller_ed25519 ‖ expiry_ms BE64))</c>. The secret is random per process, so tokens die with a
/// restart (callers re-authenticate on <c>Unauthenticated</c>).
/// </summary>
public sealed class PeerTokenIssuer : IDisposable
{
    private const int KeyLength = 32;
    private const int PayloadLength = KeyLength + sizeof(long);
    private const int TokenLength = PayloadLength + 32;

    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);

    /// <summary>A token for <paramref name="caller"/> valid until <paramref name="expiresMs"/>.</summary>
    public string Issue(ReadOnlySpan<byte> caller, long expiresMs)
    {
        if (caller.Length != KeyLength)
        {
            throw new ArgumentException("caller key must be 32 bytes", nameof(caller));
        }

        Span<byte> token = stackalloc byte[TokenLength];
        caller.CopyTo(token);
        BinaryPrimitives.WriteInt64BigEndian(token[KeyLength..], expiresMs);
        HMACSHA256.HashData(_secret, token[..PayloadLength], token[PayloadLength..]);
        return Convert.ToBase64String(token);
    }

    /// <summary>True if the token is ours, intact and not expired at <paramref name="nowMs"/>; yields the caller's key.</summary>
    public bool TryValidate(string? token, long nowMs, out byte[] caller)
    {
        caller = [];
        Span<byte> raw = stackalloc byte[TokenLength + 3];
        if (string.IsNullOrEmpty(token) || !Convert.TryFromBase64String(token, raw, out var written) || written != TokenLength)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, raw[..PayloadLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, raw[PayloadLength..TokenLength]))
        {
            return false;
        }

        if (BinaryPrimitives.ReadInt64BigEndian(raw[KeyLength..PayloadLength]) <= nowMs)
        {
            return false;
        }

        caller = raw[..KeyLength].ToArray();
        return true;
    }

    /// <summary>Wipes the secret.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_secret);
}
