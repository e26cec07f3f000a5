using System.Text.Json;
using SessionNode.Crypto;

namespace SessionNode.Client.Tests;

/// <summary>Loads the onion vectors (spec/vectors/onion-vectors.json) once.</summary>
internal static class OnionVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "onion-vectors.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement EndToEnd(string id) => Find(Root.GetProperty("end_to_end"), id);

    public static JsonElement Wrapping(string id) => Find(Root.GetProperty("response_wrapping").GetProperty("cases"), id);

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

    public static JsonElement Identity(string label)
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

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static byte[] Hex(this JsonElement e, string name) => Convert.FromHexString(e.Str(name));

    private static JsonElement Find(JsonElement list, string id)
    {
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.GetProperty("id").GetString() == id)
            {
                return entry;
            }
        }

        throw new InvalidOperationException($"No vector '{id}'.");
    }
}

/// <summary>Hands out the given ephemeral secrets in order.</summary>
internal sealed class FixedKeySource(IEnumerable<byte[]> secrets) : IEphemeralKeySource
{
    private readonly Queue<byte[]> _secrets = new(secrets);

    public int Remaining => _secrets.Count;

    public X25519KeyPair Next() => X25519KeyPair.FromSecret(_secrets.Dequeue());
}

/// <summary>Hands out the given nonces in order.</summary>
internal sealed class FixedNonceSource(IEnumerable<byte[]> nonces) : INonceSource
{
    private readonly Queue<byte[]> _nonces = new(nonces);

    public int Remaining => _nonces.Count;

    public void Fill(Span<byte> nonce)
    {
        var next = _nonces.Dequeue();
        Assert.Equal(nonce.Length, next.Length);
        next.CopyTo(nonce);
    }
}
