using System.Buffers;
using System.Text;
using System.Text.Unicode;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Ingest.Prometheus.ExpositionSyntax;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// Reads a Prometheus text exposition page (format 0.0.4) or a simple OpenMetrics page from its UTF-8 bytes, line by
/// line without regular expressions. A malformed line is recorded as an <see cref="ExpositionError"/> with its line
/// number and skipped; the rest of the page still counts. Parsing never throws for bad input.
/// </summary>
/// <remarks>
/// <para>What it understands: <c># HELP</c> (escapes <c>\\</c> and <c>\n</c>, and <c>\"</c> in OpenMetrics),
/// <c># TYPE</c>, sample lines <c>name{label="value",...} value [timestamp]</c> with the label value escapes
/// <c>\\</c>, <c>\"</c>, <c>\n</c>, trailing commas, blanks between tokens, <c>NaN</c>, <c>Inf</c>, <c>+Inf</c>,
/// <c>-Inf</c> (any case), scientific notation, and optional timestamps (integer milliseconds in the text format,
/// seconds in OpenMetrics). Histogram (<c>_bucket</c> with <c>le</c>, <c>_sum</c>, <c>_count</c>) and summary
/// (<c>quantile</c>, <c>_sum</c>, <c>_count</c>) series are attributed to their family's type and help. Other
/// comments and empty lines are ignored.</para>
/// <para>OpenMetrics, where simple: <c># UNIT</c>, <c># EOF</c> (text after it and a missing one are errors), the
/// <c>_total</c>/<c>_info</c>/<c>_gsum</c>/<c>_gcount</c> suffixes, exemplars (ignored), and <c>_created</c> series
/// of counters, histograms and summaries, which are dropped unless <see cref="KeepCreatedSeries"/> is set.</para>
/// <para>Not supported: quoted (UTF-8) metric and label names, native histograms (protobuf).</para>
/// <para>An instance keeps buffers and an intern table of the names and values it saw, so reusing one instance for
/// the scrapes of a target allocates little; it is not thread-safe.</para>
/// </remarks>
public sealed partial class ExpositionParser
{
    /// <summary>At most this many errors are kept per page; <see cref="ExpositionPage.ErrorCount"/> counts them all.</summary>
    public const int MaxErrorsRecorded = 100;

    private const string ExportedPrefix = "exported_";

    private static readonly string[] FamilySuffixes = ["_bucket", "_count", "_sum", "_created", "_total", "_info", "_gcount", "_gsum"];

    private readonly NameTable _names = new();
    private readonly List<KeyValuePair<string, string>> _labels = [];
    private readonly List<KeyValuePair<string, string>> _conflicts = [];
    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Family>.AlternateLookup<ReadOnlySpan<char>> _familyLookup;
    private readonly Dictionary<LabelSet, SeenSeries> _seen = new(SeriesComparer.Instance);
    private readonly List<ExpositionError> _errors = [];
    private char[] _chars = new char[256];
    private byte[] _bytes = new byte[256];
    private List<ExposedSample> _samples = [];
    private int _errorCount;
    private int _familyOrder;
    private bool _eof;
    private ExpositionFormat _format;
    private LabelSet? _targetLabels;

