using System.Globalization;
using System.Text;
using System.Text.Json;
using SessionNode.Protocol;

namespace SessionNode.LoadGen;

/// <summary>Renders run results as text for people or as JSON for scripts. Stateless.</summary>
internal static class ReportWriter
{
    private static readonly double[] Percentiles = [50, 90, 99, 99.9];

    public static void WriteText(TextWriter output, RunResult r)
    {
        var o = r.Options;
        output.WriteLine(Invariant(
            $"workload {r.Workload}  target {string.Join(' ', o.Targets)}  connections {o.Connections}  warm-up {o.Warmup.TotalSeconds:0.##} s  measured {r.MeasuredSeconds:0.00} s"));
        output.WriteLine(Invariant(
            $"  throughput   {r.RequestsPerSecond:#,0} req/s  ({r.Succeeded:#,0} ok, {r.Failed:#,0} failed, {r.BytesReceived / r.MeasuredSeconds / 1e6:0.0} MB/s received)"));
        var sb = new StringBuilder("  latency ms  ");
        foreach (var p in Percentiles)
        {
            sb.Append(Invariant($" p{p:0.#} {Ms(r.Latency.ValueAt(p)):0.00} "));
        }

        sb.Append(Invariant($" max {Ms(r.Latency.Max):0.00}  mean {Ms((long)r.Latency.Mean):0.00}"));
        output.WriteLine(sb.ToString());
        output.WriteLine("  status       " + string.Join("  ", r.Statuses.Select(s => Invariant($"{s.Key}: {s.Value:#,0}"))) +
            (r.Errors.Count > 0 ? "  errors: " + string.Join("  ", r.Errors.Select(e => Invariant($"{e.Key}: {e.Value:#,0}"))) : string.Empty));
        if (r.PartialAnswers > 0)
        {
            output.WriteLine(Invariant($"  partial      {r.PartialAnswers:#,0} 2xx answers with a failed member entry"));
        }

        if (r.Node.Pids.Count > 0)
        {
            output.WriteLine(Invariant(
                $"  node pid {string.Join(',', r.Node.Pids)}  RSS max {Mb(r.Node.RssMaxBytes):0.0} MB  end {Mb(r.Node.RssEndBytes):0.0} MB  peak-ever {Mb(r.Node.HwmBytes):0.0} MB  CPU {r.Node.NodeCpuPercent:0} %  {r.NodeCpuMicrosPerRequest:0} µs/request"));
        }

        var gcs = $"{r.After.Gen0 - r.Before.Gen0}/{r.After.Gen1 - r.Before.Gen1}/{r.After.Gen2 - r.Before.Gen2}";
        output.WriteLine(Invariant(
            $"  loadgen      CPU {r.LoadGenCpuPercent:0} %  GC gen0/1/2 {gcs}  allocated {r.AllocatedBytesPerRequest:0} B/request  host CPU {r.Node.HostCpuPercent:0} % of {Environment.ProcessorCount * 100} % ({r.Node.HostBusyPercent:0} % busy)"));
        output.WriteLine("  setup        " + Invariant($"{r.SetupTime.TotalSeconds:0.0} s; ") +
            string.Join(", ", r.SetupFacts.Select(f => Invariant($"{f.Key} {f.Value:0.###}"))));
    }

    public static void WriteJson(Stream output, IReadOnlyList<RunResult> results)
    {
        using var w = new Utf8JsonWriter(output, RpcJson.WriterOptions with { Indented = true });
        w.WriteStartObject();
        w.WriteString("tool", "sessionnode-loadgen");
        w.WriteNumber("processors", Environment.ProcessorCount);
        w.WriteStartArray("runs");
        foreach (var r in results)
        {
            WriteRun(w, r);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter w, RunResult r)
    {
        var o = r.Options;
        w.WriteStartObject();
        w.WriteString("workload", r.Workload);
        w.WriteString("target", o.Target.ToString());
        w.WriteStartArray("targets");
        foreach (var t in o.Targets)
        {
            w.WriteStringValue(t.ToString());
        }

        w.WriteEndArray();
        w.WriteNumber("connections", o.Connections);
        w.WriteNumber("warmup_s", o.Warmup.TotalSeconds);
        w.WriteNumber("duration_s", o.Duration.TotalSeconds);
        w.WriteNumber("measured_s", Round(r.MeasuredSeconds, 3));
        w.WriteNumber("ok", r.Succeeded);
        w.WriteNumber("failed", r.Failed);
        w.WriteNumber("rps", Round(r.RequestsPerSecond, 1));
        w.WriteNumber("bytes_received", r.BytesReceived);
        w.WriteNumber("partial_answers", r.PartialAnswers);

        w.WriteStartObject("latency_ms");
        foreach (var p in Percentiles)
        {
            w.WriteNumber(Invariant($"p{p:0.#}").Replace('.', '_'), Ms(r.Latency.ValueAt(p)));
        }

        w.WriteNumber("min", Ms(r.Latency.Min));
        w.WriteNumber("max", Ms(r.Latency.Max));
        w.WriteNumber("mean", Round(r.Latency.Mean / 1000, 3));
        w.WriteEndObject();

        w.WriteStartObject("status");
        foreach (var (status, count) in r.Statuses)
        {
            w.WriteNumber(status.ToString(CultureInfo.InvariantCulture), count);
        }

        w.WriteEndObject();
        w.WriteStartObject("errors");
        foreach (var (kind, count) in r.Errors)
        {
            w.WriteNumber(kind, count);
        }

        w.WriteEndObject();

        w.WriteStartObject("node");
        if (r.Node.Pids.Count > 0)
        {
            w.WriteNumber("pid", r.Node.Pids[0]);
            w.WriteStartArray("pids");
            foreach (var pid in r.Node.Pids)
            {
                w.WriteNumberValue(pid);
            }

            w.WriteEndArray();
            WriteOptional(w, "rss_max_mb", Mb(r.Node.RssMaxBytes));
            WriteOptional(w, "rss_end_mb", Mb(r.Node.RssEndBytes));
            WriteOptional(w, "hwm_mb", Mb(r.Node.HwmBytes));
            WriteOptional(w, "cpu_pct", r.Node.NodeCpuPercent);
            WriteOptional(w, "cpu_us_per_request", r.NodeCpuMicrosPerRequest);
        }

        WriteOptional(w, "host_cpu_pct", r.Node.HostCpuPercent);
        WriteOptional(w, "host_busy_pct", r.Node.HostBusyPercent);
        w.WriteEndObject();

        w.WriteStartObject("loadgen");
        WriteOptional(w, "cpu_pct", r.LoadGenCpuPercent);
        w.WriteNumber("gc_gen0", r.After.Gen0 - r.Before.Gen0);
        w.WriteNumber("gc_gen1", r.After.Gen1 - r.Before.Gen1);
        w.WriteNumber("gc_gen2", r.After.Gen2 - r.Before.Gen2);
        w.WriteNumber("allocated_bytes_per_request", Round(r.AllocatedBytesPerRequest, 0));
        w.WriteNumber("working_set_mb", Round(r.After.WorkingSet / 1048576.0, 1));
        w.WriteEndObject();

        w.WriteStartObject("setup");
        w.WriteNumber("seconds", Round(r.SetupTime.TotalSeconds, 3));
        foreach (var (key, value) in r.SetupFacts)
        {
            WriteOptional(w, key, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Round(value, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    private static double Ms(long micros) => micros / 1000.0;

    private static double Mb(long? bytes) => bytes is { } b ? Round(b / 1048576.0, 1) : double.NaN;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
