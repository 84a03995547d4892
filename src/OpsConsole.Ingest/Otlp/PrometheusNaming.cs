using System.Globalization;
using System.Text;

namespace OpsConsole.Ingest.Otlp;

/// <summary>The kind of Prometheus family an OTLP metric becomes; it decides the name's suffixes.</summary>
internal enum PrometheusFamilyKind
{
    /// <summary>An OTLP gauge: unit "1" becomes <c>_ratio</c>.</summary>
    Gauge,

    /// <summary>A monotonic sum: <c>_total</c> at the end.</summary>
    Counter,

    /// <summary>A non-monotonic sum (an up-down counter): exposed as a gauge, without <c>_ratio</c>.</summary>
    NonMonotonicSum,

    Histogram,
    Summary,
}

/// <summary>
/// OpenTelemetry-to-Prometheus naming, after the specification's compatibility rules (as the Collector's and
/// Prometheus's own OTLP translators apply them): the name is split into words at every character outside
/// <c>[a-zA-Z0-9:]</c> (so invalid characters become <c>_</c> and runs of <c>_</c> collapse); the unit's
/// Prometheus word (<c>s</c> → <c>seconds</c>, <c>By</c> → <c>bytes</c>, <c>ms</c> → <c>milliseconds</c>,
/// <c>{annotations}</c> dropped, <c>x/y</c> → <c>x_per_y</c>) is appended unless the name already has it;
/// monotonic sums end in <c>_total</c>; gauges with unit <c>1</c> end in <c>_ratio</c>; a leading digit gets a
/// <c>_</c> prefix.
/// </summary>
internal static class PrometheusNaming
{
    private static readonly Dictionary<string, string> MainUnits = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
        ["1"] = "",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    };

    /// <summary>The Prometheus family name of an OTLP metric.</summary>
    public static string MetricName(string name, string unit, PrometheusFamilyKind kind)
    {
        var words = SplitWords(name, keepColon: true);
        var (main, per) = UnitWords(unit);
        if (main.Length > 0 && !words.Contains(main))
        {
            words.Add(main);
        }

        if (per.Length > 0 && !words.Contains(per))
        {
            words.Add("per");
            words.Add(per);
        }

        if (kind == PrometheusFamilyKind.Counter)
        {
            words.Remove("total");
            words.Add("total");
        }

        if (kind == PrometheusFamilyKind.Gauge && unit == "1")
        {
            words.Remove("ratio");
            words.Add("ratio");
        }

        var joined = string.Join('_', words);
        return joined.Length > 0 && char.IsAsciiDigit(joined[0]) ? "_" + joined : joined;
    }

    /// <summary>The unit as Prometheus words (e.g. "seconds", "bytes_per_second", "ratio"), or "" when none.</summary>
    public static string UnitName(string unit, PrometheusFamilyKind kind)
    {
        if (kind == PrometheusFamilyKind.Gauge && unit == "1")
        {
            return "ratio";
        }

        var (main, per) = UnitWords(unit);
        return per.Length == 0 ? main : main.Length == 0 ? "per_" + per : main + "_per_" + per;
    }

    /// <summary>
    /// A Prometheus label name for an attribute key: characters outside <c>[a-zA-Z0-9_]</c> become <c>_</c>; a
    /// leading digit gets a <c>key_</c> prefix; a leading <c>_</c> gets a <c>key</c> prefix (so no attribute can
    /// produce a reserved <c>__</c> label such as <c>__name__</c>).
    /// </summary>
    public static string LabelName(string key)
    {
        if (key.Length == 0)
        {
            return key;
        }

        string sanitized;
        var firstInvalid = IndexOfInvalidLabelChar(key);
        if (firstInvalid < 0)
        {
            sanitized = key;
        }
        else
        {
            sanitized = string.Create(key.Length, key, static (chars, source) =>
            {
                for (var i = 0; i < chars.Length; i++)
                {
                    var c = source[i];
                    chars[i] = IsLabelChar(c) ? c : '_';
                }
            });
        }

        if (char.IsAsciiDigit(sanitized[0]))
        {
            return "key_" + sanitized;
        }

        return sanitized[0] == '_' ? "key" + sanitized : sanitized;
    }

    /// <summary>A float as Prometheus writes it in <c>le</c> and <c>quantile</c> labels: shortest round-trip, no exponent.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? text : ExpandExponent(text, e);
    }

    private static string ExpandExponent(string text, int e)
    {
        var negative = text[0] == '-';
        var mantissa = text.AsSpan(negative ? 1 : 0, e - (negative ? 1 : 0));
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa.ToString() : string.Concat(mantissa[..dot], mantissa[(dot + 1)..]);
        var pointAt = (dot < 0 ? mantissa.Length : dot) + exponent;
        var result = new StringBuilder(digits.Length + Math.Abs(exponent) + 3);
        if (negative)
        {
            result.Append('-');
        }

        if (pointAt <= 0)
        {
            result.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            result.Append(digits).Append('0', pointAt - digits.Length);
        }
        else
        {
            result.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }

        return result.ToString();
    }

    private static (string Main, string Per) UnitWords(string unit)
    {
        if (unit.Length == 0)
        {
            return ("", "");
        }

        var withoutAnnotations = unit.Contains('{', StringComparison.Ordinal) ? DropAnnotations(unit) : unit;
        var slash = withoutAnnotations.IndexOf('/', StringComparison.Ordinal);
        var main = (slash < 0 ? withoutAnnotations : withoutAnnotations[..slash]).Trim();
        var per = slash < 0 ? "" : withoutAnnotations[(slash + 1)..].Trim();
        var mainWord = main.Length == 0 ? "" : MainUnits.TryGetValue(main, out var m) ? m : CleanUnit(main);
        var perWord = per.Length == 0 ? "" : PerUnits.TryGetValue(per, out var p) ? p : CleanUnit(per);
        return (mainWord, perWord);
    }

    private static string DropAnnotations(string unit)
    {
        var text = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>An unknown unit, kept but reduced to name characters (runs of others become one "_", none at the ends).</summary>
    private static string CleanUnit(string unit) => string.Join('_', SplitWords(unit, keepColon: false));

    private static List<string> SplitWords(string text, bool keepColon)
    {
        var words = new List<string>(8);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWordChar = i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || (keepColon && text[i] == ':'));
            if (isWordChar)
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                words.Add(text[start..i]);
                start = -1;
            }
        }

        return words;
    }

    private static bool IsLabelChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static int IndexOfInvalidLabelChar(string key)
    {
        for (var i = 0; i < key.Length; i++)
        {
            if (!IsLabelChar(key[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
