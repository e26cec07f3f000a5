using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SessionNode.Core;

/// <summary>
/// An account ("owner") id: one network-prefix byte followed by 32 key bytes (client-rpc.md §3.2).
/// Prefix 0x05 is a Session ID (X25519 key); 0x03 a closed group (Ed25519 key); any other prefix is
/// accepted and its key treated as Ed25519. Accounts with the same key and different prefixes differ.
/// </summary>
public readonly struct AccountId : IEquatable<AccountId>
{
    /// <summary>Length of the raw id in bytes.</summary>
    public const int Length = 33;

    /// <summary>Length of the key part in bytes.</summary>
    public const int KeyLength = 32;

    /// <summary>Prefix of Session IDs (X25519 key).</summary>
    public const byte SessionPrefix = 0x05;

    /// <summary>Prefix of closed (v2) groups (Ed25519 key).</summary>
    public const byte GroupPrefix = 0x03;

    private readonly Bytes33 _bytes;

    private AccountId(ReadOnlySpan<byte> raw)
    {
        raw.CopyTo(_bytes);
    }

    /// <summary>The network prefix byte.</summary>
    public byte Prefix => _bytes[0];

    /// <summary>The raw 33 bytes (prefix ‖ key).</summary>
    public ReadOnlySpan<byte> Span => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), Length);

    /// <summary>The 32 key bytes without the prefix.</summary>
    public ReadOnlySpan<byte> Key => Span[1..];

    /// <summary>True for a Session ID (prefix 05).</summary>
    public bool IsSessionId => Prefix == SessionPrefix;

    /// <summary>Creates an id from its raw 33 bytes.</summary>
    public static AccountId FromBytes(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Length)
        {
            throw new ArgumentException("An account id is exactly 33 bytes.", nameof(raw));
        }

        return new AccountId(raw);
    }

    /// <summary>Creates an id from a prefix and a 32-byte key.</summary>
    public static AccountId FromPrefixAndKey(byte prefix, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException("An account key is exactly 32 bytes.", nameof(key));
        }

        Span<byte> raw = stackalloc byte[Length];
        raw[0] = prefix;
        key.CopyTo(raw[1..]);
        return new AccountId(raw);
    }

    /// <summary>
    /// Parses the JSON form: 66 hex digits (either case) or a string whose UTF-8 encoding is exactly
    /// 33 bytes (taken as the raw id; an upstream quirk kept for compatibility).
    /// </summary>
    public static bool TryParse(string? text, out AccountId id)
    {
        id = default;
        if (text is null)
        {
            return false;
        }

        if (text.Length == Length * 2)
        {
            Span<byte> raw = stackalloc byte[Length];
            if (Hex.TryDecode(text, raw))
            {
                id = new AccountId(raw);
                return true;
            }
        }

        if (System.Text.Encoding.UTF8.GetByteCount(text) == Length)
        {
            Span<byte> raw = stackalloc byte[Length];
            System.Text.Encoding.UTF8.GetBytes(text, raw);
            id = new AccountId(raw);
            return true;
        }

        return false;
    }

    /// <summary>Parses 66 hex digits; throws <see cref="FormatException"/> otherwise.</summary>
    public static AccountId ParseHex(string hex)
    {
        Span<byte> raw = stackalloc byte[Length];
        if (hex.Length != Length * 2 || !Hex.TryDecode(hex, raw))
        {
            throw new FormatException("Account id must be 66 hex digits.");
        }

        return new AccountId(raw);
    }

    /// <summary>
    /// The 64-bit "swarm space" position of this account: the XOR of the four big-endian 64-bit
    /// words of the key (the prefix is ignored; swarm.md §5).
    /// </summary>
    public ulong SwarmSpace
    {
        get
        {
            var k = Key;
            return BinaryPrimitives.ReadUInt64BigEndian(k)
                ^ BinaryPrimitives.ReadUInt64BigEndian(k[8..])
                ^ BinaryPrimitives.ReadUInt64BigEndian(k[16..])
                ^ BinaryPrimitives.ReadUInt64BigEndian(k[24..]);
        }
    }

    /// <summary>Lowercase 66-hex form (PUBKEY_HEX of the node signatures).</summary>
    public string ToHex() => Convert.ToHexStringLower(Span);

    /// <summary>Privacy-preserving short form for logs: first two key bytes … last key byte.</summary>
    public string ToObfuscated()
    {
        var k = Key;
        return string.Concat(Convert.ToHexStringLower(k[..2]), "\u2026", Convert.ToHexStringLower(k[^1..]));
    }

    /// <inheritdoc />
    public override string ToString() => ToHex();

    /// <inheritdoc />
    public bool Equals(AccountId other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AccountId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hc = new HashCode();
        hc.AddBytes(Span);
        return hc.ToHashCode();
    }

    public static bool operator ==(AccountId left, AccountId right) => left.Equals(right);

    public static bool operator !=(AccountId left, AccountId right) => !left.Equals(right);

    [InlineArray(Length)]
    private struct Bytes33
    {
        private byte _b0;
    }
}
