using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using OpsConsole.Domain.Telemetry;

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
public sealed class ExpositionParser
{
    /// <summary>At most this many errors are kept per page; <see cref="ExpositionPage.ErrorCount"/> counts them all.</summary>
    public const int MaxErrorsRecorded = 100;

    private const string ExportedPrefix = "exported_";
    private const int MaxShownLength = 40;

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

    // ---- sample lines ----------------------------------------------------------------------------------------------

    private void ReadSample(ReadOnlySpan<byte> line, int lineNumber)
    {
        var nameLength = MetricNameLength(line);
        if (nameLength == 0)
        {
            AddError(lineNumber, line[0] == (byte)'{'
                ? "metric name expected before '{' (quoted UTF-8 metric names are not supported)"
                : $"invalid metric name '{Show(Token(line))}'");
            return;
        }

        if (nameLength < line.Length && !IsBlank(line[nameLength]) && line[nameLength] != (byte)'{')
        {
            AddError(lineNumber, $"invalid character '{Show(line.Slice(nameLength, 1))}' in metric name '{Show(Token(line))}'");
            return;
        }

        var name = InternAscii(line[..nameLength]);
        var i = SkipBlanks(line, nameLength);
        _labels.Clear();
        _labels.Add(new KeyValuePair<string, string>(LabelSet.MetricName, name));
        if (i < line.Length && line[i] == (byte)'{' && !TryReadLabels(line, ref i, lineNumber))
        {
            return;
        }

        i = SkipBlanks(line, i);
        var valueToken = Token(line[i..]);
        if (valueToken.IsEmpty)
        {
            AddError(lineNumber, $"missing value for {name}");
            return;
        }

        if (!TryParseValue(valueToken, out var value))
        {
            AddError(lineNumber, $"invalid value '{Show(valueToken)}' for {name}");
            return;
        }

        i = SkipBlanks(line, i + valueToken.Length);
        long? timestamp = null;
        if (i < line.Length && !IsExemplar(line, i))
        {
            var timestampToken = Token(line[i..]);
            if (!TryParseTimestamp(timestampToken, out var ms))
            {
                AddError(lineNumber, $"invalid timestamp '{Show(timestampToken)}' for {name}");
                return;
            }

            timestamp = ms;
            i = SkipBlanks(line, i + timestampToken.Length);
            if (i < line.Length && !IsExemplar(line, i))
            {
                AddError(lineNumber, $"unexpected text '{Show(Token(line[i..]))}' after the timestamp of {name}");
                return;
            }
        }

        var family = ResolveFamily(name, out var suffix);
        if (!CheckFamilyLabels(family, suffix, name, lineNumber))
        {
            return;
        }

        family.HasSamples = true;
        if (suffix == "_created" && !KeepCreatedSeries && family.Type is MetricType.Counter or MetricType.Histogram or MetricType.Summary)
        {
            return;
        }

        var labels = BuildLabelSet();
        if (_seen.TryGetValue(labels, out var seen) && seen.TimestampMs == timestamp)
        {
            AddError(lineNumber, $"duplicate series {labels} (first on line {seen.Line})");
            return;
        }

        _seen[labels] = new SeenSeries(lineNumber, timestamp);
        _samples.Add(new ExposedSample(labels, value, timestamp, family.Type, family.Name));
    }

    private bool IsExemplar(ReadOnlySpan<byte> line, int i) => _format == ExpositionFormat.OpenMetrics && line[i] == (byte)'#';

