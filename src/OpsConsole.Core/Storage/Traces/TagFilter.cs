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

    /// <summary>Parses <c>key=value</c>, <c>key=~regex</c> or <c>key</c> (whitespace around the key is ignored).</summary>
    public static TagFilter Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return Exists(text.Trim());
        }

        var key = text[..eq].Trim();
        return eq + 1 < text.Length && text[eq + 1] == '~'
            ? Regex(key, text[(eq + 2)..])
            : Equal(key, text[(eq + 1)..]);
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
        TagOperator.Equal => Key + "=" + Value,
        _ => Key + "=~" + Value,
    };
}
