using System.Buffers.Binary;
using SessionNode.Core;

namespace SessionNode.Storage;

/// <summary>
/// Key and value encodings of the RocksDB column families (see README.md). Every multi-byte integer is
/// big-endian so byte order equals numeric order; signed values are stored with the sign bit flipped.
/// Stateless; owned by nobody.
/// </summary>
internal static class StorageLayout
{
    /// <summary>Bump on any incompatible change of the layout below; checked at open.</summary>
    public const uint SchemaVersion = 2;

    /// <summary>The previous schema, upgraded in place at open (hash values gain a change time).</summary>
    public const uint SchemaVersionV1 = 1;

    public const string MessagesFamily = "msgs";
    public const string HashFamily = "hash";
    public const string ExpiryFamily = "expiry";
    public const string AccountsFamily = "accounts";
    public const string RevokedFamily = "revoked";
    public const string MetaFamily = "meta";
    public const string TombstoneFamily = "tombs";
    public const string UnrevokedFamily = "unrevoked";

    /// <summary>Tombstone key kinds: by account ('a' ‖ account ‖ hash) and by expiry ('e' ‖ expiry ‖ account ‖ hash).</summary>
    public const byte TombstoneByAccount = (byte)'a';

    public const byte TombstoneByExpiry = (byte)'e';

    /// <summary>Tombstone value: ns(2) ‖ original expiry(8) ‖ deleted at(8).</summary>
    public const int TombstoneValueLength = 18;

    /// <summary>Longest tombstone key: kind(1) ‖ expiry(8) ‖ account(33) ‖ hash(≤ 128).</summary>
    public const int MaxTombstoneKeyLength = 1 + 8 + AccountId.Length + MaxHashLength;

    /// <summary>account(33) ‖ namespace sort key(2): one mailbox, the msgs prefix-extractor length.</summary>
    public const int MailboxPrefixLength = AccountId.Length + 2;

    /// <summary>account(33) ‖ namespace(2) ‖ seq(8).</summary>
    public const int MessageKeyLength = MailboxPrefixLength + 8;

    /// <summary>
    /// expiry(8) ‖ seq(8). Seqs grow with time like expiries, so inserts land near the end of the
    /// memtable instead of at a random spot (a 43-byte account-keyed suffix would scatter them).
    /// </summary>
    public const int ExpiryKeyLength = 16;

    /// <summary>Schema-1 hash value: message key(43) ‖ expiry(8) ‖ logical size(4).</summary>
    public const int HashValueLengthV1 = MessageKeyLength + 8 + 4;

    /// <summary>
    /// message key(43) ‖ expiry(8) ‖ logical size(4) ‖ expiry change time(8). The change time (this
    /// node's clock at store or at the last expiry change) only resolves repair conflicts.
    /// </summary>
    public const int HashValueLength = HashValueLengthV1 + 8;

    /// <summary>Record header: expiry(8) ‖ timestamp(8) ‖ hash length(2).</summary>
    public const int RecordHeaderLength = 18;

    /// <summary>account(33) ‖ token(36).</summary>
    public const int RevokedKeyLength = AccountId.Length + SubaccountToken.Length;

    /// <summary>revokedAt(8) ‖ order(8).</summary>
    public const int RevokedValueLength = 16;

    /// <summary>Longest accepted hash, in ASCII characters (= bytes). Real hashes have 43.</summary>
    public const int MaxHashLength = 128;

    /// <summary>
    /// Hash-family keys are at least this long (shorter hashes are padded with NULs, which hashes
    /// cannot contain): the family's hash-bucketed memtable and prefix filters key on 8 bytes.
    /// </summary>
    public const int HashKeyPrefixLength = 8;

    /// <summary>Largest msgs value: header + longest hash + largest message.</summary>
    public const int MaxRecordLength = RecordHeaderLength + MaxHashLength + Limits.MaxMessageBytes;

    /// <summary>Expiry value before the hash: message key(43) ‖ logical size(4).</summary>
    public const int ExpiryValueHeaderLength = MessageKeyLength + 4;

    /// <summary>
    /// Bytes a message occupies besides its hash and data: msgs key + record header, hash value,
    /// expiry key and expiry value header (43 + 18 + 55 + 16 + 47).
    /// </summary>
    /// The change time added by schema 2 is not counted, so sizes (and the cap) are unchanged.
    public const int FixedMessageOverhead = MessageKeyLength + RecordHeaderLength + HashValueLengthV1 + ExpiryKeyLength + ExpiryValueHeaderLength;

    public static ReadOnlySpan<byte> SchemaKey => "schema"u8;

    public static ReadOnlySpan<byte> StateKey => "state"u8;

    /// <summary>seq(8) ‖ message count(8) ‖ logical bytes(8) ‖ account count(8).</summary>
    public const int StateValueLength = 32;

    /// <summary>
    /// Logical size of one message: every key and value byte it writes to msgs, hash and expiry
    /// (the hash appears three times: record, hash key, expiry value).
    /// </summary>
    public static long LogicalSize(int hashLength, int dataLength) => FixedMessageOverhead + (3L * hashLength) + dataLength;

