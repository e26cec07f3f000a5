using System.Text;

namespace SessionNode.Client.Tests;

/// <summary>Keys and values of client-rpc.md §15.</summary>
internal static class Vectors
{
    public const string UserSeedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    public const string UserEd25519Hex = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    public const string SessionIdHex = "054701d08488451f545a409fb58ae3e58581ca40ac3f7f114698cd71deac73ca01";
    public const string NodeEd25519Hex = "2152f8d19b791d24453242e15f2eab6cb7cffa7b6a5ed30097960e069881db12";
    public const string Hash0 = "hhtSJaPR7ZE9Idyy+viPiKEbTvLMkK9gAide8asB6tc";
    public const string Hash2 = "gCn7E6Szqo/oChGehi2gQWVkm9nnERWRusWy/R/7pbI";

    public static readonly byte[] HelloSession = Encoding.ASCII.GetBytes("Hello, Session!");
    public static readonly byte[] ConfigBlob = [0x00, 0x01, 0x02, .. Encoding.ASCII.GetBytes("config-blob")];

    /// <summary>The §15.1 user as a Session ID account.</summary>
    public static SessionAccount User() => SessionAccount.FromSessionSeed(Convert.FromHexString(UserSeedHex));

    /// <summary>Wraps one node entry into a replicated response body keyed by the §15.1 node key.</summary>
    public static byte[] SwarmBody(string entryJson, string extraTopLevel = "") =>
        Encoding.UTF8.GetBytes($$"""{{{extraTopLevel}}"hf":[19,4],"swarm":{"{{NodeEd25519Hex}}":{{entryJson}}},"t":1700000005009}""");
}

internal static class Bytes
{
    public static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();
}
