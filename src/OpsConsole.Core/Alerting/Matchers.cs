using System.Text;
using System.Text.RegularExpressions;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>A matcher that could not be read or is not valid, with a message for the user.</summary>
public sealed class MatcherFormatException(string message) : Exception(message);

/// <summary>
/// Alertmanager's matcher text: <c>name="value"</c>, <c>name!="value"</c>, <c>name=~"regex"</c>, <c>name!~"regex"</c>
/// (values may be unquoted when they hold no spaces, commas or quotes), several separated by commas and optionally
/// wrapped in braces: <c>{alertname="Down", severity=~"warning|critical"}</c>.
/// </summary>
public static partial class Matchers
{
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelNamePattern();

    public static bool IsValidLabelName(string name) => LabelNamePattern().IsMatch(name);

    /// <summary>Parses one or several matchers; throws <see cref="MatcherFormatException"/> with the reason.</summary>
    public static IReadOnlyList<LabelMatcher> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.StartsWith('{'))
        {
            if (!s.EndsWith('}'))
            {
                throw new MatcherFormatException($"\"{text}\": missing closing '}}'");
            }

            s = s[1..^1];
        }

        var matchers = new List<LabelMatcher>();
        var i = 0;
        while (true)
        {
            SkipSpace(s, ref i);
            if (i >= s.Length)
            {
                break;
            }

            var nameStart = i;
            while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
            {
                i++;
            }

            var name = s[nameStart..i];
            SkipSpace(s, ref i);
            var op = i + 1 < s.Length && s[i] is '=' or '!' ? s.Substring(i, s[i + 1] is '=' or '~' ? 2 : 1) : i < s.Length ? s[i].ToString() : "";
            var type = op switch
            {
                "=" => LabelMatchType.Equal,
                "==" => LabelMatchType.Equal,
                "!=" => LabelMatchType.NotEqual,
                "=~" => LabelMatchType.Regex,
                "!~" => LabelMatchType.NotRegex,
                _ => throw new MatcherFormatException($"\"{text}\": expected an operator (=, !=, =~ or !~) after \"{name}\" at position {i + 1}"),
            };
            if (name.Length == 0 || !IsValidLabelName(name))
            {
                throw new MatcherFormatException($"\"{text}\": \"{name}\" is not a valid label name (letters, digits and _, not starting with a digit)");
            }

            i += op.Length;
            SkipSpace(s, ref i);
            string value;
            if (i < s.Length && s[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                var closed = false;
                while (i < s.Length)
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        sb.Append(s[i + 1] switch { 'n' => '\n', '"' => '"', '\\' => '\\', var c => c });
                        i += 2;
                        continue;
                    }

                    if (s[i] == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    sb.Append(s[i++]);
                }

                if (!closed)
                {
                    throw new MatcherFormatException($"\"{text}\": unterminated quoted value for \"{name}\"");
                }

                value = sb.ToString();
            }
            else
            {
                var start = i;
                while (i < s.Length && s[i] != ',')
                {
                    i++;
                }

                value = s[start..i].Trim();
            }

            matchers.Add(Create(name, type, value));
            SkipSpace(s, ref i);
            if (i < s.Length)
            {
                if (s[i] != ',')
                {
                    throw new MatcherFormatException($"\"{text}\": expected ',' or the end at position {i + 1}");
                }

                i++;
            }
        }

        if (matchers.Count == 0)
        {
            throw new MatcherFormatException($"\"{text}\": no matcher");
        }

        return matchers;
    }

    /// <summary>A matcher from its parts (as the silence API sends them); throws <see cref="MatcherFormatException"/>.</summary>
    public static LabelMatcher Create(string name, LabelMatchType type, string value)
    {
        if (string.IsNullOrEmpty(name) || !IsValidLabelName(name))
        {
            throw new MatcherFormatException($"\"{name}\" is not a valid label name (letters, digits and _, not starting with a digit)");
        }

        try
        {
            return LabelMatcher.Create(name, type, value ?? "");
        }
        catch (ArgumentException e)
        {
            throw new MatcherFormatException($"invalid regular expression for \"{name}\": \"{value}\": {e.InnerException?.Message ?? e.Message}");
        }
    }

    public static bool MatchesAll(IReadOnlyList<LabelMatcher> matchers, LabelSet labels)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Matchers as text in a stable order, to compare two lists (order does not matter).</summary>
    public static string Canonical(IEnumerable<LabelMatcher> matchers) =>
        string.Join(",", matchers.Select(m => m.ToString()).Order(StringComparer.Ordinal));

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }
}