    /// <summary>Logical size recomputed from a stored msgs value.</summary>
    public static long LogicalSize(ReadOnlySpan<byte> record) => LogicalSize(RecordHash(record).Length, RecordData(record).Length);

    public static ulong EncodeSigned(long value) => unchecked((ulong)value ^ 0x8000_0000_0000_0000UL);

    public static long DecodeSigned(ulong value) => unchecked((long)(value ^ 0x8000_0000_0000_0000UL));

    public static void WriteMailboxPrefix(Span<byte> dest, in AccountId account, Namespace ns)
    {
        account.Span.CopyTo(dest);
        BinaryPrimitives.WriteUInt16BigEndian(dest[AccountId.Length..], ns.SortKey);
    }

    public static void WriteMessageKey(Span<byte> dest, in AccountId account, Namespace ns, ulong seq)
    {
        WriteMailboxPrefix(dest, account, ns);
        BinaryPrimitives.WriteUInt64BigEndian(dest[MailboxPrefixLength..], seq);
    }

    public static ReadOnlySpan<byte> KeyAccount(ReadOnlySpan<byte> messageKey) => messageKey[..AccountId.Length];

    public static Namespace KeyNamespace(ReadOnlySpan<byte> messageKey)
        => Namespace.FromSortKey(BinaryPrimitives.ReadUInt16BigEndian(messageKey[AccountId.Length..]));

    public static ulong KeySeq(ReadOnlySpan<byte> messageKey) => BinaryPrimitives.ReadUInt64BigEndian(messageKey[MailboxPrefixLength..]);

    public static void WriteExpiryKey(Span<byte> dest, long expiryMs, ReadOnlySpan<byte> messageKey)
    {
        BinaryPrimitives.WriteUInt64BigEndian(dest, EncodeSigned(expiryMs));
        BinaryPrimitives.WriteUInt64BigEndian(dest[8..], KeySeq(messageKey));
    }

    public static long ExpiryKeyExpiry(ReadOnlySpan<byte> expiryKey) => DecodeSigned(BinaryPrimitives.ReadUInt64BigEndian(expiryKey));

    public static void WriteHashValue(Span<byte> dest, ReadOnlySpan<byte> messageKey, long expiryMs, long logicalSize, long changeTimeMs)
    {
        messageKey.CopyTo(dest);
        BinaryPrimitives.WriteInt64BigEndian(dest[MessageKeyLength..], expiryMs);
        BinaryPrimitives.WriteUInt32BigEndian(dest[(MessageKeyLength + 8)..], checked((uint)logicalSize));
        BinaryPrimitives.WriteInt64BigEndian(dest[HashValueLengthV1..], changeTimeMs);
    }

    public static long HashValueChangeTime(ReadOnlySpan<byte> hashValue) => BinaryPrimitives.ReadInt64BigEndian(hashValue[HashValueLengthV1..]);

    /// <summary>'a' ‖ account ‖ hash; returns the length.</summary>
    public static int WriteTombstoneAccountKey(Span<byte> dest, ReadOnlySpan<byte> account, ReadOnlySpan<byte> hash)
    {
        dest[0] = TombstoneByAccount;
        account.CopyTo(dest[1..]);
        hash.CopyTo(dest[(1 + AccountId.Length)..]);
        return 1 + AccountId.Length + hash.Length;
    }

    /// <summary>'e' ‖ expiry ‖ account ‖ hash; returns the length.</summary>
    public static int WriteTombstoneExpiryKey(Span<byte> dest, long expiryMs, ReadOnlySpan<byte> account, ReadOnlySpan<byte> hash)
    {
        dest[0] = TombstoneByExpiry;
        BinaryPrimitives.WriteUInt64BigEndian(dest[1..], EncodeSigned(expiryMs));
        account.CopyTo(dest[9..]);
        hash.CopyTo(dest[(9 + AccountId.Length)..]);
        return 9 + AccountId.Length + hash.Length;
    }

