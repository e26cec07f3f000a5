namespace SessionNode.Core;

/// <summary>Protocol constants shared by storage and RPC (client-rpc.md, storage.md §5).</summary>
public static class Limits
{
    /// <summary>Maximum decoded message size in bytes (102 400 base64 characters).</summary>
    public const int MaxMessageBytes = 76_800;

    /// <summary>Maximum base64 length of <c>data</c> in a store request.</summary>
    public const int MaxMessageBase64Chars = 102_400;

    /// <summary>Minimum TTL: 10 s.</summary>
    public const long MinTtlMs = 10_000;

    /// <summary>Maximum TTL for public-inbox namespaces: 14 days.</summary>
    public const long MaxTtlPublicMs = 14L * 24 * 3600 * 1000;

    /// <summary>Maximum TTL for other namespaces, and the expire clamp: 30 days.</summary>
    public const long MaxTtlPrivateMs = 30L * 24 * 3600 * 1000;

    /// <summary>Retrieve size budget (estimated bytes).</summary>
    public const int RetrieveMaxSize = 7_800_000;

    /// <summary>Revocations kept per account, and per revoke request.</summary>
    public const int MaxRevocations = 50;

    /// <summary>Maximum HTTPS/onion request body: 10 MiB.</summary>
    public const int MaxRequestBody = 10 * 1024 * 1024;

    /// <summary>Maximum sub-requests of batch/sequence.</summary>
    public const int MaxBatchRequests = 20;

    /// <summary>Length of a message hash: unpadded base64 of 32 bytes.</summary>
    public const int HashLength = 43;
}
