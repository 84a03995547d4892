using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Ingest.Prometheus.ExpositionSyntax;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>Sample lines: metric name, label set, value, timestamp; family attribution; target labels; text decoding.</summary>
public sealed partial class ExpositionParser
{
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
}
