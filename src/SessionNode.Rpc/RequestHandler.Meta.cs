using System.Text.Json;
using SessionNode.Protocol;
using SessionNode.Rpc.Requests;

namespace SessionNode.Rpc;

public sealed partial class RequestHandler
{
    private async Task<RpcResult> BatchAsync(BatchRequest r, RpcContext context)
    {
        var results = new List<RpcResult>(r.Requests.Count);
        foreach (var sub in r.Requests)
        {
            var result = await ExecuteAsync(sub, context);
            results.Add(result);
            if (r.StopOnFailure && !result.IsSuccess)
            {
                break;
            }
        }

        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("results");
            foreach (var result in results)
            {
                WriteSubResult(w, result);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return RpcResult.Ok(json);
    }

    private async Task<RpcResult> IfElseAsync(IfElseRequest r, RpcContext context)
    {
        var snapshot = context.Membership;
        int[] hf = [snapshot.HardFork.Major, snapshot.HardFork.Minor];
        var height = snapshot.Height;
        var c = r.If;
        var condition = (c.HfAtLeast is null || Compare(hf, c.HfAtLeast) >= 0)
            && (c.HfBefore is null || Compare(hf, c.HfBefore) < 0)
            && (c.VAtLeast is null || Compare(NodeState.ReportedVersion, c.VAtLeast) >= 0)
            && (c.VBefore is null || Compare(NodeState.ReportedVersion, c.VBefore) < 0)
            && (c.HeightAtLeast is null || height >= c.HeightAtLeast)
            && (c.HeightBefore is null || height < c.HeightBefore);

        var branch = condition ? r.Then : r.Else;
        RpcResult? result = branch is null ? null : await ExecuteAsync(branch, context);

        var json = RpcJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("condition", condition);
            w.WriteNumber("height", height);
            w.WriteStartArray("hf");
            w.WriteNumberValue(hf[0]);
            w.WriteNumberValue(hf[1]);
            w.WriteEndArray();
            if (result is { } res)
            {
                w.WritePropertyName("result");
                WriteSubResult(w, res);
            }

            w.WriteStartArray("v");
            foreach (var v in NodeState.ReportedVersion)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return RpcResult.Ok(json);
    }

    private static void WriteSubResult(Utf8JsonWriter w, RpcResult result)
    {
        w.WriteStartObject();
        w.WritePropertyName("body");
        if (result.IsJson)
        {
            w.WriteRawValue(result.Body.Span, skipInputValidation: true);
        }
        else
        {
            w.WriteStringValue(result.BodyText);
        }

        result.ReleaseBody();

        w.WriteNumber("code", result.Status);
        w.WriteEndObject();
    }

    private static int Compare(int[] a, int[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
