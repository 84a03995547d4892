using System.Globalization;
using System.Text;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Web.Api;

/// <summary>
/// Every stored series' latest value (within the last 5 minutes, like Prometheus's lookback) in the text
/// exposition format 0.0.4, grouped by family with TYPE and HELP where known. An export across tenants adds an
/// <c>opsconsole_tenant</c> label so equal label sets of two tenants stay distinct.
/// </summary>
public static class PrometheusExport
{
    public static readonly TimeSpan Lookback = TimeSpan.FromMinutes(5);
    private static readonly string[] FamilySuffixes = ["_bucket", "_sum", "_count", "_total", "_created"];

    public static string Write(SeriesStore store, string? tenantId, DateTimeOffset now)
    {
        var metadata = store.Metadata(tenantId).GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First());
        var selected = store.Select(tenantId, [LabelMatcher.Regex(LabelSet.MetricName, ".+")],
            (now - Lookback).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
        var lines = new List<(string Family, string Name, string Line)>();
        foreach (var series in selected)
        {
            var last = default(Sample?);
            var cursor = series.Samples();
            while (cursor.MoveNext())
            {
                last = cursor.Current;
            }

            if (last is not { } sample || StaleMarker.IsStaleNaN(sample.Value))
            {
                continue;
            }

            var name = series.Labels.Name!;
            var labels = series.Labels.Labels.Where(l => l.Key != LabelSet.MetricName).ToList();
            if (tenantId is null)
            {
                labels.Add(new("opsconsole_tenant", series.TenantId));
            }

            var line = new StringBuilder(name);
            if (labels.Count > 0)
            {
                line.Append('{').AppendJoin(',', labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")).Append('}');
            }

            line.Append(' ').Append(Format(sample.Value)).Append(' ').Append(sample.TimestampMs.ToString(CultureInfo.InvariantCulture));
            lines.Add((FamilyOf(name, metadata), name, line.ToString()));
        }

        var text = new StringBuilder();
        foreach (var family in lines.GroupBy(l => l.Family).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (metadata.TryGetValue(family.Key, out var m) || metadata.TryGetValue(Base(family.Key), out m))
            {
                var typeName = m.Type == MetricType.Counter && !family.Key.EndsWith("_total", StringComparison.Ordinal) ? family.Key + "_total" : family.Key;
                if (!string.IsNullOrWhiteSpace(m.Help))
                {
                    text.Append("# HELP ").Append(typeName).Append(' ').Append(EscapeHelp(m.Help)).Append('\n');
                }

                if (TypeWord(m.Type) is { } word)
                {
                    text.Append("# TYPE ").Append(typeName).Append(' ').Append(word).Append('\n');
                }
            }

            foreach (var l in family.OrderBy(l => l.Line, StringComparer.Ordinal))
            {
                text.Append(l.Line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string FamilyOf(string name, Dictionary<string, MetricMetadata> metadata)
    {
        if (metadata.ContainsKey(name))
        {
            return name;
        }

        var b = Base(name);
        return b != name && metadata.TryGetValue(b, out var m) && m.Type is MetricType.Histogram or MetricType.Summary or MetricType.Counter ? b : name;
    }

    private static string Base(string name)
    {
        foreach (var suffix in FamilySuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static string? TypeWord(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        MetricType.Summary => "summary",
        _ => null,
    };

    public static string Format(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string v) =>
        v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string v) =>
        v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
