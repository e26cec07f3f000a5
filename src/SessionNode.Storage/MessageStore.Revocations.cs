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
                var added = StageRevoke(account, tokens, nowMs);
                Commit();
                return added;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>
    /// Removes tokens from the account's revocation list; returns how many were listed. Each token's
    /// unrevocation time (now) is remembered so that repair does not bring an older revocation back
    /// (the newest <see cref="Limits.MaxRevocations"/> unrevocations per account are kept).
    /// </summary>
    public int Unrevoke(in AccountId account, IReadOnlyList<SubaccountToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var now = NowMs();
        var seen = new HashSet<SubaccountToken>();
        lock (_writeLock)
        {
            BeginOperation();
            try
            {
                var removed = 0;
                foreach (var token in tokens)
                {
                    ArgumentNullException.ThrowIfNull(token, nameof(tokens));
                    if (seen.Add(token) && StageUnrevoke(account, token, now))
                    {
                        removed++;
                    }
                }

                StageUnrevocationLimit(account, seen);
                Commit();
                return removed;
            }
            finally
            {
                EndOperation();
            }
        }
    }

    /// <summary>Stages revocations (see <see cref="Revoke"/>); forgets any unrevocation of the tokens. Returns how many are new.</summary>
    private int StageRevoke(in AccountId account, IReadOnlyList<SubaccountToken> tokens, long nowMs)
    {
        var list = ReadRevocations(account);
        var added = 0;
        Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
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
                WriteRevokedKey(key, account, token);
                if (_db.HasKey(key, _unrevoked))
                {
                    _batch.Delete(key, _unrevoked);
                    StageFingerprint(account.Span, RevocationFingerprint(false, account.Span, token.Span), -1);
                }
            }
        }

        list.Sort(static (a, b) => a.RevokedAtMs != b.RevokedAtMs ? a.RevokedAtMs.CompareTo(b.RevokedAtMs) : a.Order.CompareTo(b.Order));
        var drop = Math.Max(0, list.Count - Limits.MaxRevocations);
        Span<byte> value = stackalloc byte[StorageLayout.RevokedValueLength];
        for (var i = 0; i < list.Count; i++)
        {
            var revocation = list[i];
            WriteRevokedKey(key, account, revocation.Token);
            if (i < drop)
            {
                if (revocation.Stored)
                {
                    _batch.Delete(key, _revoked);
                    StageFingerprint(account.Span, RevocationFingerprint(true, account.Span, revocation.Token.Span), -1);
                }
            }
            else if (revocation.Dirty)
            {
                BinaryPrimitives.WriteInt64BigEndian(value, revocation.RevokedAtMs);
                BinaryPrimitives.WriteUInt64BigEndian(value[8..], revocation.Order);
                _batch.Put(key, value, _revoked);
                if (!revocation.Stored)
                {
                    StageFingerprint(account.Span, RevocationFingerprint(true, account.Span, revocation.Token.Span), +1);
                }
            }
        }

        return added;
    }

    /// <summary>Stages removal of a revocation (if listed) and records the unrevocation time; true if it was listed.</summary>
    private bool StageUnrevoke(in AccountId account, SubaccountToken token, long atMs)
    {
        Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
        WriteRevokedKey(key, account, token);
        var listed = _db.HasKey(key, _revoked);
        if (listed)
        {
            _batch.Delete(key, _revoked);
            StageFingerprint(account.Span, RevocationFingerprint(true, account.Span, token.Span), -1);
        }

        if (!_db.HasKey(key, _unrevoked))
        {
            StageFingerprint(account.Span, RevocationFingerprint(false, account.Span, token.Span), +1);
        }

        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, atMs);
        _batch.Put(key, value, _unrevoked);
        return listed;
    }

    /// <summary>Stages dropping the account's oldest unrevocations beyond the limit (<paramref name="fresh"/> are being written now).</summary>
    private void StageUnrevocationLimit(in AccountId account, HashSet<SubaccountToken> fresh)
    {
        var stored = new List<(SubaccountToken Token, long At)>();
        foreach (var (token, at) in ReadUnrevocations(account))
        {
            if (!fresh.Contains(token))
            {
                stored.Add((token, at));
            }
        }

        var drop = stored.Count + fresh.Count - Limits.MaxRevocations;
        if (drop <= 0)
        {
            return;
        }

        stored.Sort(static (a, b) => a.At.CompareTo(b.At));
        Span<byte> key = stackalloc byte[StorageLayout.RevokedKeyLength];
        for (var i = 0; i < Math.Min(drop, stored.Count); i++)
        {
            WriteRevokedKey(key, account, stored[i].Token);
            _batch.Delete(key, _unrevoked);
            StageFingerprint(account.Span, RevocationFingerprint(false, account.Span, stored[i].Token.Span), -1);
        }
    }

    private List<(SubaccountToken Token, long At)> ReadUnrevocations(in AccountId account)
    {
        var list = new List<(SubaccountToken, long)>();
        var prefix = account.Span;
        using var it = _db.NewIterator(_unrevoked, _totalOrderRead);
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            var key = it.KeySpan();
            if (!key.StartsWith(prefix))
            {
                break;
            }

            list.Add((SubaccountToken.FromBytes(key[AccountId.Length..]), BinaryPrimitives.ReadInt64BigEndian(it.ValueSpan())));
        }

        ThrowIfIteratorFailed(it);
        return list;
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
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            var key = it.KeySpan();
            if (!key.StartsWith(prefix))
            {
                break;
            }

            var value = it.ValueSpan();
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
