namespace SessionNode.Core;

/// <summary>Subaccount permission flags (client-rpc.md §6.4).</summary>
[Flags]
public enum SubaccountFlags : byte
{
    None = 0,
    Read = 0x01,
    Write = 0x02,
    Delete = 0x04,
    AnyPrefix = 0x08,
}

/// <summary>
/// A 36-byte subaccount token: prefix(1) ‖ flags(1) ‖ reserved(2) ‖ subaccount Ed25519 key(32).
/// Revocation matches the whole 36 bytes, flags included.
/// </summary>
public sealed class SubaccountToken : IEquatable<SubaccountToken>
{
    /// <summary>Token length in bytes.</summary>
    public const int Length = 36;

    private readonly byte[] _bytes;

    private SubaccountToken(byte[] bytes) => _bytes = bytes;

    /// <summary>Creates a token from its raw bytes (copied).</summary>
    public static SubaccountToken FromBytes(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Length)
        {
            throw new ArgumentException("A subaccount token is exactly 36 bytes.", nameof(raw));
        }

        return new SubaccountToken(raw.ToArray());
    }

    /// <summary>Builds a token for a subaccount key.</summary>
    public static SubaccountToken Create(byte prefix, SubaccountFlags flags, ReadOnlySpan<byte> subaccountPublicKey)
    {
        var b = new byte[Length];
        b[0] = prefix;
        b[1] = (byte)flags;
        subaccountPublicKey.CopyTo(b.AsSpan(4));
        return new SubaccountToken(b);
    }

    /// <summary>Parses the request form: base64 of 48 chars, else hex of 72 chars (client-rpc.md §3.8).</summary>
    public static bool TryParse(string? text, out SubaccountToken? token)
    {
        token = null;
        if (text is null)
        {
            return false;
        }

        var buf = new byte[Length];
        if (text.Length == 48 && Base64Strict.TryDecode(text, buf, out var n) && n == Length)
        {
            token = new SubaccountToken(buf);
            return true;
        }

        if (text.Length == 72 && Hex.TryDecode(text, buf))
        {
            token = new SubaccountToken(buf);
            return true;
        }

        return false;
    }

    /// <summary>The raw 36 bytes.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>Network prefix the token is valid for.</summary>
    public byte Prefix => _bytes[0];

    /// <summary>Permission flags.</summary>
    public SubaccountFlags Flags => (SubaccountFlags)_bytes[1];

    /// <summary>The subaccount's Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _bytes.AsSpan(4);

    /// <summary>Returns a copy of the raw bytes.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <inheritdoc />
    public bool Equals(SubaccountToken? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SubaccountToken);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hc = new HashCode();
        hc.AddBytes(_bytes);
        return hc.ToHashCode();
    }
}
