using System.Buffers.Binary;
using System.Security.Cryptography;
using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>Length of <see cref="AccountDigest"/>'s digest.</summary>
    public const int AccountDigestLength = 16;

    /// <summary>
    /// Removes every message and revocation of the account in one batch, without leaving any record of
    /// the deletion (data handed over to the account's new swarm); returns what was removed.
    /// </summary>
    public (long Messages, long Bytes) PurgeAccount(in AccountId account)
    {
        long messages = 0;
        long bytes = 0;
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                ScanAccount(account, null, (key, record) =>
                {
                    var size = StorageLayout.LogicalSize(record);
                    StageDelete(key, StorageLayout.RecordHash(record), StorageLayout.RecordExpiry(record), size);
                    messages++;
                    bytes += size;
                });

                Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
                foreach (var revocation in ReadRevocations(account))
                {
                    WriteRevokedKey(key, account, revocation.Token);
                    RocksDbNative.Delete(_batch, _revoked, key);
                }

                Commit();
            }
            finally
            {
                EndOperation();
            }
        }

        return (messages, bytes);
    }

    /// <summary>
    /// An order-independent digest (XOR of per-item fingerprints) and item count of what this store holds
    /// for the account as of <paramref name="asOfMs"/>: its messages expiring after that time (namespace,
    /// hash, expiry) and its revocations (token only). Two stores holding the same items give the same digest.
    /// </summary>
    public (byte[] Digest, long Count) AccountDigest(in AccountId account, long asOfMs)
    {
        ThrowIfDisposed();
        var digest = new byte[AccountDigestLength];
        long count = 0;
        var accountCopy = account;
        ScanAccount(account, null, (key, record) =>
        {
            var expiry = StorageLayout.RecordExpiry(record);
            if (expiry <= asOfMs)
            {
                return;
            }

            var hash = StorageLayout.RecordHash(record);
            Span<byte> item = stackalloc byte[1 + AccountId.Length + sizeof(short) + sizeof(long) + StorageLayout.MaxHashLength];
            item[0] = 1;
            accountCopy.Span.CopyTo(item[1..]);
            BinaryPrimitives.WriteInt16BigEndian(item[(1 + AccountId.Length)..], StorageLayout.KeyNamespace(key).Id);
            BinaryPrimitives.WriteInt64BigEndian(item[(3 + AccountId.Length)..], expiry);
            hash.CopyTo(item[(11 + AccountId.Length)..]);
            Mix(digest, item[..(11 + AccountId.Length + hash.Length)]);
            count++;
        });

        // The revocation time is left out: each member stamps a replicated revoke with its own clock.
        Span<byte> revocation = stackalloc byte[1 + AccountId.Length + SubaccountToken.Length];
        foreach (var r in ReadRevocations(account))
        {
            revocation[0] = 2;
            account.Span.CopyTo(revocation[1..]);
            r.Token.Span.CopyTo(revocation[(1 + AccountId.Length)..]);
            Mix(digest, revocation);
            count++;
        }

        return (digest, count);
    }

    private static void Mix(Span<byte> digest, ReadOnlySpan<byte> item)
    {
        Span<byte> fingerprint = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(item, fingerprint);
        for (var i = 0; i < AccountDigestLength; i++)
        {
            digest[i] ^= fingerprint[i];
        }
    }
}
