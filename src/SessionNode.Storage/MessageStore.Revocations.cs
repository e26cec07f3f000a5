using System.Buffers.Binary;
using SessionNode.Core;

namespace SessionNode.Storage;

public sealed partial class MessageStore
{
    /// <summary>
    /// Adds subaccount tokens to the account's revocation list (client-rpc.md §6.5) with "revoked at"
    /// = <paramref name="nowMs"/>; re-revoking refreshes the time (never lowers it) and makes the token
    /// the most recent. Keeps the newest <see cref="Limits.MaxRevocations"/> per account. Revocations
    /// are independent of messages: deleting or expiring messages never removes them.
    /// Returns how many tokens were not listed before.
    /// </summary>
    public int Revoke(in AccountId account, IReadOnlyList<SubaccountToken> tokens, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                var list = ReadRevocations(account);
                var added = 0;
                foreach (var token in tokens)
                {
                    ArgumentNullException.ThrowIfNull(token, nameof(tokens));
                    var index = list.FindIndex(r => r.Token.Equals(token));
                    if (index >= 0)
                    {
                        var old = list[index];
                        list[index] = old with { RevokedAtMs = Math.Max(old.RevokedAtMs, nowMs), Order = NextSeq(), Dirty = true };
                    }
                    else
                    {
                        list.Add(new Revocation(token, nowMs, NextSeq(), Stored: false, Dirty: true));
                        added++;
                    }
                }

                list.Sort(static (a, b) => a.RevokedAtMs != b.RevokedAtMs ? a.RevokedAtMs.CompareTo(b.RevokedAtMs) : a.Order.CompareTo(b.Order));
                var drop = Math.Max(0, list.Count - Limits.MaxRevocations);
                Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
                Span<byte> value = stackalloc byte[StorageLayout.RevokedValueLength];
                for (var i = 0; i < list.Count; i++)
                {
                    var revocation = list[i];
                    WriteRevokedKey(key, account, revocation.Token);
                    if (i < drop)
                    {
                        if (revocation.Stored)
                        {
                            RocksDbNative.Delete(_batch, _revoked, key);
                        }
                    }
                    else if (revocation.Dirty)
                    {
                        BinaryPrimitives.WriteInt64BigEndian(value, revocation.RevokedAtMs);
                        BinaryPrimitives.WriteUInt64BigEndian(value[8..], revocation.Order);
                        RocksDbNative.Put(_batch, _revoked, key, value);
                    }
                }

                Commit();
                return added;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>Removes tokens from the account's revocation list; returns how many were listed.</summary>
    public int Unrevoke(in AccountId account, IReadOnlyList<SubaccountToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var seen = new HashSet<SubaccountToken>();
        Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                var removed = 0;
                foreach (var token in tokens)
                {
                    ArgumentNullException.ThrowIfNull(token, nameof(tokens));
                    WriteRevokedKey(key, account, token);
                    if (seen.Add(token) && _db.HasKey(key, _revoked))
                    {
                        RocksDbNative.Delete(_batch, _revoked, key);
                        removed++;
                    }
                }

                Commit();
                return removed;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>True if this exact 36-byte token (flags included) is on the account's revocation list.</summary>
    public bool IsRevoked(in AccountId account, SubaccountToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        ThrowIfDisposed();
        Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
        WriteRevokedKey(key, account, token);
        return _db.HasKey(key, _revoked);
    }

    /// <summary>The account's revocations, least recently revoked first.</summary>
    public IReadOnlyList<(SubaccountToken Token, long RevokedAtMs)> GetRevocations(in AccountId account)
    {
        ThrowIfDisposed();
        var list = ReadRevocations(account);
        list.Sort(static (a, b) => a.RevokedAtMs != b.RevokedAtMs ? a.RevokedAtMs.CompareTo(b.RevokedAtMs) : a.Order.CompareTo(b.Order));
        return list.ConvertAll(r => (r.Token, r.RevokedAtMs));
    }

    private List<Revocation> ReadRevocations(in AccountId account)
    {
        var list = new List<Revocation>();
        var prefix = account.Span;
        using var it = _db.NewIterator(_revoked, _totalOrderRead);
        for (RocksDbNative.Seek(it, prefix); RocksDbNative.Valid(it); RocksDbNative.Next(it))
        {
            var key = RocksDbNative.Key(it);
            if (!key.StartsWith(prefix))
            {
                break;
            }

            var value = RocksDbNative.Value(it);
            list.Add(new Revocation(
                SubaccountToken.FromBytes(key[AccountId.Length..]),
                BinaryPrimitives.ReadInt64BigEndian(value),
                BinaryPrimitives.ReadUInt64BigEndian(value[8..]),
                Stored: true,
                Dirty: false));
        }

        ThrowIfIteratorFailed(it);
        return list;
    }

    private static void WriteRevokedKey(Span<byte> dest, in AccountId account, SubaccountToken token)
    {
        account.Span.CopyTo(dest);
        token.Span.CopyTo(dest[AccountId.Length..]);
    }

    /// <summary>One revocation; Order (from the shared sequence counter) breaks ties between equal times.</summary>
    private readonly record struct Revocation(SubaccountToken Token, long RevokedAtMs, ulong Order, bool Stored, bool Dirty);
}