    public ExpositionParser()
    {
        _familyLookup = _families.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Keep OpenMetrics <c>_created</c> series of counters, histograms and summaries as samples (default: drop them, as Prometheus does).</summary>
    public bool KeepCreatedSeries { get; init; }

    /// <summary>Parses a page given as text (tests and tools; a scrape hands over bytes).</summary>
    public static ExpositionPage ParseText(string page, ExpositionFormat format = ExpositionFormat.PrometheusText) =>
        new ExpositionParser().Parse(page, format);

    public ExpositionPage Parse(string page, ExpositionFormat format = ExpositionFormat.PrometheusText, LabelSet? targetLabels = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(page.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(page, rented);
            return Parse(rented.AsSpan(0, length), format, targetLabels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public ExpositionPage Parse(in ReadOnlySequence<byte> page, ExpositionFormat format = ExpositionFormat.PrometheusText, LabelSet? targetLabels = null)
    {
        if (page.IsSingleSegment)
        {
            return Parse(page.FirstSpan, format, targetLabels);
        }

        var length = checked((int)page.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            page.CopyTo(rented);
            return Parse(rented.AsSpan(0, length), format, targetLabels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Parses one page. <paramref name="targetLabels"/>, when given, are added to every sample with Prometheus's
    /// <c>honor_labels: false</c> rule: the target's value wins, and an exposed label of the same name is kept as
    /// <c>exported_&lt;name&gt;</c> (prefixed again while that name is taken too).
    /// </summary>
    public ExpositionPage Parse(ReadOnlySpan<byte> page, ExpositionFormat format = ExpositionFormat.PrometheusText, LabelSet? targetLabels = null)
    {
        Reset(format, targetLabels);
        if (page.StartsWith("\uFEFF"u8))
        {
            page = page[3..];
        }

        var lineNumber = 0;
        while (!page.IsEmpty)
        {
            var newline = page.IndexOf((byte)'\n');
            var line = newline < 0 ? page : page[..newline];
            page = newline < 0 ? [] : page[(newline + 1)..];
            lineNumber++;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            var content = SkipBlanks(line);
            if (_eof)
            {
                if (!content.IsEmpty)
                {
                    AddError(lineNumber, "text after # EOF");
                    break;
                }

                continue;
            }

            if (content.IsEmpty)
            {
                continue;
            }

            if (content[0] == (byte)'#')
            {
                ReadComment(content[1..], lineNumber);
            }
            else
            {
                ReadSample(content, lineNumber);
            }
        }

        if (_format == ExpositionFormat.OpenMetrics && !_eof)
        {
            AddError(lineNumber + 1, "the OpenMetrics page does not end with # EOF");
        }

        return new ExpositionPage(_samples, CollectMetadata(), [.. _errors], _errorCount, lineNumber);
    }

    private void Reset(ExpositionFormat format, LabelSet? targetLabels)
    {
        _format = format;
        _targetLabels = targetLabels is { Count: > 0 } ? targetLabels : null;
        _families.Clear();
        _seen.Clear();
        _errors.Clear();
        _errorCount = 0;
        _familyOrder = 0;
        _eof = false;
        _samples = new List<ExposedSample>(Math.Max(16, _samples.Count));
    }

    // ---- comments: # HELP, # TYPE, # UNIT, # EOF ------------------------------------------------------------------

    private void ReadComment(ReadOnlySpan<byte> rest, int lineNumber)
    {
        rest = SkipBlanks(rest);
        var keyword = Token(rest);
        var afterKeyword = rest[keyword.Length..];
        if (keyword.SequenceEqual("HELP"u8))
        {
            ReadHelp(afterKeyword, lineNumber);
        }
        else if (keyword.SequenceEqual("TYPE"u8))
        {
            ReadType(afterKeyword, lineNumber);
        }
        else if (_format == ExpositionFormat.OpenMetrics && keyword.SequenceEqual("UNIT"u8))
        {
            ReadUnit(afterKeyword, lineNumber);
        }
        else if (_format == ExpositionFormat.OpenMetrics && keyword.SequenceEqual("EOF"u8))
        {
            if (!SkipBlanks(afterKeyword).IsEmpty)
            {
                AddError(lineNumber, "unexpected text after # EOF");
            }

            _eof = true;
        }

        // Any other comment is ignored.
    }

    private void ReadHelp(ReadOnlySpan<byte> rest, int lineNumber)
    {
        if (!TryReadFamilyName(ref rest, "HELP", lineNumber, out var family))
        {
            return;
        }

        if (family.Help is not null)
        {
            AddError(lineNumber, $"second HELP line for metric {family.Name}");
            return;
        }

        if (!Utf8.IsValid(rest))
        {
            AddError(lineNumber, $"the HELP text of {family.Name} is not valid UTF-8");
            return;
        }

        family.Help = UnescapeHelp(SkipBlanks(rest));
    }

    private void ReadType(ReadOnlySpan<byte> rest, int lineNumber)
    {
        if (!TryReadFamilyName(ref rest, "TYPE", lineNumber, out var family))
        {
            return;
        }

        rest = SkipBlanks(rest);
        var typeToken = Token(rest);
        if (!SkipBlanks(rest[typeToken.Length..]).IsEmpty)
        {
            AddError(lineNumber, $"unexpected text after the type of {family.Name}");
            return;
        }

        if (!TryParseType(typeToken, out var type))
        {
            AddError(lineNumber, typeToken.IsEmpty ? $"TYPE line for {family.Name} without a type" : $"unknown metric type '{Show(typeToken)}' for {family.Name}");
            return;
        }

        if (family.HasType)
        {
            AddError(lineNumber, $"second TYPE line for metric {family.Name}");
            return;
        }

        if (family.HasSamples)
        {
            AddError(lineNumber, $"TYPE line for {family.Name} after its samples");
            return;
        }

        family.Type = type;
        family.HasType = true;
    }

    private void ReadUnit(ReadOnlySpan<byte> rest, int lineNumber)
    {
        if (!TryReadFamilyName(ref rest, "UNIT", lineNumber, out var family))
        {
            return;
        }

        rest = SkipBlanks(rest);
        var unit = Token(rest);
        if (!SkipBlanks(rest[unit.Length..]).IsEmpty || !Utf8.IsValid(unit))
        {
            AddError(lineNumber, $"invalid UNIT line for {family.Name}");
            return;
        }

        if (family.Unit is not null)
        {
            AddError(lineNumber, $"second UNIT line for metric {family.Name}");
            return;
        }

        family.Unit = unit.IsEmpty ? null : DecodeUtf8(unit);
    }

    private bool TryReadFamilyName(ref ReadOnlySpan<byte> rest, string keyword, int lineNumber, out Family family)
    {
        rest = SkipBlanks(rest);
        var length = MetricNameLength(rest);
        if (length == 0 || (length < rest.Length && !IsBlank(rest[length])))
        {
            AddError(lineNumber, rest.IsEmpty ? $"{keyword} line without a metric name" : $"{keyword} line with an invalid metric name '{Show(Token(rest))}'");
            family = null!;
            return false;
        }

        var name = InternAscii(rest[..length]);
        rest = rest[length..];
        if (!_families.TryGetValue(name, out family!))
        {
            family = new Family(name, _familyOrder++);
            _families.Add(name, family);
        }

        return true;
    }

    private bool TryParseType(ReadOnlySpan<byte> token, out MetricType type)
    {
        type = MetricType.Unknown;
        if (token.SequenceEqual("counter"u8))
        {
            type = MetricType.Counter;
        }
        else if (token.SequenceEqual("gauge"u8))
        {
            type = MetricType.Gauge;
        }
        else if (token.SequenceEqual("histogram"u8))
        {
            type = MetricType.Histogram;
        }
        else if (token.SequenceEqual("summary"u8))
        {
            type = MetricType.Summary;
        }
        else if (_format == ExpositionFormat.PrometheusText)
        {
            return token.SequenceEqual("untyped"u8);
        }
        else if (token.SequenceEqual("gaugehistogram"u8))
        {
            type = MetricType.GaugeHistogram;
        }
        else if (token.SequenceEqual("stateset"u8))
        {
            type = MetricType.StateSet;
        }
        else if (token.SequenceEqual("info"u8))
        {
            type = MetricType.Info;
        }
        else
        {
            return token.SequenceEqual("unknown"u8);
        }

        return true;
    }

    private List<MetricMetadata> CollectMetadata()
    {
        var declared = new List<Family>();
        foreach (var family in _families.Values)
        {
            if (family.HasType || family.Help is not null || family.Unit is not null)
            {
                declared.Add(family);
            }
        }

        declared.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        return declared.ConvertAll(static f => new MetricMetadata(f.Name, f.Type, f.Help, f.Unit));
    }

    private void AddError(int line, string message)
    {
        _errorCount++;
        if (_errors.Count < MaxErrorsRecorded)
        {
            _errors.Add(new ExpositionError(line, message));
        }
    }

    private sealed class Family(string name, int order)
    {
        public string Name { get; } = name;
        public int Order { get; } = order;
        public MetricType Type { get; set; }
        public bool HasType { get; set; }
        public string? Help { get; set; }
        public string? Unit { get; set; }
        public bool HasSamples { get; set; }
    }

    private readonly record struct SeenSeries(int Line, long? TimestampMs);
}