    private bool TryReadLabels(ReadOnlySpan<byte> line, ref int i, int lineNumber)
    {
        i++; // past '{'
        while (true)
        {
            i = SkipBlanks(line, i);
            if (i >= line.Length)
            {
                AddError(lineNumber, "label set without a closing '}'");
                return false;
            }

            if (line[i] == (byte)'}')
            {
                i++;
                return true;
            }

            var nameLength = LabelNameLength(line[i..]);
            if (nameLength == 0)
            {
                AddError(lineNumber, line[i] == (byte)'"'
                    ? "quoted (UTF-8) label names are not supported"
                    : $"invalid label name at '{Show(line[i..])}'");
                return false;
            }

            var nameBytes = line.Slice(i, nameLength);
            i += nameLength;
            if (i < line.Length && (line[i] is (byte)'-' or (byte)':' or (byte)'.' or (byte)'/' || line[i] >= 0x80))
            {
                AddError(lineNumber, $"invalid character '{Show(line.Slice(i, 1))}' in label name '{Show(nameBytes)}'");
                return false;
            }

            i = SkipBlanks(line, i);
            if (i >= line.Length || line[i] != (byte)'=')
            {
                AddError(lineNumber, $"expected '=' after label name {Show(nameBytes)}");
                return false;
            }

            i = SkipBlanks(line, i + 1);
            if (i >= line.Length || line[i] != (byte)'"')
            {
                AddError(lineNumber, $"expected '\"' to start the value of label {Show(nameBytes)}");
                return false;
            }

            i++;
            var start = i;
            var escaped = false;
            while (i < line.Length && line[i] != (byte)'"')
            {
                if (line[i] == (byte)'\\')
                {
                    if (i + 1 >= line.Length)
                    {
                        break;
                    }

                    var next = line[i + 1];
                    if (next is not ((byte)'\\' or (byte)'"' or (byte)'n'))
                    {
                        AddError(lineNumber, $"invalid escape sequence '\\{Show(line.Slice(i + 1, 1))}' in the value of label {Show(nameBytes)}");
                        return false;
                    }

                    escaped = true;
                    i += 2;
                    continue;
                }

                i++;
            }

            if (i >= line.Length)
            {
                AddError(lineNumber, $"unterminated value of label {Show(nameBytes)} (missing closing '\"')");
                return false;
            }

            var rawValue = line[start..i];
            i++; // past the closing quote
            if (!Utf8.IsValid(rawValue))
            {
                AddError(lineNumber, $"the value of label {Show(nameBytes)} is not valid UTF-8");
                return false;
            }

            var labelName = InternAscii(nameBytes);
            if (IndexOfLabel(labelName) >= 0)
            {
                AddError(lineNumber, $"duplicate label name {labelName}");
                return false;
            }

            var labelValue = escaped ? UnescapeLabelValue(rawValue) : InternUtf8(rawValue);
            _labels.Add(new KeyValuePair<string, string>(labelName, labelValue));

            i = SkipBlanks(line, i);
            if (i < line.Length && line[i] == (byte)',')
            {
                i++;
                continue;
            }

            if (i < line.Length && line[i] == (byte)'}')
            {
                i++;
                return true;
            }

            AddError(lineNumber, i >= line.Length
                ? "label set without a closing '}'"
                : $"expected ',' or '}}' after the value of label {labelName}, found '{Show(line.Slice(i, 1))}'");
            return false;
        }
    }

    private Family ResolveFamily(string name, out string? suffix)
    {
        suffix = null;
        if (_families.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var candidate in FamilySuffixes)
        {
            if (name.Length > candidate.Length
                && name.EndsWith(candidate, StringComparison.Ordinal)
                && _familyLookup.TryGetValue(name.AsSpan(0, name.Length - candidate.Length), out var stem)
                && Accepts(stem.Type, candidate))
            {
                suffix = candidate;
                return stem;
            }
        }

        var implicitFamily = new Family(name, _familyOrder++);
        _families.Add(name, implicitFamily);
        return implicitFamily;
    }

    private static bool Accepts(MetricType type, string suffix) => type switch
    {
        MetricType.Counter => suffix is "_total" or "_created",
        MetricType.Histogram => suffix is "_bucket" or "_count" or "_sum" or "_created",
        MetricType.GaugeHistogram => suffix is "_bucket" or "_gcount" or "_gsum",
        MetricType.Summary => suffix is "_count" or "_sum" or "_created",
        MetricType.Info => suffix is "_info",
        _ => false,
    };

