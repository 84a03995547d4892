using System.Globalization;
using System.Text;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>
/// The part of Prometheus's alert templating (Go <c>text/template</c>) that rule files use for labels and annotations:
/// <c>{{ $labels.name }}</c> / <c>{{ .Labels.name }}</c>, <c>{{ $value }}</c> / <c>{{ .Value }}</c>, pipelines
/// (<c>{{ $value | humanize }}</c>), the functions <c>humanize</c>, <c>humanize1024</c>, <c>humanizePercentage</c>,
/// <c>humanizeDuration</c>, <c>printf</c>, <c>toUpper</c>, <c>toLower</c>, <c>title</c>, string and number literals,
/// comments and <c>{{-</c> / <c>-}}</c> trimming. As in Prometheus, a template that cannot be expanded yields
/// <c>&lt;error expanding template: …&gt;</c> instead of the text.
/// </summary>
public static class AlertTemplate
{
    public static string Expand(string text, LabelSet labels, double value)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return text;
        }

        try
        {
            return ExpandOrThrow(text, labels, value);
        }
        catch (FormatException e)
        {
            return "<error expanding template: " + e.Message + ">";
        }
    }

    /// <summary>Checks a template without data; null when it is valid, else the problem.</summary>
    public static string? Check(string text)
    {
        try
        {
            ExpandOrThrow(text, LabelSet.Empty, 0);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    private static string ExpandOrThrow(string text, LabelSet labels, double value)
    {
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"unclosed action at position {open + 1}");
            }

            var action = text[(open + 2)..close];
            var trimLeft = action.StartsWith("- ", StringComparison.Ordinal) || action == "-";
            var trimRight = action.EndsWith(" -", StringComparison.Ordinal);
            action = action[(trimLeft ? 1 : 0)..(action.Length - (trimRight && action.Length > 1 ? 1 : 0))].Trim();
            var literal = text[i..open];
            output.Append(trimLeft ? literal.TrimEnd() : literal);
            if (!(action.StartsWith("/*", StringComparison.Ordinal) && action.EndsWith("*/", StringComparison.Ordinal)))
            {
                output.Append(Pipeline(action, labels, value));
            }

            i = close + 2;
            if (trimRight)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
            }
        }

        return output.ToString();
    }

    private static string Pipeline(string action, LabelSet labels, double value)
    {
        if (action.Length == 0)
        {
            throw new FormatException("missing value for command");
        }

        object? result = null;
        var first = true;
        foreach (var command in SplitPipes(action))
        {
            var words = Words(command);
            if (words.Count == 0)
            {
                throw new FormatException("missing command in pipeline");
            }

            var args = words.Skip(1).Select(w => Operand(w, labels, value)).ToList();
            if (!first)
            {
                args.Add(result);
            }

            result = words.Count == 1 && first && !IsFunction(words[0]) ? Operand(words[0], labels, value) : Call(words[0], args);
            first = false;
        }

        return Print(result);
    }

    private static bool IsFunction(string word) => char.IsLetter(word[0]) && word is not ("true" or "false" or "nil");

    private static object? Operand(string word, LabelSet labels, double value)
    {
        if (word is "$value" or ".Value")
        {
            return value;
        }

        if (word.StartsWith("$labels.", StringComparison.Ordinal) || word.StartsWith(".Labels.", StringComparison.Ordinal))
        {
            return labels.Get(word[8..]) ?? "";
        }

        if (word is "$labels" or ".Labels")
        {
            return "map[" + string.Join(" ", labels.Labels.Select(l => l.Key + ":" + l.Value)) + "]";
        }

        if (word.Length >= 2 && word[0] == '"' && word[^1] == '"')
        {
            return Unquote(word);
        }

        if (word.Length >= 2 && word[0] == '`' && word[^1] == '`')
        {
            return word[1..^1];
        }

        if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (word.StartsWith('$') || word.StartsWith('.'))
        {
            throw new FormatException($"undefined variable or field \"{word}\"");
        }

        throw new FormatException($"function \"{word}\" not defined");
    }

    private static object? Call(string name, List<object?> args)
    {
        switch (name)
        {
            case "humanize":
                return Humanize(Number(name, args), 1000, ["k", "M", "G", "T", "P", "E", "Z", "Y"], ["m", "u", "n", "p", "f", "a", "z", "y"]);
            case "humanize1024":
                return Humanize(Number(name, args), 1024, ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"], []);
            case "humanizePercentage":
                return GoFormat.G(Number(name, args) * 100, 4) + "%";
            case "humanizeDuration":
                return HumanizeDuration(Number(name, args));
            case "toUpper":
                return Text(name, args).ToUpperInvariant();
            case "toLower":
                return Text(name, args).ToLowerInvariant();
            case "title":
                return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Text(name, args));
            case "printf":
                if (args.Count == 0 || args[0] is not string format)
                {
                    throw new FormatException("printf needs a format string first");
                }

                return GoFormat.Printf(format, args.Skip(1).ToList());
            default:
                throw new FormatException($"function \"{name}\" not defined");
        }
    }

    private static double Number(string function, List<object?> args)
    {
        if (args.Count != 1)
        {
            throw new FormatException($"wrong number of args for {function}: want 1 got {args.Count}");
        }

        return args[0] switch
        {
            double d => d,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            var other => throw new FormatException($"{function}: \"{Print(other)}\" is not a number"),
        };
    }

    private static string Text(string function, List<object?> args) =>
        args.Count == 1 ? Print(args[0]) : throw new FormatException($"wrong number of args for {function}: want 1 got {args.Count}");

    internal static string Print(object? value) => value switch
    {
        null => "<no value>",
        double d => GoFormat.Shortest(d),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Humanize(double v, double step, string[] big, string[] small)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return GoFormat.G(v, 4);
        }

        if (Math.Abs(v) >= 1)
        {
            var prefix = "";
            foreach (var p in big)
            {
                if (Math.Abs(v) < step)
                {
                    break;
                }

                prefix = p;
                v /= step;
            }

            return GoFormat.G(v, 4) + prefix;
        }

        var smallPrefix = "";
        foreach (var p in small)
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }

            smallPrefix = p;
            v *= step;
        }

        return GoFormat.G(v, 4) + smallPrefix;
    }

    private static string HumanizeDuration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return GoFormat.G(v, 4);
        }

        if (v == 0)
        {
            return "0s";
        }

        var sign = v < 0 ? "-" : "";
        v = Math.Abs(v);
        if (v >= 1)
        {
            var total = (long)v;
            long days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60, seconds = total % 60;
            var s = CultureInfo.InvariantCulture;
            return days != 0 ? string.Format(s, "{0}{1}d {2}h {3}m {4}s", sign, days, hours, minutes, seconds)
                : hours != 0 ? string.Format(s, "{0}{1}h {2}m {3}s", sign, hours, minutes, seconds)
                : minutes != 0 ? string.Format(s, "{0}{1}m {2}s", sign, minutes, seconds)
                : sign + GoFormat.G(v, 4) + "s";
        }

        var prefix = "";
        foreach (var p in new[] { "m", "u", "n", "p", "f", "a", "z", "y" })
        {
            if (v >= 1)
            {
                break;
            }

            prefix = p;
            v *= 1000;
        }

        return sign + GoFormat.G(v, 4) + prefix + "s";
    }

    private static IEnumerable<string> SplitPipes(string action)
    {
        var start = 0;
        var quote = '\0';
        for (var i = 0; i < action.Length; i++)
        {
            var c = action[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '`')
            {
                quote = c;
            }
            else if (c == '|')
            {
                yield return action[start..i].Trim();
                start = i + 1;
            }
        }

        if (quote != '\0')
        {
            throw new FormatException("unterminated quoted string");
        }

        yield return action[start..].Trim();
    }

    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var i = 0;
        while (i < command.Length)
        {
            if (char.IsWhiteSpace(command[i]))
            {
                i++;
                continue;
            }

            var start = i;
            if (command[i] is '"' or '`')
            {
                var quote = command[i++];
                while (i < command.Length && command[i] != quote)
                {
                    i += command[i] == '\\' && quote == '"' ? 2 : 1;
                }

                i++;
            }
            else
            {
                while (i < command.Length && !char.IsWhiteSpace(command[i]))
                {
                    i++;
                }
            }

            words.Add(command[start..Math.Min(i, command.Length)]);
        }

        return words;
    }

    private static string Unquote(string quoted)
    {
        var sb = new StringBuilder();
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length - 1)
            {
                i++;
                sb.Append(quoted[i] switch { 'n' => '\n', 't' => '\t', var c => c });
            }
            else
            {
                sb.Append(quoted[i]);
            }
        }

        return sb.ToString();
    }
}

