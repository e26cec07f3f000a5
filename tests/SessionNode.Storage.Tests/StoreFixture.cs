using Microsoft.Extensions.Time.Testing;
using SessionNode.Core;

namespace SessionNode.Storage.Tests;

/// <summary>A real store in its own temp directory with a fake clock; deletes the directory on dispose.</summary>
internal sealed class StoreFixture : IDisposable
{
    /// <summary>2023-11-14T22:13:20Z, an arbitrary fixed start time.</summary>
    public const long StartMs = 1_700_000_000_000;

    public StoreFixture(long maxLogicalBytes = 3_758_096_384)
    {
        Directory = Path.Combine(Path.GetTempPath(), "sessionnode-storage-" + Guid.NewGuid().ToString("N"));
        Options = new MessageStoreOptions { Path = System.IO.Path.Combine(Directory, "db"), MaxLogicalBytes = maxLogicalBytes, BlockCacheBytes = 8 << 20, WriteBufferBytes = 8 << 20 };
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(StartMs));
        Store = MessageStore.Open(Options, Clock);
    }

    public string Directory { get; }

    public MessageStoreOptions Options { get; private set; }

    public FakeTimeProvider Clock { get; }

    public MessageStore Store { get; private set; }

    public long Now => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public void Reopen(MessageStoreOptions? options = null)
    {
        Store.Dispose();
        Options = options ?? Options;
        Store = MessageStore.Open(Options, Clock);
    }

    public void Advance(long ms) => Clock.Advance(TimeSpan.FromMilliseconds(ms));

    /// <summary>Stores with timestamp = now and expiry = now + ttl.</summary>
    public StoreResult Put(AccountId account, string hash, long ttlMs = 60_000, short ns = 0, byte[]? data = null)
        => Store.Store(account, new Namespace(ns), hash, Now, Now + ttlMs, data ?? "bytesasstring"u8.ToArray());

    public void Dispose()
    {
        Store.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>Accounts of the reference tests (storage.md §7.1).</summary>
internal static class Accounts
{
    public static readonly AccountId Ef = AccountId.ParseHex("050123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    public static readonly AccountId Ee = AccountId.ParseHex("050123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee");
    public static readonly AccountId Ed = AccountId.ParseHex("050123456789abcdef0123456789abcdef0123456789abcdef0123456789abcded");

    /// <summary>Same key as <see cref="Ef"/> with the group prefix 03: a different account.</summary>
    public static readonly AccountId GroupEf = AccountId.ParseHex("030123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

    public static AccountId Numbered(int i)
    {
        Span<byte> raw = stackalloc byte[AccountId.Length];
        raw[0] = 0x05;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw[29..], i);
        return AccountId.FromBytes(raw);
    }
}
