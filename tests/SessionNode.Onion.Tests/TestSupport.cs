using System.Text;
using System.Text.Json;
using SessionNode.Crypto;

namespace SessionNode.Onion.Tests;

/// <summary>Loads <c>Vectors/onion-vectors.json</c> (a copy of spec/vectors/onion-vectors.json) once.</summary>
internal static class OnionVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "onion-vectors.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement ById(string section, string id)
    {
        var list = Root.GetProperty(section);
        if (list.ValueKind == JsonValueKind.Object)
        {
            list = list.GetProperty("cases");
        }

        foreach (var entry in list.EnumerateArray())
        {
            if (entry.GetProperty("id").GetString() == id)
            {
                return entry;
            }
        }

        throw new InvalidOperationException($"No {section} vector '{id}'.");
    }

    public static TheoryData<string> Ids(string section)
    {
        var list = Root.GetProperty(section);
        if (list.ValueKind == JsonValueKind.Object)
        {
            list = list.GetProperty("cases");
        }

        var data = new TheoryData<string>();
        foreach (var entry in list.EnumerateArray())
        {
            data.Add(entry.GetProperty("id").GetString()!);
        }

        return data;
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

        throw new InvalidOperationException($"No node '{label}'.");
    }

    public static X25519KeyPair NodeKeys(string label) => X25519KeyPair.FromSecret(NodeIdentity(label).Hex("x25519_seckey"));

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

/// <summary>Hands out fixed nonces in order so known-answer ciphertexts can be reproduced.</summary>
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

internal static class Hexes
{
    public static string Of(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);
}
