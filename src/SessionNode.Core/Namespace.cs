using System.Globalization;

namespace SessionNode.Core;

/// <summary>
/// A message namespace: a signed 16-bit id; each (account, namespace) pair is an independent mailbox
/// (client-rpc.md §4). The classification rules may overlap.
/// </summary>
public readonly record struct Namespace(short Id)
{
    /// <summary>The default namespace (1-to-1 messages).</summary>
    public static readonly Namespace Default = new(0);

    /// <summary>Legacy closed groups: unauthenticated store and retrieve.</summary>
    public static readonly Namespace LegacyClosedGroup = new(-10);

    /// <summary>Anyone may store without a signature; TTL cap 14 days.</summary>
    public bool IsPublicInbox => Id % 10 == 0;

    /// <summary>Holds at most one message; retrieval needs no auth.</summary>
    public bool IsPublicOutbox => Id < 0 && (-Id) % 20 == 1;

    /// <summary>Retrieve may be called without a signature.</summary>
    public bool IsNoAuthRetrieve => Id == -10 || IsPublicOutbox;

    /// <summary>A revoked (otherwise valid) subaccount may still retrieve here.</summary>
    public bool IsUnrevocable => Id < 0 && (-Id) % 100 == 11;

    /// <summary>Maximum TTL in ms for a store to this namespace.</summary>
    public long MaxTtlMs => IsPublicInbox ? Limits.MaxTtlPublicMs : Limits.MaxTtlPrivateMs;

    /// <summary>
    /// The namespace string used in request signatures and the message hash: empty for 0, else the
    /// decimal id.
    /// </summary>
    public string SignatureString => Id == 0 ? string.Empty : Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the ASCII namespace string (empty for 0) into <paramref name="dest"/>; returns bytes written.</summary>
    public int WriteSignatureString(Span<byte> dest)
    {
        if (Id == 0)
        {
            return 0;
        }

        Id.TryFormat(dest, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>The namespace as a big-endian sortable key: the id XOR 0x8000.</summary>
    public ushort SortKey => (ushort)(Id ^ unchecked((short)0x8000));

    /// <summary>Inverse of <see cref="SortKey"/>.</summary>
    public static Namespace FromSortKey(ushort key) => new((short)(key ^ 0x8000));

    /// <inheritdoc />
    public override string ToString() => Id.ToString(CultureInfo.InvariantCulture);
}
