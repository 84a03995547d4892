using System.Text;
using System.Text.RegularExpressions;

namespace OpsConsole.Core.Query.PromQl;

/// <summary><c>label_replace(v, dst, replacement, src, regex)</c>, following Prometheus's <c>funcLabelReplace</c>.</summary>
internal sealed partial class PromQlEvaluator
{
    private static readonly Regex NamedGroup = new(@"\(\?P?<[A-Za-z_]|\(\?'", RegexOptions.CultureInvariant);

    private List<Element> LabelReplace(FunctionCall call, long t)
    {
        var input = Vector(call.Args[0], t);
        var destination = ((StringValue)Evaluate(call.Args[1], t)).Value;
        var replacement = ((StringValue)Evaluate(call.Args[2], t)).Value;
        var sourceLabel = ((StringValue)Evaluate(call.Args[3], t)).Value;
        var pattern = ((StringValue)Evaluate(call.Args[4], t)).Value;
        if (!IsValidLabelName(destination))
        {
            throw new PromQlEvaluationException($"invalid destination label name in label_replace(): \"{destination}\"");
        }

        // Go numbers named and unnamed groups together from left to right, .NET numbers named groups last: rather than
        // risk a different answer, named groups are refused.
        if (NamedGroup.IsMatch(pattern))
        {
            throw new PromQlUnsupportedException("named capture groups in label_replace() are not supported yet: use numbered groups ($1)");
        }

        Regex regex;
        try
        {
            regex = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new PromQlEvaluationException($"invalid regular expression in label_replace(): \"{pattern}\": {e.Message}");
        }

        var output = new List<Element>(input.Count);
        foreach (var e in input)
        {
            var match = regex.Match(e.Labels.Get(sourceLabel) ?? "");
            if (!match.Success)
            {
                output.Add(e);
                continue;
            }

            var value = ExpandGo(replacement, match);
            output.Add(new Element(value.Length == 0 ? e.Labels.Without(destination) : e.Labels.With(destination, value), e.Value));
        }

        return Unique(output);
    }

    /// <summary>
    /// Go's <c>Regexp.Expand</c>: <c>$name</c> takes the longest run of letters, digits and underscores as the name
    /// (so <c>$1x</c> is group "1x", empty), <c>${name}</c> delimits it, <c>$$</c> is a dollar; unknown groups are empty.
    /// </summary>
    internal static string ExpandGo(string template, Match match)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }

            if (template[i + 1] == '$')
            {
                sb.Append('$');
                i += 2;
                continue;
            }

            string name;
            int end;
            if (template[i + 1] == '{')
            {
                var close = template.IndexOf('}', i + 2);
                name = close < 0 ? "" : template[(i + 2)..close];
                if (close < 0 || name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                {
                    sb.Append(c); // malformed: Go keeps the "$" literally
                    i++;
                    continue;
                }

                end = close + 1;
            }
            else
            {
                end = i + 1;
                while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_'))
                {
                    end++;
                }

                name = template[(i + 1)..end];
                if (name.Length == 0)
                {
                    sb.Append(c);
                    i++;
                    continue;
                }
            }

            if (name.All(char.IsAsciiDigit))
            {
                if (int.TryParse(name, out var index) && index < match.Groups.Count && match.Groups[index].Success)
                {
                    sb.Append(match.Groups[index].Value);
                }
            }

            i = end;
        }

        return sb.ToString();
    }
}
