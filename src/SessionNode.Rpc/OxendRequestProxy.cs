using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SessionNode.Swarm;

namespace SessionNode.Rpc;

/// <summary>What oxend answered to a proxied call: its <c>result</c> JSON, or an error (text may be empty), or nothing usable.</summary>
internal readonly record struct OxendAnswer(byte[]? Result, string? Error, bool Unparsable);

/// <summary>
/// Forwards whitelisted <c>oxend_request</c> calls (client-rpc.md §9.13) to oxend's HTTP JSON-RPC
/// (<c>&lt;Network:OxendRpcUrl&gt;/json_rpc</c>) when the node runs in <see cref="NetworkMode.Oxend"/>; owns
/// the HttpClient used for them. In the other modes there is no oxend and it is disabled.
/// </summary>
public sealed class OxendRequestProxy : IDisposable
{
    private readonly HttpClient? _http;
    private readonly Uri? _url;

    /// <summary>Creates the proxy from the "Network" options.</summary>
    public OxendRequestProxy(IOptions<NetworkOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        if (o.Mode == NetworkMode.Oxend)
        {
            _http = new HttpClient { Timeout = o.OxendRequestTimeout };
            _url = new Uri(o.OxendRpcUrl.TrimEnd('/') + "/json_rpc");
        }
    }

    /// <summary>True when an oxend is configured.</summary>
    public bool Enabled => _http is not null;

    /// <summary>
    /// Calls <paramref name="endpoint"/> with <paramref name="paramsJson"/> (raw JSON, null = none). A
    /// transport failure, timeout or non-JSON error status is an error without text, as upstream reports a
    /// failed OxenMQ call; a successful status whose body is not a JSON-RPC answer is unparsable.
    /// </summary>
    internal async Task<OxendAnswer> CallAsync(string endpoint, string? paramsJson, CancellationToken cancellationToken)
    {
        var http = _http ?? throw new InvalidOperationException("No oxend is configured.");
        var body = OxendJsonRpc.RequestWithRawParams(endpoint, paramsJson); // params already parsed as JSON by the request parser

        byte[] answer;
        bool success;
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(_url, content, cancellationToken);
            success = response.IsSuccessStatusCode;
            answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return new OxendAnswer(null, null, Unparsable: false);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new OxendAnswer(null, null, Unparsable: false); // HttpClient timeout
        }

        try
        {
            using var doc = JsonDocument.Parse(answer);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                {
                    var text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                        ? m.GetString()
                        : null;
                    return new OxendAnswer(null, text, Unparsable: false);
                }

                if (success && root.TryGetProperty("result", out var result))
                {
                    return new OxendAnswer(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(result).ToArray(), null, Unparsable: false);
                }
            }
        }
        catch (JsonException)
        {
        }

        return success ? new OxendAnswer(null, null, Unparsable: true) : new OxendAnswer(null, null, Unparsable: false);
    }

    /// <inheritdoc />
    public void Dispose() => _http?.Dispose();
}
