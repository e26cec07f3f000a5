using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SessionNode.Integration.Tests;

internal static class TestData
{
    public const long Second = 1_000;
    public const long Minute = 60 * Second;
    public const long Hour = 60 * Minute;
    public const long Day = 24 * Hour;

    /// <summary>Random message bytes.</summary>
    public static byte[] Bytes(int length = 32) => RandomNumberGenerator.GetBytes(length);

    /// <summary>A well-formed signature (base64 of 64 bytes) that verifies for nothing this test signed.</summary>
    public static string ForeignSignature() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    /// <summary>Replaces the request's signature with a well-formed but wrong one.</summary>
    public static T WithBadSignature<T>(this T request)
        where T : RpcRequest
    {
        request.Params["signature"] = ForeignSignature();
        return request;
    }

    /// <summary>Sets (or with null removes) a parameter, keeping the rest of a signed request.</summary>
    public static T With<T>(this T request, string key, JsonNode? value)
        where T : RpcRequest
    {
        if (value is null)
        {
            request.Params.Remove(key);
        }
        else
        {
            request.Params[key] = value;
        }

        return request;
    }

    /// <summary>A random, well-formed hash that no stored message has.</summary>
    public static string UnknownHash() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=');
}
