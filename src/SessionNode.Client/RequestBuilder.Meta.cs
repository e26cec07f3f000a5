using System.Text.Json.Nodes;
using SessionNode.Protocol;

namespace SessionNode.Client;

// Builders are instance members whether or not they read the clock, so every request is built the same way.
#pragma warning disable CA1822

public sealed partial class RequestBuilder
{
    /// <summary>
    /// <c>batch</c> (§9.14): runs up to 20 sub-requests (no meta-requests), all of them, reporting results in
    /// request order. Parse each result with <see cref="SubResult.As{TResult}(RpcRequest{TResult})"/>.
    /// </summary>
    public RpcRequest<BatchResult> Batch(params IEnumerable<RpcRequest> requests) => Meta(RpcMethods.Batch, requests);

    /// <summary>
    /// <c>sequence</c> (§9.15): like <see cref="Batch"/> but one after another, stopping after the first result
    /// outside 200–299.
    /// </summary>
    public RpcRequest<BatchResult> Sequence(params IEnumerable<RpcRequest> requests) => Meta(RpcMethods.Sequence, requests);

    /// <summary>
    /// <c>ifelse</c> (§9.16): runs <paramref name="then"/> when every condition holds, else <paramref name="else"/>.
    /// Branches may be any request, including <c>batch</c>, <c>sequence</c> and nested <c>ifelse</c>.
    /// </summary>
    /// <param name="condition">The conditions; at least one must be set for the node to accept the request.</param>
    /// <param name="then">Run when the condition holds; null omits the branch.</param>
    /// <param name="else">Run otherwise; null omits the branch.</param>
    public RpcRequest<IfElseResult> IfElse(IfElseCondition condition, RpcRequest? then, RpcRequest? @else = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var cond = new JsonObject();
        AddList(cond, "hf_at_least", condition.HardForkAtLeast);
        AddList(cond, "hf_before", condition.HardForkBefore);
        AddList(cond, "v_at_least", condition.VersionAtLeast);
        AddList(cond, "v_before", condition.VersionBefore);
        if (condition.HeightAtLeast is { } hal)
        {
            cond["height_at_least"] = hal;
        }

        if (condition.HeightBefore is { } hb)
        {
            cond["height_before"] = hb;
        }

        var p = new JsonObject { ["if"] = cond };
        if (then is not null)
        {
            p["then"] = then.ToEnvelope();
        }

        if (@else is not null)
        {
            p["else"] = @else.ToEnvelope();
        }

        return new RpcRequest<IfElseResult>(RpcMethods.IfElse, p, body => new IfElseResult(body));
    }

    private static RpcRequest<BatchResult> Meta(string method, IEnumerable<RpcRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var array = new JsonArray();
        foreach (var r in requests)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(requests));
            array.Add((JsonNode)r.ToEnvelope());
        }

        return new RpcRequest<BatchResult>(method, new JsonObject { ["requests"] = array }, body => new BatchResult(body));
    }

    private static void AddList(JsonObject obj, string key, IReadOnlyList<int>? values)
    {
        if (values is null)
        {
            return;
        }

        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add((JsonNode?)JsonValue.Create(v));
        }

        obj[key] = array;
    }
}
