using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>Random operations checked against a simple in-memory model of storage.md §3 (fixed seeds).</summary>
public sealed class ModelTests
{
    private static readonly short[] Namespaces = [0, 2, -1, -21, 10];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_MatchModelAndCountersStayExact(int seed)
    {
        using var f = new StoreFixture();
        var random = new Random(seed);
        var model = new Dictionary<string, (AccountId Account, Namespace Ns, long Expiry)>(StringComparer.Ordinal);
        var accounts = Enumerable.Range(0, 4).Select(Accounts.Numbered).ToArray();

        // User deletes leave tombstones until the original expiry: a peer push of such a hash is refused.
        var tombstones = new Dictionary<(AccountId, string), long>();
        var shortened = new HashSet<string>(StringComparer.Ordinal); // swept with a tombstone
        void Tombstone(AccountId account, string hash, long expiry, long now)
        {
            if (expiry > now)
            {
                tombstones[(account, hash)] = expiry;
            }
        }

        for (var step = 0; step < 600; step++)
        {
            var account = accounts[random.Next(accounts.Length)];
            var ns = new Namespace(Namespaces[random.Next(Namespaces.Length)]);
            var hash = "m" + random.Next(60);
            var now = f.Now;
            switch (random.Next(13))
            {
                case 0 or 1 or 2:
                    {
                        var expiry = now + random.Next(1, 400);
                        var result = f.Store.Store(account, ns, hash, now, expiry, new byte[random.Next(50)]);
                        if (ns.IsPublicOutbox)
                        {
                            foreach (var other in model.Where(m => m.Value.Account == account && m.Value.Ns == ns && m.Key != hash).Select(m => m.Key).ToList())
                            {
                                Tombstone(account, other, model[other].Expiry, now);
                                model.Remove(other);
                            }
                        }

                        if (model.TryGetValue(hash, out var existing) && existing.Expiry > now)
                        {
                            Assert.Equal(existing.Expiry < expiry ? StoreOutcome.Extended : StoreOutcome.Exists, result.Outcome);
                            if (existing.Expiry < expiry)
                            {
                                shortened.Remove(hash);
                            }

                            model[hash] = existing with { Expiry = Math.Max(existing.Expiry, expiry) };
                        }
                        else
                        {
                            Assert.Equal(StoreOutcome.New, result.Outcome);
                            model[hash] = (account, ns, expiry);
                            tombstones.Remove((account, hash));
                            shortened.Remove(hash);
                        }

                        break;
                    }

                case 3:
                    {
                        var deleted = f.Store.DeleteByHash(account, [hash]);
                        var visible = model.TryGetValue(hash, out var m) && m.Account == account && m.Expiry > now;
                        Assert.Equal(visible, deleted.Count == 1);
                        if (model.TryGetValue(hash, out m) && m.Account == account)
                        {
                            Tombstone(account, hash, m.Expiry, now);
                            model.Remove(hash);
                        }

                        break;
                    }

                case 4:
                    {
                        var deleted = f.Store.DeleteAll(account, ns);
                        var matching = model.Where(m => m.Value.Account == account && m.Value.Ns == ns).ToList();
                        Assert.Equal(matching.Where(m => m.Value.Expiry > now).Select(m => m.Key).Order(StringComparer.Ordinal), deleted);
                        matching.ForEach(m => Tombstone(account, m.Key, m.Value.Expiry, now));
                        matching.ForEach(m => model.Remove(m.Key));
                        break;
                    }

                case 5:
                    {
                        var target = now + random.Next(-50, 400);
                        var updated = f.Store.UpdateExpiry(account, [hash], [target], extendOnly: false, shortenOnly: false);
                        var visible = model.TryGetValue(hash, out var m) && m.Account == account && m.Expiry > now;
                        Assert.Equal(visible, updated.Count == 1);
                        if (visible)
                        {
                            if (target != m.Expiry)
                            {
                                _ = target < m.Expiry ? shortened.Add(hash) : shortened.Remove(hash);
                            }

                            model[hash] = m with { Expiry = target };
                        }

                        break;
                    }

                case 6:
                    f.Advance(random.Next(0, 150));
                    break;

                case 7:
                    {
                        // Peer push: existing unexpired hashes skipped (no extension), expired ones replaced,
                        // messages already expired on arrival skipped, no outbox replacement.
                        var batch = Enumerable.Range(0, random.Next(1, 6))
                            .Select(_ => new StoredMessage(accounts[random.Next(accounts.Length)], new Namespace(Namespaces[random.Next(Namespaces.Length)]), "m" + random.Next(60), now, now + random.Next(-20, 400), [7]))
                            .ToList();
                        var expected = 0;
                        foreach (var m in batch)
                        {
                            if (m.ExpiryMs <= now || (model.TryGetValue(m.Hash, out var e) && e.Expiry > now)
                                || (tombstones.TryGetValue((m.Account, m.Hash), out var t) && t > now))
                            {
                                continue;
                            }

                            model[m.Hash] = (m.Account, m.Namespace, m.ExpiryMs);
                            shortened.Remove(m.Hash);
                            expected++;
                        }

                        Assert.Equal(expected, f.Store.BulkStore(batch));
                        break;
                    }

                case 8:
                    {
                        var target = now + random.Next(-50, 300);
                        var updated = f.Store.UpdateAllExpiries(account, target);
                        var matching = model.Where(m => m.Value.Account == account && m.Value.Expiry > now && m.Value.Expiry > target).ToList();
                        Assert.Equal(matching.Select(m => m.Key).Order(StringComparer.Ordinal), updated.Select(u => u.Hash));
                        matching.ForEach(m => model[m.Key] = m.Value with { Expiry = target });
                        matching.ForEach(m => shortened.Add(m.Key));
                        break;
                    }

                case 9:
                    {
                        // Every message's timestamp is the clock at its store, so "before now" deletes them all.
                        var deleted = f.Store.DeleteBefore(account, now);
                        var matching = model.Where(m => m.Value.Account == account).ToList();
                        Assert.Equal(matching.Where(m => m.Value.Expiry > now).Select(m => (m.Value.Ns, m.Key)).OrderBy(p => p.Key, StringComparer.Ordinal), deleted);
                        matching.ForEach(m => Tombstone(account, m.Key, m.Value.Expiry, now));
                        matching.ForEach(m => model.Remove(m.Key));
                        break;
                    }

                case 10:
                    {
                        var token = SubaccountToken.Create(0x03, SubaccountFlags.Read, Enumerable.Repeat((byte)random.Next(8), 32).ToArray());
                        if (random.Next(2) == 0)
                        {
                            f.Store.Revoke(account, [token], now);
                        }
                        else
                        {
                            f.Store.Unrevoke(account, [token]);
                        }

                        break;
                    }

                case 11 when random.Next(4) == 0:
                    {
                        var matching = model.Where(m => m.Value.Account == account).ToList();
                        var (messages, _) = f.Store.PurgeAccount(account);
                        Assert.True(messages >= matching.Count);
                        matching.ForEach(m => model.Remove(m.Key));
                        foreach (var key in tombstones.Keys.Where(k => k.Item1 == account).ToList())
                        {
                            tombstones.Remove(key);
                        }

                        Assert.Empty(f.Store.ListAccountItems(account, long.MinValue));
                        Assert.Equal(new ItemDigest(default, 0), f.Store.AccountDigest(account, now));
                        break;
                    }

                default:
                    f.Store.SweepExpired();
                    foreach (var gone in model.Where(m => m.Value.Expiry <= f.Now).Select(m => m.Key).ToList())
                    {
                        if (shortened.Remove(gone))
                        {
                            tombstones[(model[gone].Account, gone)] = f.Now + Limits.MaxTtlPrivateMs;
                        }

                        model.Remove(gone);
                    }

                    AssertMatches(f, model);
                    if (random.Next(10) == 0)
                    {
                        f.Reopen();
                        AssertMatches(f, model);
                    }

                    break;
            }
        }
    }

