using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SessionNode.Crypto.Tests;

/// <summary>Loads <c>Vectors/onion-vectors.json</c> (a copy of spec/vectors/onion-vectors.json) once.</summary>
internal static class OnionVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "onion-vectors.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement ChannelEncryption(string id)
    {
        foreach (var entry in Root.GetProperty("channel_encryption").EnumerateArray())
        {
            if (entry.GetProperty("id").GetString() == id)
            {
                return entry;
            }
        }

        throw new InvalidOperationException($"No channel_encryption vector '{id}'.");
    }

    public static JsonElement EndToEnd(string id)
    {
        foreach (var entry in Root.GetProperty("end_to_end").EnumerateArray())
        {
            if (entry.GetProperty("id").GetString() == id)
            {
                return entry;
            }
        }

        throw new InvalidOperationException($"No end_to_end vector '{id}'.");
    }

    public static JsonElement NodeIdentity(string label)
    {
        foreach (var node in Root.GetProperty("ed25519_to_x25519").GetProperty("nodes").EnumerateArray())
        {
            if (node.GetProperty("label").GetString() == label)
            {
                return node;
            }
        }

        throw new InvalidOperationException($"No ed25519_to_x25519 node '{label}'.");
    }

    public static int Count(string section) => Root.GetProperty(section).GetArrayLength();

    public static int CountUnder(string section, string property) => Root.GetProperty(section).GetProperty(property).GetArrayLength();

    public static string Str(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"'{name}' is null.");

    public static byte[] Hex(this JsonElement element, string name) => Convert.FromHexString(element.Str(name));

    public static byte[] Utf8(this JsonElement element, string name) => Encoding.UTF8.GetBytes(element.Str(name));

    public static EncryptionType EncType(this JsonElement element, string name = "enc_type")
    {
        Assert.True(EncryptionTypes.TryParse(element.Str(name), out var type), element.Str(name));
        return type;
    }
}

/// <summary>Hands out one fixed nonce per call, in order, so known-answer ciphertexts can be reproduced.</summary>
internal sealed class FixedNonceSource(params byte[][] nonces) : INonceSource
{
    private int _next;

    public int Used => _next;

    public void Fill(Span<byte> nonce)
    {
        Assert.True(_next < nonces.Length, "More nonces requested than supplied.");
        var value = nonces[_next++];
        Assert.Equal(value.Length, nonce.Length);
        value.CopyTo(nonce);
    }
}

/// <summary>
/// Legacy aes-cbc channel encryption (onion.md §3.5): key = S, layout IV(16) ‖ AES-256-CBC/PKCS#7.
/// Test-only: the node treats aes-cbc as an invalid enc_type (onion.md §3.6), but the vector must still run.
/// </summary>
internal static class LegacyAesCbc
{
    public const int IvSize = 16;

    public static byte[] Decrypt(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ciphertext)
    {
        using var aes = Aes.Create();
        aes.Key = sharedSecret.ToArray();
        return aes.DecryptCbc(ciphertext[IvSize..], ciphertext[..IvSize], PaddingMode.PKCS7);
    }

    public static byte[] Encrypt(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext)
    {
        using var aes = Aes.Create();
        aes.Key = sharedSecret.ToArray();
        return [.. iv, .. aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7)];
    }
}

internal static class Bytes
{
    public static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
