using System.Text.Json;

namespace SessionNode.Client;

/// <summary>
/// One sub-request's outcome inside <c>batch</c>, <c>sequence</c> or <c>ifelse</c> (client-rpc.md §9.14):
/// its status code and body (the JSON answer, or the error text as a JSON string).
/// </summary>
public sealed class SubResult
{
    internal SubResult(JsonElement result)
    {
        JsonRead.Object(result, "sub-result");
        Code = checked((int)JsonRead.Int64(result, "code"));
        Body = JsonRead.TryGet(result, "body", out var body) ? body.Clone() : default;
    }

    /// <summary>The sub-request's status code.</summary>
    public int Code { get; }

    /// <summary>True for 200–299.</summary>
    public bool IsSuccess => Code is >= 200 and <= 299;

    /// <summary>The body: the sub-request's JSON answer, or a JSON string with its error text.</summary>
    public JsonElement Body { get; }

    /// <summary>The error text for a string body, else the body's JSON text.</summary>
    public string BodyText => Body.ValueKind switch
    {
        JsonValueKind.String => Body.GetString()!,
        JsonValueKind.Undefined => string.Empty,
        _ => Body.GetRawText(),
    };

    /// <summary>
    /// Parses a successful body with the parser of the request that produced it (verifying node signatures).
    /// </summary>
    /// <exception cref="SessionNodeRpcException">The sub-request failed (status outside 200–299).</exception>
    public TResult As<TResult>(RpcRequest<TResult> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsSuccess ? request.ParseResponse(Body) : throw new SessionNodeRpcException(Code, BodyText, request.Method);
    }
}

/// <summary>The answer to <c>batch</c> or <c>sequence</c>: results in request order (for <c>sequence</c>, up to the first failure).</summary>
public sealed class BatchResult
{
    internal BatchResult(JsonElement body)
    {
        JsonRead.Object(body, "response");
        var results = JsonRead.Required(body, "results");
        if (results.ValueKind != JsonValueKind.Array)
        {
            throw JsonRead.Bad("'results' is not an array");
        }

        Results = results.EnumerateArray().Select(r => new SubResult(r)).ToList();
    }

    /// <summary>The sub-results in request order.</summary>
    public IReadOnlyList<SubResult> Results { get; }
}

/// <summary>The answer to <c>ifelse</c> (§9.16).</summary>
public sealed class IfElseResult
{
    internal IfElseResult(JsonElement body)
    {
        JsonRead.Object(body, "response");
        HardFork = JsonRead.HardFork(body);
        Version = JsonRead.IntArray(body, "v");
        Height = JsonRead.Int64(body, "height");
        Condition = JsonRead.Bool(body, "condition");
        Result = JsonRead.TryGet(body, "result", out var r) ? new SubResult(r) : null;
    }

    /// <summary>The network hard fork the condition was evaluated against.</summary>
    public HardFork HardFork { get; }

    /// <summary>The version the condition was evaluated against.</summary>
    public IReadOnlyList<int> Version { get; }

    /// <summary>The chain height the condition was evaluated against.</summary>
    public long Height { get; }

    /// <summary>Whether every given condition held (the <c>then</c> branch ran).</summary>
    public bool Condition { get; }

    /// <summary>The selected branch's outcome, or null when that branch was not supplied.</summary>
    public SubResult? Result { get; }
}

/// <summary>
/// The conditions of <c>ifelse</c> (§9.16); every given one must hold. Lists compare lexicographically;
/// <c>*AtLeast</c> means ≥ and <c>*Before</c> means &lt;.
/// </summary>
public sealed record IfElseCondition
{
    /// <summary>Hard fork ≥ <c>[major, minor]</c>.</summary>
    public IReadOnlyList<int>? HardForkAtLeast { get; init; }

    /// <summary>Hard fork &lt; <c>[major, minor]</c>.</summary>
    public IReadOnlyList<int>? HardForkBefore { get; init; }

    /// <summary>Reported version ≥ <c>[a, b, c]</c>.</summary>
    public IReadOnlyList<int>? VersionAtLeast { get; init; }

    /// <summary>Reported version &lt; <c>[a, b, c]</c>.</summary>
    public IReadOnlyList<int>? VersionBefore { get; init; }

    /// <summary>Chain height ≥ this.</summary>
    public long? HeightAtLeast { get; init; }

    /// <summary>Chain height &lt; this.</summary>
    public long? HeightBefore { get; init; }
}
