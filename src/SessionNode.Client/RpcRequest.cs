using System.Text.Json;
using System.Text.Json.Nodes;
using SessionNode.Protocol;

namespace SessionNode.Client;

/// <summary>
/// One <c>/storage_rpc/v1</c> request: a method name and its <c>params</c> object, signed when built. Send it with
/// <see cref="SessionNodeClient.SendAsync{TResult}(RpcRequest{TResult}, CancellationToken)"/> or
/// <see cref="SessionNodeClient.SendRawAsync(RpcRequest, CancellationToken)"/>, or nest it in
/// <c>batch</c>/<c>sequence</c>/<c>ifelse</c> (<see cref="RequestBuilder.Batch"/>).
/// </summary>
/// <remarks>
/// <see cref="Params"/> is mutable so tests can tamper with a correctly signed request (wrong types, stale
/// signatures); changing it after signing usually invalidates the signature.
/// </remarks>
public class RpcRequest
{
    /// <summary>Creates a request. Prefer the typed builders of <see cref="RequestBuilder"/>.</summary>
    /// <param name="method">The method name, e.g. <see cref="RpcMethods.Store"/>.</param>
    /// <param name="parameters">The <c>params</c> object.</param>
    public RpcRequest(string method, JsonObject parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(parameters);
        Method = method;
        Params = parameters;
    }

    /// <summary>The method name.</summary>
    public string Method { get; }

    /// <summary>The <c>params</c> object.</summary>
    public JsonObject Params { get; }

    /// <summary>The envelope <c>{"method": ..., "params": ...}</c> as a new JSON object (params deep-copied).</summary>
    public JsonObject ToEnvelope() => new()
    {
        ["method"] = Method,
        ["params"] = Params.DeepClone(),
    };

    /// <summary>The envelope as compact UTF-8 JSON, with <c>+</c> and <c>/</c> unescaped (client-rpc.md §2.5).</summary>
    public byte[] ToJsonBytes() => RpcJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("method", Method);
        w.WritePropertyName("params");
        Params.WriteTo(w);
        w.WriteEndObject();
    });

    /// <inheritdoc />
    public override string ToString() => System.Text.Encoding.UTF8.GetString(ToJsonBytes());
}

/// <summary>A request whose successful answer parses into <typeparamref name="TResult"/>.</summary>
/// <typeparam name="TResult">The typed result.</typeparam>
public sealed class RpcRequest<TResult> : RpcRequest
{
    private readonly Func<JsonElement, TResult> _parse;

    /// <summary>Creates a request with a parser for its successful answer.</summary>
    /// <param name="method">The method name.</param>
    /// <param name="parameters">The <c>params</c> object.</param>
    /// <param name="parse">Parses the JSON body of a 2xx answer (and verifies node signatures).</param>
    public RpcRequest(string method, JsonObject parameters, Func<JsonElement, TResult> parse)
        : base(method, parameters)
    {
        ArgumentNullException.ThrowIfNull(parse);
        _parse = parse;
    }

    /// <summary>
    /// Parses a successful answer's JSON body, verifying each node signature against the request this object
    /// was built from.
    /// </summary>
    /// <exception cref="SessionNodeProtocolException">The body does not have the method's response shape.</exception>
    public TResult ParseResponse(JsonElement body) => _parse(body);

    /// <summary>Parses a successful answer's JSON body given as UTF-8 bytes.</summary>
    /// <exception cref="SessionNodeProtocolException">The body is not JSON or not the method's response shape.</exception>
    public TResult ParseResponse(ReadOnlyMemory<byte> body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, RpcJson.DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new SessionNodeProtocolException($"Unexpected node response to {Method}: not JSON.", e);
        }

        using (doc)
        {
            return _parse(doc.RootElement);
        }
    }
}