    private bool CheckFamilyLabels(Family family, string? suffix, string name, int lineNumber)
    {
        if (family.Type is MetricType.Histogram or MetricType.GaugeHistogram && suffix == "_bucket" && !HasNumericLabel("le"))
        {
            AddError(lineNumber, $"histogram bucket {name} without a valid le label");
            return false;
        }

        if (family.Type == MetricType.Summary && suffix is null && !HasNumericLabel("quantile"))
        {
            AddError(lineNumber, $"summary quantile {name} without a valid quantile label");
            return false;
        }

        return true;
    }

    private bool HasNumericLabel(string labelName)
    {
        var index = IndexOfLabel(labelName);
        if (index < 0)
        {
            return false;
        }

        var value = _labels[index].Value;
        Span<byte> ascii = stackalloc byte[64];
        return value.Length <= ascii.Length
            && Ascii.FromUtf16(value, ascii, out var written) == OperationStatus.Done
            && TryParseValue(ascii[..written], out _);
    }

    private int IndexOfLabel(string labelName)
    {
        for (var k = 0; k < _labels.Count; k++)
        {
            if (string.Equals(_labels[k].Key, labelName, StringComparison.Ordinal))
            {
                return k;
            }
        }

        return -1;
    }

    private LabelSet BuildLabelSet()
    {
        if (_targetLabels is not null)
        {
            _conflicts.Clear();
            foreach (var target in _targetLabels.Labels)
            {
                var index = IndexOfLabel(target.Key);
                if (index < 0)
                {
                    _labels.Add(target);
                    continue;
                }

                if (_labels[index].Value.Length > 0)
                {
                    _conflicts.Add(_labels[index]);
                }

                _labels[index] = target;
            }

            foreach (var (conflictName, conflictValue) in _conflicts)
            {
                var exported = ExportedPrefix + conflictName;
                while (IndexOfLabel(exported) >= 0)
                {
                    exported = ExportedPrefix + exported;
                }

                _labels.Add(new KeyValuePair<string, string>(_names.Get(exported), conflictValue));
            }
        }

        return LabelSet.From(_labels);
    }

    // ---- tokens and values -----------------------------------------------------------------------------------------

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t';

    private static ReadOnlySpan<byte> SkipBlanks(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && IsBlank(s[i]))
        {
            i++;
        }

