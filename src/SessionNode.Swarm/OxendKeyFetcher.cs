using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace SessionNode.Swarm;

/// <summary>
/// Start-up key retrieval of <see cref="NetworkMode.Oxend"/> (swarm.md §1, §2.6): asks oxend for the node's
/// keys until it answers, once per <see cref="NetworkOptions.OxendPollInterval"/>, logging each failure at
/// critical level; cancelling (SIGINT/SIGTERM) aborts the start.
/// </summary>
public static partial class OxendKeyFetcher
{
    /// <summary>Fetches the keys, retrying failed and malformed answers.</summary>
    /// <exception cref="InvalidDataException">oxend's keys cannot be used by this node (retrying cannot help).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<OxendNodeKeys> FetchAsync(NetworkOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        using var http = new HttpClient { Timeout = options.OxendRequestTimeout };
        var urlText = options.OxendRpcUrl.TrimEnd('/') + "/json_rpc";
        var url = new Uri(urlText);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(OxendNodeKeys.Request());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(url, content, cancellationToken);
                response.EnsureSuccessStatusCode();
                var keys = OxendNodeKeys.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                var legacyHex = Convert.ToHexStringLower(keys.LegacyPublicKey);
                LogKeys(logger, urlText, keys.Ed25519.PublicKeyHex, legacyHex);
                return keys;
            }
            catch (Exception e) when (e is HttpRequestException or FormatException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                LogFailed(logger, urlText, attempt, e.Message, options.OxendPollInterval);
            }

            await Task.Delay(options.OxendPollInterval, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node keys from oxend at {Url}: Ed25519 public key {Ed25519PublicKey}, legacy public key {LegacyPublicKey}")]
    private static partial void LogKeys(ILogger logger, string url, string ed25519PublicKey, string legacyPublicKey);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not get the node keys from oxend at {Url} (attempt {Attempt}): {Problem}; retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, string url, int attempt, string problem, TimeSpan delay);
}