    private static void AssertMatches(StoreFixture f, Dictionary<string, (AccountId Account, Namespace Ns, long Expiry)> model)
    {
        var stored = f.Store.EnumerateMessages(_ => true).ToDictionary(m => m.Hash, StringComparer.Ordinal);
        Assert.Equal(model.Keys.Order(StringComparer.Ordinal), stored.Keys.Order(StringComparer.Ordinal));
        foreach (var (hash, (account, ns, expiry)) in model)
        {
            Assert.Equal((account, ns, expiry), (stored[hash].Account, stored[hash].Namespace, stored[hash].ExpiryMs));
        }

        // Everything is unexpired right after a sweep, so the counters must equal a recount.
        Assert.Equal(model.Count, f.Store.MessageCount);
        Assert.Equal(stored.Values.Sum(m => StorageLayout.LogicalSize(m.Hash.Length, m.Data.Length)), f.Store.LogicalBytes);
        var owners = model.Values.Select(m => m.Account).Distinct().Order(Comparer<AccountId>.Create((a, b) => a.Span.SequenceCompareTo(b.Span))).ToList();
        Assert.Equal(owners, f.Store.EnumerateAccounts());
        Assert.Equal(owners.Count, f.Store.AccountCount);

        // The incrementally maintained digest leaves equal a recomputation from the database.
        var (xor, count) = f.Store.CurrentLeaves();
        var (scannedXor, scannedCount) = f.Store.ScanLeaves();
        Assert.Equal(scannedCount, count);
        Assert.Equal(scannedXor, xor);
    }
}
