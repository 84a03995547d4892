using System.Text.RegularExpressions;

namespace OpsConsole.Domain.Telemetry;

/// <summary>The four Prometheus label matcher operators.</summary>
public enum LabelMatchType : byte
{
    /// <summary><c>=</c></summary>
    Equal = 0,

    /// <summary><c>!=</c></summary>
    NotEqual = 1,

    /// <summary><c>=~</c>, a fully anchored regular expression.</summary>
    Regex = 2,

    /// <summary><c>!~</c>, a fully anchored regular expression.</summary>
    NotRegex = 3,
}

/// <summary>
/// A Prometheus label matcher (<c>name="v"</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>), as used by series selectors and
/// silences. As in Prometheus, a label that is absent has the value "", so <c>env=""</c> matches series without
/// <c>env</c>; regular expressions are fully anchored and <c>.</c> matches a newline. Regexes run on .NET's
/// non-backtracking engine (linear time, like RE2), which also rejects back-references and look-arounds as RE2 does.
/// </summary>
public sealed class LabelMatcher : IEquatable<LabelMatcher>
{
    private readonly Regex? _regex;

    private LabelMatcher(string name, LabelMatchType type, string value, Regex? regex)
    {
        Name = name;
        Type = type;
        Value = value;
        _regex = regex;
    }

    public string Name { get; }

    public LabelMatchType Type { get; }

    public string Value { get; }

    /// <summary>Creates a matcher; throws <see cref="ArgumentException"/> for an invalid or unsupported regular expression.</summary>
    public static LabelMatcher Create(string name, LabelMatchType type, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Regex? regex = null;
        if (type is LabelMatchType.Regex or LabelMatchType.NotRegex)
        {
            try
            {
                regex = new Regex(@"\A(?s:" + value + @")\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new ArgumentException($"'{value}' is not a valid regular expression for label '{name}': {e.Message}", nameof(value), e);
            }
        }

        return new LabelMatcher(name, type, value, regex);
    }

    public static LabelMatcher Equal(string name, string value) => Create(name, LabelMatchType.Equal, value);

    public static LabelMatcher NotEqual(string name, string value) => Create(name, LabelMatchType.NotEqual, value);

    public static LabelMatcher Regex(string name, string pattern) => Create(name, LabelMatchType.Regex, pattern);

    public static LabelMatcher NotRegex(string name, string pattern) => Create(name, LabelMatchType.NotRegex, pattern);

    /// <summary>Whether a label value (null or "" for an absent label) satisfies this matcher.</summary>
    public bool Matches(string? value)
    {
        value ??= "";
        return Type switch
        {
            LabelMatchType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
            LabelMatchType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
            LabelMatchType.Regex => _regex!.IsMatch(value),
            _ => !_regex!.IsMatch(value),
        };
    }

    /// <summary>Whether a label set satisfies this matcher (an absent label counts as "").</summary>
    public bool Matches(LabelSet labels) => Matches(labels.Get(Name));

    /// <summary>Whether this matcher accepts a series that lacks the label entirely.</summary>
    public bool MatchesEmpty => Matches("");

    public bool Equals(LabelMatcher? other) =>
        other is not null && Type == other.Type && Name == other.Name && Value == other.Value;

    public override bool Equals(object? obj) => Equals(obj as LabelMatcher);

    public override int GetHashCode() => HashCode.Combine(Name, Type, Value);

    /// <summary>Prometheus notation, e.g. <c>job=~"api.*"</c>.</summary>
    public override string ToString()
    {
        var op = Type switch
        {
            LabelMatchType.Equal => "=",
            LabelMatchType.NotEqual => "!=",
            LabelMatchType.Regex => "=~",
            _ => "!~",
        };
        return Name + op + "\"" + Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
