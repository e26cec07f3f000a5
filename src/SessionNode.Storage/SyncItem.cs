using SessionNode.Core;

namespace SessionNode.Storage;

/// <summary>Kinds of items compared by anti-entropy repair (README.md, "Repair state").</summary>
public enum SyncItemKind : byte
{
    /// <summary>A stored message (key = hash).</summary>
    Message = 1,

    /// <summary>A user-deleted hash remembered until its original expiry (key = hash).</summary>
    Tombstone = 2,

    /// <summary>A revoked subaccount token (key = the 36-byte token).</summary>
    Revocation = 3,

    /// <summary>A remembered unrevocation of a token (key = the 36-byte token).</summary>
    Unrevocation = 4,
}

/// <summary>
/// One item held for an account, as compared and exchanged by repair. <see cref="Key"/> is the hash's
/// ASCII bytes (messages, tombstones) or the token (revocations). <see cref="ExpiryMs"/> is the message's
/// expiry or the tombstone's original expiry (<see cref="long.MaxValue"/> for revocations).
/// <see cref="TimeMs"/> resolves conflicts: a message's expiry change time, a tombstone's deletion time, a
/// (un)revocation time. Messages being sent carry <see cref="TimestampMs"/> and <see cref="Data"/>.
/// </summary>
public sealed record SyncItem(SyncItemKind Kind, AccountId Account, Namespace Namespace, byte[] Key, long ExpiryMs, long TimeMs)
{
    private ulong? _id;

    /// <summary>The message's own timestamp (messages being sent only).</summary>
    public long TimestampMs { get; init; }

    /// <summary>The message data (messages being sent only).</summary>
    public byte[]? Data { get; init; }

    /// <summary>
    /// Identity shared by the variants of one thing (a message and its tombstone, a revocation and its
    /// unrevocation): the low 64 bits of the store's 128-bit fingerprint hash over class ‖ account ‖ key.
    /// </summary>
    public ulong Id => _id ??= ComputeId(Kind, Account.Span, Key);

    /// <summary>True for revocations and unrevocations.</summary>
    public bool IsRevocationKind => Kind is SyncItemKind.Revocation or SyncItemKind.Unrevocation;

    /// <summary>The item's 16-byte fingerprint (the leaves' XOR terms).</summary>
    public UInt128 Fingerprint() => Kind switch
    {
        SyncItemKind.Message => MessageStore.MessageFingerprint(Account.Span, Namespace, Key, ExpiryMs),
        SyncItemKind.Tombstone => MessageStore.TombstoneFingerprint(Account.Span, Key),
        _ => MessageStore.RevocationFingerprint(Kind == SyncItemKind.Revocation, Account.Span, Key),
    };

    /// <summary>Identity of an item (see <see cref="Id"/>).</summary>
    public static ulong ComputeId(SyncItemKind kind, ReadOnlySpan<byte> account, ReadOnlySpan<byte> key)
    {
        Span<byte> input = stackalloc byte[1 + AccountId.Length + 128];
        input[0] = kind is SyncItemKind.Revocation or SyncItemKind.Unrevocation ? (byte)1 : (byte)0;
        account.CopyTo(input[1..]);
        var length = 1 + AccountId.Length + Math.Min(key.Length, 128);
        key[..Math.Min(key.Length, 128)].CopyTo(input[(1 + AccountId.Length)..]);
        return (ulong)MessageStore.Fingerprint(input[..length]);
    }
}

/// <summary>What <see cref="MessageStore.ApplyRepair"/> did with a set of items.</summary>
public readonly record struct RepairResult(int Applied, int Skipped);
