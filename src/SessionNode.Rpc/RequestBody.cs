using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using SessionNode.Core;

namespace SessionNode.Rpc;

/// <summary>Reads whole request bodies (JSON RPC and onion) into pooled buffers under the 10 MiB cap.</summary>
internal static class RequestBody
{
    /// <summary>Reads the whole body into a pooled buffer; null when it exceeds 10 MiB.</summary>
    public static async Task<(byte[]? Buffer, int Length)> ReadAsync(HttpContext http)
    {
        var reader = http.Request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent(http.Request.ContentLength is { } cl and > 0 ? (int)Math.Min(cl, Limits.MaxRequestBody) : 4096);
        var length = 0;
        try
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await reader.ReadAsync(http.RequestAborted);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }

                var seq = read.Buffer;
                if (length + seq.Length > Limits.MaxRequestBody)
                {
                    reader.AdvanceTo(seq.End);
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }

                if (length + seq.Length > buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Limits.MaxRequestBody, Math.Max(buffer.Length * 2L, length + seq.Length)));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                seq.CopyTo(buffer.AsSpan(length));
                length += (int)seq.Length;
                reader.AdvanceTo(seq.End);
                if (read.IsCompleted)
                {
                    return (buffer, length);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