    public static void WriteTombstoneValue(Span<byte> dest, Namespace ns, long expiryMs, long deletedAtMs)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dest, ns.SortKey);
        BinaryPrimitives.WriteInt64BigEndian(dest[2..], expiryMs);
        BinaryPrimitives.WriteInt64BigEndian(dest[10..], deletedAtMs);
    }

    public static Namespace TombstoneNamespace(ReadOnlySpan<byte> value) => Namespace.FromSortKey(BinaryPrimitives.ReadUInt16BigEndian(value));

    public static long TombstoneExpiry(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64BigEndian(value[2..]);

    public static long TombstoneDeletedAt(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadInt64BigEndian(value[10..]);

    public static ReadOnlySpan<byte> HashValueKey(ReadOnlySpan<byte> hashValue) => hashValue[..MessageKeyLength];

    public static long HashValueExpiry(ReadOnlySpan<byte> hashValue) => BinaryPrimitives.ReadInt64BigEndian(hashValue[MessageKeyLength..]);

    public static long HashValueSize(ReadOnlySpan<byte> hashValue) => BinaryPrimitives.ReadUInt32BigEndian(hashValue[(MessageKeyLength + 8)..]);

    /// <summary>
    /// Top bit of the expiry value's size field (sizes are far below 2³¹): the expiry was shortened after
    /// the store, so the sweeper leaves a tombstone (schema 1 never set it).
    /// </summary>
    public const uint ShortenedFlag = 0x8000_0000u;

    /// <summary>
    /// Expiry value: message key(43) ‖ logical size(4, top bit = <see cref="ShortenedFlag"/>) ‖ hash, so the
    /// sweeper needs no other reads.
    /// </summary>
    public static int WriteExpiryValue(Span<byte> dest, ReadOnlySpan<byte> messageKey, long logicalSize, ReadOnlySpan<byte> hash, bool shortened)
    {
        messageKey.CopyTo(dest);
        BinaryPrimitives.WriteUInt32BigEndian(dest[MessageKeyLength..], checked((uint)logicalSize) | (shortened ? ShortenedFlag : 0));
        hash.CopyTo(dest[ExpiryValueHeaderLength..]);
        return ExpiryValueHeaderLength + hash.Length;
    }

    public static ReadOnlySpan<byte> ExpiryValueKey(ReadOnlySpan<byte> value) => value[..MessageKeyLength];

    public static long ExpiryValueSize(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt32BigEndian(value[MessageKeyLength..]) & ~ShortenedFlag;

    public static bool ExpiryValueShortened(ReadOnlySpan<byte> value) => (BinaryPrimitives.ReadUInt32BigEndian(value[MessageKeyLength..]) & ShortenedFlag) != 0;

    public static ReadOnlySpan<byte> ExpiryValueHash(ReadOnlySpan<byte> value) => value[ExpiryValueHeaderLength..];

    public static int WriteRecord(Span<byte> dest, long expiryMs, long timestampMs, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteInt64BigEndian(dest, expiryMs);
        BinaryPrimitives.WriteInt64BigEndian(dest[8..], timestampMs);
        BinaryPrimitives.WriteUInt16BigEndian(dest[16..], (ushort)hash.Length);
        hash.CopyTo(dest[RecordHeaderLength..]);
        data.CopyTo(dest[(RecordHeaderLength + hash.Length)..]);
        return RecordHeaderLength + hash.Length + data.Length;
    }

    public static long RecordExpiry(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64BigEndian(record);

    public static void SetRecordExpiry(Span<byte> record, long expiryMs) => BinaryPrimitives.WriteInt64BigEndian(record, expiryMs);

    public static long RecordTimestamp(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64BigEndian(record[8..]);

    public static ReadOnlySpan<byte> RecordHash(ReadOnlySpan<byte> record)
        => record.Slice(RecordHeaderLength, BinaryPrimitives.ReadUInt16BigEndian(record[16..]));

    public static ReadOnlySpan<byte> RecordData(ReadOnlySpan<byte> record)
        => record[(RecordHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(record[16..]))..];

    /// <summary>
    /// Encodes a hash into ASCII bytes; false if empty, longer than <see cref="MaxHashLength"/>, not
    /// ASCII or containing NUL (such a hash can never be stored, so lookups treat it as absent).
    /// </summary>
    public static bool TryEncodeHash(string? hash, Span<byte> dest, out int length)
    {
        length = 0;
        if (string.IsNullOrEmpty(hash) || hash.Length > MaxHashLength)
        {
            return false;
        }

        for (var i = 0; i < hash.Length; i++)
        {
            var c = hash[i];
            if (c is '\0' or > (char)0x7F)
            {
                return false;
            }

            dest[i] = (byte)c;
        }

        length = hash.Length;
        return true;
    }

    /// <summary>The hash-family key of a hash: the hash itself, NUL-padded to <see cref="HashKeyPrefixLength"/>.</summary>
    public static ReadOnlySpan<byte> HashKey(ReadOnlySpan<byte> hash, Span<byte> padBuffer)
    {
        if (hash.Length >= HashKeyPrefixLength)
        {
            return hash;
        }

        var key = padBuffer[..HashKeyPrefixLength];
        key.Clear();
        hash.CopyTo(key);
        return key;
    }

    public static string DecodeHash(ReadOnlySpan<byte> hash) => System.Text.Encoding.ASCII.GetString(hash);

    /// <summary>Writes the smallest 33-byte account id greater than <paramref name="account"/>; false if none.</summary>
    public static bool TryNextAccount(ReadOnlySpan<byte> account, Span<byte> dest)
    {
        account.CopyTo(dest);
        for (var i = AccountId.Length - 1; i >= 0; i--)
        {
            if (dest[i] != 0xFF)
            {
                dest[i]++;
                return true;
            }

            dest[i] = 0;
        }

        return false;
    }
}
