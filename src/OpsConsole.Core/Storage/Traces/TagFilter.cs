using System.Text.RegularExpressions;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Traces;

public enum TagOperator : byte
{
    /// <summary><c>key=value</c>: the attribute's text equals the value.</summary>
    Equal = 0,

    /// <summary><c>key=~regex</c>: the attribute's text matches the fully anchored regular expression.</summary>
    Regex = 1,

    /// <summary><c>key</c>: the attribute is present.</summary>
    Exists = 2,

    /// <summary><c>key=val*</c>: the attribute's text matches the pattern, where <c>*</c> stands for any text
    /// (possibly empty) and everything else is literal; the whole text must match.</summary>
    Wildcard = 3,
}

/// <summary>
/// A condition on one span or resource attribute. Values are compared as text (<see cref="AttributeValue.ToString"/>):
/// <c>http.status_code=500</c> matches the integer 500, <c>error=true</c> the boolean true.
/// </summary>
public sealed class TagFilter
{
    private readonly Regex? _regex;

    private TagFilter(string key, TagOperator op, string? value, Regex? regex)
    {
        Key = key;
        Operator = op;
        Value = value;
        _regex = regex;
    }

    public string Key { get; }

    public TagOperator Operator { get; }

    public string? Value { get; }

    public static TagFilter Equal(string key, string value) => new(RequireKey(key), TagOperator.Equal, value ?? "", null);

    public static TagFilter Exists(string key) => new(RequireKey(key), TagOperator.Exists, null, null);

    /// <summary>A wildcard filter: <c>*</c> matches any text, the rest literally (<c>order-*</c>, <c>*timeout*</c>).</summary>
    public static TagFilter Wildcard(string key, string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var regex = new Regex(
            @"\A" + string.Join("(?s:.*)", pattern.Split('*').Select(System.Text.RegularExpressions.Regex.Escape)) + @"\z",
            RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        return new TagFilter(RequireKey(key), TagOperator.Wildcard, pattern, regex);
    }

    /// <summary>A regex filter; throws <see cref="ArgumentException"/> when the pattern is invalid.</summary>
    public static TagFilter Regex(string key, string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        try
        {
            var regex = new Regex(@"\A(?s:" + pattern + @")\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            return new TagFilter(RequireKey(key), TagOperator.Regex, pattern, regex);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"'{pattern}' is not a valid regular expression for tag '{key}': {e.Message}", nameof(pattern), e);
        }
    }

    /// <summary>Parses <c>key=value</c>, <c>key=val*</c> (a value with <c>*</c> is a wildcard), <c>key=~regex</c> or
    /// <c>key</c> (whitespace around the key is ignored). Throws <see cref="ArgumentException"/> with a message a person
    /// can act on when the key is empty or the regex is invalid.</summary>
    public static TagFilter Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return Exists(text.Trim());
        }

        var key = text[..eq].Trim();
        if (key.Length == 0)
        {
            throw new ArgumentException($"'{text}' has no attribute key before '='; write key=value, key=~regex, key=val* or key.", nameof(text));
        }

        if (eq + 1 < text.Length && text[eq + 1] == '~')
        {
            return Regex(key, text[(eq + 2)..]);
        }

        var value = text[(eq + 1)..];
        return value.Contains('*', StringComparison.Ordinal) ? Wildcard(key, value) : Equal(key, value);
    }

    /// <summary>Whether the span (its own attributes first, then its resource's) satisfies the filter.</summary>
    public bool Matches(Span span) => Matches(Find(span.Attributes, Key) ?? span.Resource.Find(Key));

    private bool Matches(AttributeValue? value) => Operator switch
    {
        TagOperator.Exists => value is not null,
        TagOperator.Equal => value is not null && string.Equals(Text(value), Value, StringComparison.Ordinal),
        _ => value is not null && _regex!.IsMatch(Text(value)),
    };

    private static string Text(AttributeValue value) => value.Kind == AttributeKind.String ? value.StringValue : value.ToString();

    private static AttributeValue? Find(IReadOnlyList<Domain.Telemetry.Attribute> attributes, string key)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Key == key)
            {
                return attributes[i].Value;
            }
        }

        return null;
    }

    private static string RequireKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return key;
    }

    public override string ToString() => Operator switch
    {
        TagOperator.Exists => Key,
        TagOperator.Equal or TagOperator.Wildcard => Key + "=" + Value,
        _ => Key + "=~" + Value,
    };
}
