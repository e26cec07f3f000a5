using System.Buffers.Binary;
using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>Random seeks per sample: enough to skip accounts we no longer serve, bounded so a sample never turns into a scan.</summary>
    private const int SampleSeeks = 8;

    /// <summary>Entries looked at after each seek (neighbours in expiry order, i.e. unrelated messages).</summary>
    private const int SampleStepsPerSeek = 4;

    /// <summary>
    /// Picks a random unexpired message (for the storage tests between swarm members) of an account accepted by
    /// <paramref name="owners"/>, stored with a client timestamp at or before <paramref name="storedBeforeMs"/>
    /// and expiring after <paramref name="expiresAfterMs"/>. Seeks the expiry index at a random instant
    /// between the first such expiry and the latest one, so messages are drawn roughly uniformly over
    /// their expiry times; at most <see cref="SampleSeeks"/> × <see cref="SampleStepsPerSeek"/>
    /// index entries and as many point reads, never a scan. False when no candidate was met.
    /// </summary>
    public bool TrySampleMessage(Random random, Func<AccountId, bool> owners, long storedBeforeMs, long expiresAfterMs, out StoredMessage? message)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(owners);
        ThrowIfDisposed();
        message = null;
        var now = NowMs();
        var from = Math.Max(expiresAfterMs, now) + 1;

        Span<byte> seekKey = stackalloc byte[StorageLayout.ExpiryKeyLength];
        using var it = _db.NewIterator(_expiries, _totalOrderRead);
        it.SeekToLast();
        if (!it.Valid())
        {
            return false;
        }

        var latest = StorageLayout.ExpiryKeyExpiry(it.KeySpan());
        BinaryPrimitives.WriteUInt64BigEndian(seekKey, StorageLayout.EncodeSigned(from));
        it.Seek(seekKey[..sizeof(long)]);
        if (!it.Valid())
        {
            return false;
        }

        // Draw between the first and the last candidate expiry rather than from now: a young node's expiries
        // are bunched near now + TTL, and a range starting at now would nearly always land on the first one.
        var first = StorageLayout.ExpiryKeyExpiry(it.KeySpan());

        for (var seek = 0; seek < SampleSeeks; seek++)
        {
            // Key = expiry ‖ seq: a random seq as well spreads the draw over messages sharing one expiry
            // (a bulk push keeps expiries, and clients often use one TTL).
            var at = first + random.NextInt64(latest - first + 1);
            BinaryPrimitives.WriteUInt64BigEndian(seekKey, StorageLayout.EncodeSigned(at));
            BinaryPrimitives.WriteUInt64BigEndian(seekKey[sizeof(long)..], (ulong)random.NextInt64(Math.Max(1, Volatile.Read(ref _seq)) + 1));
            it.Seek(seekKey);
            for (var step = 0; step < SampleStepsPerSeek; step++, it.Next())
            {
                if (!it.Valid())
                {
                    // Past the latest expiry (the youngest messages, often too young): wrap to the first candidate.
                    BinaryPrimitives.WriteUInt64BigEndian(seekKey, StorageLayout.EncodeSigned(first));
                    it.Seek(seekKey[..sizeof(long)]);
                    if (!it.Valid())
                    {
                        break;
                    }
                }

                var messageKey = StorageLayout.ExpiryValueKey(it.ValueSpan());
                var account = AccountId.FromBytes(StorageLayout.KeyAccount(messageKey));
                if (!owners(account))
                {
                    continue;
                }

                var record = _db.Get(messageKey, _messages);
                if (record is null)
                {
                    continue; // deleted since the index entry was read
                }

                var expiry = StorageLayout.RecordExpiry(record);
                if (expiry <= expiresAfterMs || expiry <= now || StorageLayout.RecordTimestamp(record) > storedBeforeMs)
                {
                    continue;
                }

                message = ToMessage(messageKey, record, expiry);
                return true;
            }
        }

        ThrowIfIteratorFailed(it);
        return false;
    }
}