        return s[i..];
    }

    private static int SkipBlanks(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && IsBlank(s[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>The bytes up to the next blank (or the end).</summary>
    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> s)
    {
        var end = s.IndexOfAny((byte)' ', (byte)'\t');
        return end < 0 ? s : s[..end];
    }

    /// <summary>Length of the metric name <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c> at the start of <paramref name="s"/>.</summary>
    private static int MetricNameLength(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !(char.IsAsciiLetter((char)s[0]) || s[0] is (byte)'_' or (byte)':'))
        {
            return 0;
        }

        var i = 1;
        while (i < s.Length && (char.IsAsciiLetterOrDigit((char)s[i]) || s[i] is (byte)'_' or (byte)':'))
        {
            i++;
        }

        return i;
    }

    /// <summary>Length of the label name <c>[a-zA-Z_][a-zA-Z0-9_]*</c> at the start of <paramref name="s"/>.</summary>
    private static int LabelNameLength(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !(char.IsAsciiLetter((char)s[0]) || s[0] == (byte)'_'))
        {
            return 0;
        }

        var i = 1;
        while (i < s.Length && (char.IsAsciiLetterOrDigit((char)s[i]) || s[i] == (byte)'_'))
        {
            i++;
        }

        return i;
    }

    /// <summary>A float as Prometheus reads it: decimal or scientific notation, <c>NaN</c>, <c>Inf</c>/<c>Infinity</c> with an optional sign, any case.</summary>
    internal static bool TryParseValue(ReadOnlySpan<byte> token, out double value)
    {
        var unsigned = token.Length > 0 && token[0] is (byte)'+' or (byte)'-' ? token[1..] : token;
        if (unsigned.Length is 3 or 8 && char.IsAsciiLetter((char)unsigned[0]))
        {
            var negative = token[0] == (byte)'-';
            if (Ascii.EqualsIgnoreCase(unsigned, "inf"u8) || Ascii.EqualsIgnoreCase(unsigned, "infinity"u8))
            {
                value = negative ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }

            if (Ascii.EqualsIgnoreCase(unsigned, "nan"u8))
            {
                value = double.NaN;
                return true;
            }

            value = 0;
            return false;
        }

        if (unsigned.IsEmpty || !(char.IsAsciiDigit((char)unsigned[0]) || unsigned[0] == (byte)'.'))
        {
            value = 0;
            return false;
        }

        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private bool TryParseTimestamp(ReadOnlySpan<byte> token, out long milliseconds)
    {
        if (_format == ExpositionFormat.PrometheusText)
        {
            return long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out milliseconds);
        }

        // OpenMetrics: seconds, possibly with a fraction.
        milliseconds = 0;
        if (!TryParseValue(token, out var seconds) || !double.IsFinite(seconds) || Math.Abs(seconds) > long.MaxValue / 1000d)
        {
            return false;
        }

        milliseconds = (long)Math.Round(seconds * 1000d);
        return true;
    }

    // ---- text: interning, escapes, error display -------------------------------------------------------------------

    private string InternAscii(ReadOnlySpan<byte> ascii)
    {
        var chars = CharBuffer(ascii.Length);
        Ascii.ToUtf16(ascii, chars, out var written);
        return _names.Get(chars[..written]);
    }

    private string InternUtf8(ReadOnlySpan<byte> utf8)
    {
        var chars = CharBuffer(utf8.Length);
        var written = Encoding.UTF8.GetChars(utf8, chars);
        return _names.Get(chars[..written]);
    }

    private string DecodeUtf8(ReadOnlySpan<byte> utf8)
    {
        var chars = CharBuffer(utf8.Length);
        var written = Encoding.UTF8.GetChars(utf8, chars);
        return chars[..written].ToString();
    }

    private string UnescapeLabelValue(ReadOnlySpan<byte> raw)
    {
        var buffer = ByteBuffer(raw.Length);
        var length = 0;
        for (var k = 0; k < raw.Length; k++)
        {
            var b = raw[k];
            if (b == (byte)'\\')
            {
                // The scan already checked that only \\, \" and \n occur.
                k++;
                b = raw[k] == (byte)'n' ? (byte)'\n' : raw[k];
            }

            buffer[length++] = b;
        }

        return InternUtf8(buffer[..length]);
    }

    private string UnescapeHelp(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return DecodeUtf8(raw);
        }

        var buffer = ByteBuffer(raw.Length);
        var length = 0;
        for (var k = 0; k < raw.Length; k++)
        {
            var b = raw[k];
            if (b == (byte)'\\' && k + 1 < raw.Length)
            {
                var next = raw[k + 1];
                if (next == (byte)'\\' || next == (byte)'n' || (next == (byte)'"' && _format == ExpositionFormat.OpenMetrics))
                {
                    k++;
                    b = next == (byte)'n' ? (byte)'\n' : next;
                }
            }

            buffer[length++] = b;
        }

        return DecodeUtf8(buffer[..length]);
    }

    private Span<char> CharBuffer(int length)
    {
        if (_chars.Length < length)
        {
            _chars = new char[Math.Max(length, _chars.Length * 2)];
        }

        return _chars;
    }

    private Span<byte> ByteBuffer(int length)
    {
        if (_bytes.Length < length)
        {
            _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
        }

        return _bytes;
    }

    /// <summary>A short, printable excerpt of the input for an error message.</summary>
    private static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.Length > MaxShownLength ? bytes[..MaxShownLength] : bytes);
        var builder = new StringBuilder(text.Length + 3);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        if (bytes.Length > MaxShownLength)
        {
            builder.Append("...");
        }

        return builder.ToString();
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
