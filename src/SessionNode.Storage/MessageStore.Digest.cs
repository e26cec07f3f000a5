using System.Buffers.Binary;
using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>Number of digest leaves: one per value of the top 16 bits of an account's swarm space.</summary>
    public const int LeafCount = 65_536;

    private const byte MessageItemKind = 1;
    private const byte TombstoneItemKind = 2;
    private const byte RevocationItemKind = 3;
    private const byte UnrevocationItemKind = 4;

    // Digest state, owned by _writeLock: per leaf the XOR of its items' fingerprints and their count.
    private readonly UInt128[] _leafXor = new UInt128[LeafCount];
    private readonly long[] _leafCount = new long[LeafCount];

    // Fingerprint changes staged by the current operation, applied only after its batch is written.
    private FingerprintDelta[] _pendingFingerprints = new FingerprintDelta[256];
    private int _pendingFingerprintCount;

    /// <summary>The digest leaf of an account: the top 16 bits of <see cref="AccountId.SwarmSpace"/>.</summary>
    public static int LeafOf(in AccountId account) => LeafOf(account.Span);

    /// <summary>
    /// Digest (XOR of item fingerprints) and item count of everything held for one account: its messages,
    /// tombstones, revocations and unrevocations, leaving out messages and tombstones whose expiry is
    /// ≤ <paramref name="asOfMs"/> — the same fingerprints as the leaves, so two nodes holding exactly the
    /// same for the account return the same value for the same <paramref name="asOfMs"/>.
    /// </summary>
    public ItemDigest AccountDigest(in AccountId account, long asOfMs)
    {
        ThrowIfDisposed();
        var digest = default(UInt128);
        long count = 0;
        foreach (var item in ListAccountItems(account, asOfMs))
        {
            digest ^= item.Fingerprint();
            count++;
        }

        return new ItemDigest(digest, count);
    }

    /// <summary>
    /// Digests of <paramref name="leafCount"/> consecutive leaves from <paramref name="firstLeaf"/> (wrapping
    /// past the last leaf), as of <paramref name="asOfMs"/>: items whose expiry is ≤ it are left out, so
    /// when the sweepers of two nodes run does not matter. Taken under the writer lock (one consistent view).
    /// </summary>
    public ItemDigest[] LeafDigests(int firstLeaf, int leafCount, long asOfMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstLeaf);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(firstLeaf, LeafCount);
        ArgumentOutOfRangeException.ThrowIfNegative(leafCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(leafCount, LeafCount);
        var result = new ItemDigest[leafCount];
        lock (_writeLock)
        {
            ThrowIfDisposed();
            for (var i = 0; i < leafCount; i++)
            {
                var leaf = (firstLeaf + i) % LeafCount;
                result[i] = new ItemDigest(_leafXor[leaf], _leafCount[leaf]);
            }

            // Take out items that have expired as of asOfMs but may not be swept yet.
            ForEachExpiringItem(asOfMs, (leaf, fingerprint) =>
            {
                var index = (leaf - firstLeaf + LeafCount) % LeafCount;
                if (index < leafCount)
                {
                    var d = result[index];
                    result[index] = new ItemDigest(d.Hash ^ fingerprint, d.Count - 1);
                }
            });
        }

        return result;
    }

    /// <summary>
    /// The digest leaves recomputed from the database by a full scan (what <see cref="LeafDigests"/> should
    /// equal with no as-of exclusion); for tests and the rebuild at open.
    /// </summary>
    internal (UInt128[] Xor, long[] Count) ScanLeaves()
    {
        var xor = new UInt128[LeafCount];
        var counts = new long[LeafCount];
        foreach (var item in ScanAllItems())
        {
            var leaf = LeafOf(item.Account.Span);
            xor[leaf] ^= item.Fingerprint();
            counts[leaf]++;
        }

        return (xor, counts);
    }

    /// <summary>Copies of the maintained leaves (for tests).</summary>
    internal (UInt128[] Xor, long[] Count) CurrentLeaves()
    {
        lock (_writeLock)
        {
            return ((UInt128[])_leafXor.Clone(), (long[])_leafCount.Clone());
        }
    }

    private void RebuildLeaves()
    {
        var (xor, counts) = ScanLeaves();
        xor.CopyTo(_leafXor, 0);
        counts.CopyTo(_leafCount, 0);
    }

    /// <summary>Every stored item (expired-not-swept included), in family order.</summary>
    private IEnumerable<SyncItem> ScanAllItems()
    {
        using (var it = _db.NewIterator(_messages, _totalOrderRead))
        {
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                yield return MessageItem(it.KeySpan(), it.ValueSpan(), changeTimeMs: 0);
            }

            ThrowIfIteratorFailed(it);
        }

        foreach (var item in ScanTombstones(ReadOnlyMemory<byte>.Empty))
        {
            yield return item;
        }

        foreach (var item in ScanRevocationItems(ReadOnlyMemory<byte>.Empty))
        {
            yield return item;
        }
    }

    /// <summary>Calls <paramref name="visit"/>(leaf, fingerprint) for each stored message or tombstone with expiry ≤ <paramref name="asOfMs"/>.</summary>
    private void ForEachExpiringItem(long asOfMs, Action<int, UInt128> visit)
    {
        Span<byte> seek = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(seek, StorageLayout.EncodeSigned(_sweepFrom));
        using (var it = _db.NewIterator(_expiries, _totalOrderRead))
        {
            for (it.Seek(seek); it.Valid(); it.Next())
            {
                var key = it.KeySpan();
                var expiry = StorageLayout.ExpiryKeyExpiry(key);
                if (expiry > asOfMs)
                {
                    break;
                }

                var value = it.ValueSpan();
                var messageKey = StorageLayout.ExpiryValueKey(value);
                var account = StorageLayout.KeyAccount(messageKey);
                visit(LeafOf(account), MessageFingerprint(account, StorageLayout.KeyNamespace(messageKey), StorageLayout.ExpiryValueHash(value), expiry));
            }

            ThrowIfIteratorFailed(it);
        }

        using (var it = _db.NewIterator(_tombs, _totalOrderRead))
        {
            Span<byte> start = stackalloc byte[1];
            start[0] = StorageLayout.TombstoneByExpiry;
            for (it.Seek(start); it.Valid(); it.Next())
            {
                var key = it.KeySpan();
                if (key[0] != StorageLayout.TombstoneByExpiry
                    || StorageLayout.DecodeSigned(BinaryPrimitives.ReadUInt64BigEndian(key[1..])) > asOfMs)
                {
                    break;
                }

                var account = key.Slice(9, AccountId.Length);
                visit(LeafOf(account), TombstoneFingerprint(account, key[(9 + AccountId.Length)..]));
            }

            ThrowIfIteratorFailed(it);
        }
    }

    // ---- fingerprints ----

    internal static int LeafOf(ReadOnlySpan<byte> account)
    {
        // Top 16 bits of the XOR of the key's four big-endian 64-bit words (the prefix byte is ignored).
        var key = account[1..];
        return BinaryPrimitives.ReadUInt16BigEndian(key)
            ^ BinaryPrimitives.ReadUInt16BigEndian(key[8..])
            ^ BinaryPrimitives.ReadUInt16BigEndian(key[16..])
            ^ BinaryPrimitives.ReadUInt16BigEndian(key[24..]);
    }

    /// <summary>Message: kind ‖ account ‖ namespace ‖ expiry ‖ hash (not the change time, which differs between nodes).</summary>
    internal static UInt128 MessageFingerprint(ReadOnlySpan<byte> account, Namespace ns, ReadOnlySpan<byte> hash, long expiryMs)
    {
        Span<byte> input = stackalloc byte[1 + AccountId.Length + 2 + 8 + StorageLayout.MaxHashLength];
        input[0] = MessageItemKind;
        account.CopyTo(input[1..]);
        BinaryPrimitives.WriteUInt16BigEndian(input[(1 + AccountId.Length)..], ns.SortKey);
        BinaryPrimitives.WriteInt64BigEndian(input[(3 + AccountId.Length)..], expiryMs);
        hash.CopyTo(input[(11 + AccountId.Length)..]);
        return Fingerprint(input[..(11 + AccountId.Length + hash.Length)]);
    }

    /// <summary>Tombstone: kind ‖ account ‖ hash.</summary>
    internal static UInt128 TombstoneFingerprint(ReadOnlySpan<byte> account, ReadOnlySpan<byte> hash)
        => KeyedFingerprint(TombstoneItemKind, account, hash);

    /// <summary>Revocation or unrevocation: kind ‖ account ‖ token.</summary>
    internal static UInt128 RevocationFingerprint(bool revoked, ReadOnlySpan<byte> account, ReadOnlySpan<byte> token)
        => KeyedFingerprint(revoked ? RevocationItemKind : UnrevocationItemKind, account, token);

    private static UInt128 KeyedFingerprint(byte kind, ReadOnlySpan<byte> account, ReadOnlySpan<byte> key)
    {
        Span<byte> input = stackalloc byte[1 + AccountId.Length + StorageLayout.MaxHashLength];
        input[0] = kind;
        account.CopyTo(input[1..]);
        key.CopyTo(input[(1 + AccountId.Length)..]);
        return Fingerprint(input[..(1 + AccountId.Length + key.Length)]);
    }

    /// <summary>
    /// 128-bit fingerprint: two 64-bit multiply-rotate lanes over the little-endian 8-byte words (zero-padded
    /// tail, length mixed in first), cross-fed and finished with the 64-bit finalizer of MurmurHash3. Fully
    /// managed and allocation-free (the store path calls it). Not cryptographic: fingerprints only need to
    /// be well spread; a deliberately crafted collision could at worst hide one difference from repair.
    /// </summary>
    internal static UInt128 Fingerprint(ReadOnlySpan<byte> input)
    {
        const ulong P1 = 0x9E37_79B1_85EB_CA87UL;
        const ulong P2 = 0xC2B2_AE3D_27D4_EB4FUL;
        const ulong P3 = 0x1656_67B1_9E37_79F9UL;
        var a = 0x243F_6A88_85A3_08D3UL ^ ((ulong)input.Length * P1);
        var b = 0x1319_8A2E_0370_7344UL ^ ((ulong)input.Length * P2);
        Span<byte> tail = stackalloc byte[8];
        while (input.Length > 0)
        {
            ulong word;
            if (input.Length >= 8)
            {
                word = BinaryPrimitives.ReadUInt64LittleEndian(input);
                input = input[8..];
            }
            else
            {
                tail.Clear();
                input.CopyTo(tail);
                word = BinaryPrimitives.ReadUInt64LittleEndian(tail);
                input = [];
            }

            a = ulong.RotateLeft(a ^ (word * P2), 31) * P1;
            b = (ulong.RotateLeft(b ^ (word * P3), 29) * P2) + a;
        }

        var high = Avalanche(a ^ ulong.RotateLeft(b, 17));
        var low = Avalanche(b + high);
        return new UInt128(high, low);
    }

    private static ulong Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51_AFD7_ED55_8CCDUL;
        h ^= h >> 33;
        h *= 0xC4CE_B9FE_1A85_EC53UL;
        h ^= h >> 33;
        return h;
    }

    /// <summary>Stages adding (<paramref name="countDelta"/> = +1) or removing (−1) an item's fingerprint.</summary>
    private void StageFingerprint(ReadOnlySpan<byte> account, UInt128 fingerprint, int countDelta)
    {
        if (_pendingFingerprintCount == _pendingFingerprints.Length)
        {
            Array.Resize(ref _pendingFingerprints, _pendingFingerprints.Length * 2);
        }

        _pendingFingerprints[_pendingFingerprintCount++] = new FingerprintDelta(LeafOf(account), fingerprint, countDelta);
    }

    /// <summary>Applies the staged fingerprint changes (after the batch was written).</summary>
    private void ApplyFingerprints()
    {
        for (var i = 0; i < _pendingFingerprintCount; i++)
        {
            ref readonly var delta = ref _pendingFingerprints[i];
            _leafXor[delta.Leaf] ^= delta.Fingerprint;
            _leafCount[delta.Leaf] += delta.CountDelta;
        }

        _pendingFingerprintCount = 0;
    }

    private readonly record struct FingerprintDelta(int Leaf, UInt128 Fingerprint, int CountDelta);
}

/// <summary>A set digest: the XOR of 16-byte item fingerprints and the number of items.</summary>
public readonly record struct ItemDigest(UInt128 Hash, long Count)
{
    /// <summary>Writes the 16-byte digest (little-endian).</summary>
    public void WriteHash(Span<byte> dest) => BinaryPrimitives.WriteUInt128LittleEndian(dest, Hash);

    /// <summary>Reads a digest written by <see cref="WriteHash"/>.</summary>
    public static UInt128 ReadHash(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt128LittleEndian(source);
}
