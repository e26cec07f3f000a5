using System.Diagnostics.CodeAnalysis;

namespace SessionNode.Rpc.Requests;

/// <summary>A request failed parameter validation; answered 400 <c>invalid request: {Detail}</c>.</summary>
public sealed class RequestParseException : Exception
{
    /// <summary>Creates the exception with the client-visible detail.</summary>
    public RequestParseException(string detail)
        : base(detail)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RequestParseException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RequestParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws with the given detail.</summary>
    [DoesNotReturn]
    public static void Throw(string detail) => throw new RequestParseException(detail);

    /// <summary>Throws "Required field '<paramref name="name"/>' missing".</summary>
    [DoesNotReturn]
    public static void ThrowMissing(string name) => throw new RequestParseException($"Required field '{name}' missing");

    /// <summary>Throws "Invalid value given for '<paramref name="name"/>': expected <paramref name="desc"/>".</summary>
    [DoesNotReturn]
    public static void ThrowType(string name, string desc) => throw new RequestParseException($"Invalid value given for '{name}': expected {desc}");
}
