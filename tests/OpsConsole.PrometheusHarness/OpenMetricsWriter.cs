using System.Globalization;
using System.Text;

namespace OpsConsole.PrometheusHarness;

/// <summary>
/// Writes samples as OpenMetrics text for <c>promtool tsdb create-blocks-from openmetrics</c>: one line per sample
/// (<c>name{labels} value timestamp-in-seconds</c>), no TYPE lines (every family is "unknown", so any sample name is
/// accepted), and the mandatory <c># EOF</c> at the end. Streams, so large data sets need no memory of their own.
/// </summary>
public sealed class OpenMetricsWriter : IDisposable, IAsyncDisposable
{
    private readonly TextWriter _writer;
    private bool _finished;

    public OpenMetricsWriter(string path)
    {
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16) { NewLine = "\n" };
    }

    /// <summary>Samples written so far.</summary>
    public long Samples { get; private set; }

    /// <summary>
    /// Writes one series' samples (timestamps in Unix milliseconds, strictly increasing). <paramref name="labels"/> must
    /// not contain <c>__name__</c>; label order does not matter.
    /// </summary>
    public void WriteSeries(string metricName, IEnumerable<KeyValuePair<string, string>> labels, IEnumerable<(long TimestampMs, double Value)> samples)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var prefix = metricName + Labels(labels) + " ";
        long previous = long.MinValue;
        foreach (var (t, v) in samples)
        {
            if (t <= previous)
            {
                throw new ArgumentException($"samples of {prefix.TrimEnd()} are not in increasing time order at {t} ms", nameof(samples));
            }

            previous = t;
            _writer.Write(prefix);
            _writer.Write(FormatValue(v));
            _writer.Write(' ');
            _writer.Write(FormatSeconds(t));
            _writer.Write('\n');
            Samples++;
        }
    }

    /// <summary>Writes <c># EOF</c> and closes the file.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        _writer.Write("# EOF\n");
        _writer.Dispose();
        _finished = true;
    }

    public void Dispose() => Finish();

    public ValueTask DisposeAsync()
    {
        Finish();
        return ValueTask.CompletedTask;
    }

    /// <summary>OpenMetrics number: shortest round-trip form, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.</summary>
    public static string FormatValue(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Unix milliseconds as OpenMetrics seconds with up to three decimals.</summary>
    public static string FormatSeconds(long ms) =>
        ms % 1000 == 0
            ? (ms / 1000).ToString(CultureInfo.InvariantCulture)
            : (ms / 1000m).ToString("0.###", CultureInfo.InvariantCulture);

    private static string Labels(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in labels)
        {
            if (name == "__name__")
            {
                throw new ArgumentException("pass the metric name separately, not as a __name__ label", nameof(labels));
            }

            sb.Append(sb.Length == 0 ? '{' : ',').Append(name).Append("=\"");
            foreach (var c in value)
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        return sb.Length == 0 ? "" : sb.Append('}').ToString();
    }
}