/// <summary>Go's formatting of floats, as Prometheus's templates print them.</summary>
internal static class GoFormat
{
    /// <summary><c>%v</c> of a float64: the shortest round-trip digits, exponent form below 1e-4 and from 1e6 (Go: <c>1e+06</c>).</summary>
    public static string Shortest(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return Special(v);
        }

        var r = v.ToString("E16", CultureInfo.InvariantCulture);
        // Find the shortest digits that round-trip.
        for (var p = 0; p <= 16; p++)
        {
            var candidate = v.ToString("E" + p, CultureInfo.InvariantCulture);
            if (double.Parse(candidate, CultureInfo.InvariantCulture) == v)
            {
                r = candidate;
                break;
            }
        }

        return FromExponent(r, 6);
    }

    /// <summary><c>%.{prec}g</c>.</summary>
    public static string G(double v, int prec)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return Special(v);
        }

        return FromExponent(v.ToString("E" + Math.Max(0, prec - 1), CultureInfo.InvariantCulture), prec);
    }

    private static string Special(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";

    /// <summary>Turns .NET's <c>d.dddE+xxx</c> into Go's <c>%g</c> text with exponent threshold <paramref name="eprec"/>.</summary>
    private static string FromExponent(string e, int eprec)
    {
        var at = e.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e[..at];
        var exp = int.Parse(e[(at + 1)..], CultureInfo.InvariantCulture);
        var negative = mantissa.StartsWith('-');
        var digits = mantissa.TrimStart('-').Replace(".", "", StringComparison.Ordinal).TrimEnd('0');
        if (digits.Length == 0)
        {
            return negative ? "-0" : "0";
        }

        string body;
        if (exp < -4 || exp >= eprec)
        {
            body = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : "") + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (exp < 0)
        {
            body = "0." + new string('0', -exp - 1) + digits;
        }
        else if (digits.Length <= exp + 1)
        {
            body = digits + new string('0', exp + 1 - digits.Length);
        }
        else
        {
            body = digits[..(exp + 1)] + "." + digits[(exp + 1)..];
        }

        return (negative ? "-" : "") + body;
    }

    /// <summary>Go's <c>fmt.Sprintf</c> for the verbs templates use: <c>%s %v %d %f %g %e %q %%</c> with width/precision.</summary>
    public static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                sb.Append(format[i]);
                continue;
            }

            var start = ++i;
            while (i < format.Length && (char.IsDigit(format[i]) || format[i] is '.' or '-' or '+' or ' ' or '0'))
            {
                i++;
            }

            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }

            var spec = format[start..i];
            var dot = spec.IndexOf('.', StringComparison.Ordinal);
            int? precision = dot >= 0 && int.TryParse(spec[(dot + 1)..], CultureInfo.InvariantCulture, out var p) ? p : dot >= 0 ? 0 : null;
            var width = int.TryParse((dot >= 0 ? spec[..dot] : spec).TrimStart('-', '+', ' ', '0') is { Length: > 0 } w ? w : "0", CultureInfo.InvariantCulture, out var wd) ? wd : 0;
            if (next >= args.Count)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            var arg = args[next++];
            var text = verb switch
            {
                's' or 'v' => AlertTemplate.Print(arg),
                'q' => "\"" + AlertTemplate.Print(arg).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                'd' => arg is double d ? ((long)d).ToString(CultureInfo.InvariantCulture) : "%!d(" + AlertTemplate.Print(arg) + ")",
                'f' or 'F' => arg is double d ? d.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture) : "%!f(" + AlertTemplate.Print(arg) + ")",
                'e' => arg is double d ? FromExponentE(d, precision ?? 6) : "%!e(" + AlertTemplate.Print(arg) + ")",
                'g' => arg is double d ? (precision is { } pr ? G(d, pr == 0 ? 1 : pr) : Shortest(d)) : "%!g(" + AlertTemplate.Print(arg) + ")",
                _ => "%!" + verb + "(" + AlertTemplate.Print(arg) + ")",
            };
            sb.Append(spec.StartsWith('-') ? text.PadRight(width) : text.PadLeft(width));
        }

        return sb.ToString();
    }

    private static string FromExponentE(double d, int precision)
    {
        var e = d.ToString("E" + precision, CultureInfo.InvariantCulture);
        var at = e.IndexOf('E', StringComparison.Ordinal);
        var exp = int.Parse(e[(at + 1)..], CultureInfo.InvariantCulture);
        return e[..at] + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }
}
