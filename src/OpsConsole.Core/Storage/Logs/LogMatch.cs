using System.Globalization;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Storage.Logs;

/// <summary>Which value of a log record a field condition reads.</summary>
public enum LogFieldKind
{
    Level,
    Service,
    Tenant,
    TraceId,
    SpanId,

    /// <summary>A record or resource attribute, by key.</summary>
    Attribute,
}

/// <summary>A field of a log record: one of the reserved fields, or an attribute (record or resource) by key.</summary>
public readonly record struct LogField(LogFieldKind Kind, string Name)
{
    public static readonly LogField Level = new(LogFieldKind.Level, LogFieldNames.Level);
    public static readonly LogField Service = new(LogFieldKind.Service, LogFieldNames.Service);
    public static readonly LogField Tenant = new(LogFieldKind.Tenant, LogFieldNames.Tenant);
    public static readonly LogField TraceId = new(LogFieldKind.TraceId, LogFieldNames.TraceId);
    public static readonly LogField SpanId = new(LogFieldKind.SpanId, LogFieldNames.SpanId);

    public static LogField Attribute(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new(LogFieldKind.Attribute, key);
    }

    /// <summary>A reserved field by its name, else the attribute of that key.</summary>
    public static LogField Named(string name) => name switch
    {
        LogFieldNames.Level => Level,
        LogFieldNames.Service => Service,
        LogFieldNames.Tenant => Tenant,
        LogFieldNames.TraceId => TraceId,
        LogFieldNames.SpanId => SpanId,
        _ => Attribute(name),
    };

    public bool IsAttribute => Kind == LogFieldKind.Attribute;

    /// <summary>Level, trace and span ids are held lower-case; every other value is compared exactly.</summary>
    public bool IsCaseInsensitive => Kind is LogFieldKind.Level or LogFieldKind.TraceId or LogFieldKind.SpanId;

    public override string ToString() => IsAttribute ? "attr." + Name : Name;
}

/// <summary>Numeric comparison operators of <see cref="LogMatch.Compare"/>.</summary>
public enum LogComparison
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
}

/// <summary>
/// A compiled log query: the tree the query language compiles to and the log store evaluates over its inverted
/// index. Leaves the index answers exactly — <see cref="TermMatch"/>, <see cref="TermPrefixMatch"/>,
/// <see cref="FieldMatch"/>, <see cref="FieldPrefixMatch"/>, <see cref="FieldRangeMatch"/> (a union over the field's
/// indexed values) — and leaves it narrows and then verifies on the record: <see cref="PhraseMatch"/>
/// (its words' postings, then adjacency) and <see cref="PredicateMatch"/> (no postings at all). Inner nodes:
/// <see cref="AndMatch"/> (intersection), <see cref="OrMatch"/> (union), <see cref="NotMatch"/> (difference).
/// <para>
/// Every node also says whether one record matches (<see cref="Matches"/>) with exactly the semantics the index
/// evaluation has; live tail uses that, and index evaluation uses it to verify candidates.
/// </para>
/// Each node maps one-to-one onto SQL full-text search: terms and prefixes onto tsquery/FTS5 tokens
/// (<c>word</c>, <c>word:*</c> / <c>word*</c>), phrases onto <c>&lt;-&gt;</c> / <c>"…"</c>, fields onto column or
/// attribute predicates, ranges onto numeric casts, and the inner nodes onto AND / OR / NOT.
/// </summary>
public abstract class LogMatch
{
    /// <summary>Every record.</summary>
    public static readonly LogMatch All = new AllMatch();

    private LogMatchPlan? _plan;

    private protected LogMatch()
    {
    }

    /// <summary>What a log segment can decide about this condition before evaluating it (worked out once, on first use).</summary>
    internal LogMatchPlan Plan => _plan ??= LogMatchPlan.Of(this);

    /// <summary>True when the record satisfies the condition (its tenant and time are not checked here).</summary>
    public abstract bool Matches(LogRecord record);

    /// <summary>A body term: the query text must tokenize to exactly one token (see <see cref="LogTokenizer"/>).</summary>
    public static LogMatch Term(string token) => new TermMatch(Single(token, nameof(token)));

    public static LogMatch TermPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return new TermPrefixMatch(prefix.ToLowerInvariant());
    }

    /// <summary>Words in this order, next to each other, in the body.</summary>
    public static LogMatch Phrase(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = LogTokenizer.Tokenize(text);
        return tokens.Count switch
        {
            0 => throw new ArgumentException($"'{text}' has no letters or digits to search for.", nameof(text)),
            _ => new PhraseMatch([.. tokens]),
        };
    }

    public static LogMatch FieldEquals(LogField field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new FieldMatch(field, Normalize(field, value));
    }

    /// <summary>The field's value starts with <paramref name="prefix"/>; an empty prefix means the field is present.</summary>
    public static LogMatch FieldPrefix(LogField field, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return new FieldPrefixMatch(field, Normalize(field, prefix));
    }

    public static LogMatch Compare(LogField field, LogComparison op, double bound)
    {
        if (!field.IsAttribute)
        {
            throw new ArgumentException("Numeric comparisons apply to attributes.", nameof(field));
        }

        if (double.IsNaN(bound))
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "NaN compares with nothing.");
        }

        return new FieldRangeMatch(field, op, bound);
    }

    public static LogMatch Predicate(Func<LogRecord, bool> predicate) => new PredicateMatch(predicate ?? throw new ArgumentNullException(nameof(predicate)));

    public static LogMatch And(params IEnumerable<LogMatch> children)
    {
        var list = Flatten<AndMatch>(children, a => a.Children).Where(c => c is not AllMatch).ToArray();
        return list.Length switch
        {
            0 => All,
            1 => list[0],
            _ => new AndMatch(list),
        };
    }

    public static LogMatch Or(params IEnumerable<LogMatch> children)
    {
        var list = Flatten<OrMatch>(children, o => o.Children).ToArray();
        return list.Length switch
        {
            0 => throw new ArgumentException("An OR needs at least one branch.", nameof(children)),
            1 => list[0],
            _ when list.Any(c => c is AllMatch) => All,
            _ => new OrMatch(list),
        };
    }

    public static LogMatch Not(LogMatch child) => child switch
    {
        null => throw new ArgumentNullException(nameof(child)),
        NotMatch n => n.Child,
        _ => new NotMatch(child),
    };

    private static string Single(string token, string name)
    {
        ArgumentNullException.ThrowIfNull(token, name);
        var tokens = LogTokenizer.Tokenize(token);
        return tokens.Count == 1 ? tokens[0] : throw new ArgumentException($"'{token}' is not one search term.", name);
    }

    private static string Normalize(LogField field, string value) => field.IsCaseInsensitive ? value.Trim().ToLowerInvariant() : value;

    private static IEnumerable<LogMatch> Flatten<T>(IEnumerable<LogMatch> children, Func<T, IReadOnlyList<LogMatch>> inner)
        where T : LogMatch
    {
        ArgumentNullException.ThrowIfNull(children);
        foreach (var c in children)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(children));
            if (c is T same)
            {
                foreach (var g in inner(same))
                {
                    yield return g;
                }
            }
            else
            {
                yield return c;
            }
        }
    }
}

public sealed class AllMatch : LogMatch
{
    internal AllMatch()
    {
    }

    public override bool Matches(LogRecord record) => true;

    public override string ToString() => "*";
}

/// <summary>The body holds the token (as a whole token or as a part of a joined one, e.g. <c>8812</c> in <c>order-8812</c>).</summary>
public sealed class TermMatch : LogMatch
{
    internal TermMatch(string token) => Token = token;

    public string Token { get; }

    public override bool Matches(LogRecord record) => LogText.IndexTerms(record).Contains(Token);

    public override string ToString() => Token;
}

/// <summary>The body holds a token or part that starts with <see cref="Prefix"/> (lower-case).</summary>
public sealed class TermPrefixMatch : LogMatch
{
    internal TermPrefixMatch(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    public override bool Matches(LogRecord record)
    {
        foreach (var t in LogText.IndexTerms(record))
        {
            if (t.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Prefix + "*";
}

/// <summary>The body's whole tokens (no parts) contain <see cref="Tokens"/> as a contiguous run.</summary>
public sealed class PhraseMatch : LogMatch
{
    internal PhraseMatch(string[] tokens) => Tokens = tokens;

    public IReadOnlyList<string> Tokens { get; }

    public override bool Matches(LogRecord record)
    {
        var body = LogText.Body(record);
        if (body is null)
        {
            return false;
        }

        var tokens = LogTokenizer.Tokenize(body);
        for (var start = 0; start + Tokens.Count <= tokens.Count; start++)
        {
            var k = 0;
            while (k < Tokens.Count && tokens[start + k] == Tokens[k])
            {
                k++;
            }

            if (k == Tokens.Count)
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => "\"" + string.Join(' ', Tokens) + "\"";
}

/// <summary>The field's value (as indexed text, see <see cref="LogText.FieldValues"/>) equals <see cref="Value"/>.</summary>
public sealed class FieldMatch : LogMatch
{
    internal FieldMatch(LogField field, string value) => (Field, Value) = (field, value);

    public LogField Field { get; }

    public string Value { get; }

    public override bool Matches(LogRecord record)
    {
        foreach (var v in LogText.FieldValues(record, Field))
        {
            if (v == Value)
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Field + ":" + Value;
}

/// <summary>The field's value starts with <see cref="Prefix"/>.</summary>
public sealed class FieldPrefixMatch : LogMatch
{
    internal FieldPrefixMatch(LogField field, string prefix) => (Field, Prefix) = (field, prefix);

    public LogField Field { get; }

    public string Prefix { get; }

    public override bool Matches(LogRecord record)
    {
        foreach (var v in LogText.FieldValues(record, Field))
        {
            if (v.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Field + ":" + Prefix + "*";
}

/// <summary>The attribute's value is a number (an int or double, or a string that reads as one) that compares as asked.</summary>
public sealed class FieldRangeMatch : LogMatch
{
    internal FieldRangeMatch(LogField field, LogComparison op, double bound) => (Field, Operator, Bound) = (field, op, bound);

    public LogField Field { get; }

    public LogComparison Operator { get; }

    public double Bound { get; }

    public bool Accepts(double value) => Operator switch
    {
        LogComparison.GreaterThan => value > Bound,
        LogComparison.GreaterOrEqual => value >= Bound,
        LogComparison.LessThan => value < Bound,
        _ => value <= Bound,
    };

    /// <summary>Whether an indexed value text is a number this comparison accepts.</summary>
    public bool AcceptsText(string text) => LogText.TryNumber(text, out var v) && Accepts(v);

    public override bool Matches(LogRecord record)
    {
        foreach (var v in LogText.FieldValues(record, Field))
        {
            if (AcceptsText(v))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Field + ":" + Operator switch
    {
        LogComparison.GreaterThan => ">",
        LogComparison.GreaterOrEqual => ">=",
        LogComparison.LessThan => "<",
        _ => "<=",
    } + Bound.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>An arbitrary condition on the record; the index cannot help, so every record in range is checked.</summary>
public sealed class PredicateMatch : LogMatch
{
    private readonly Func<LogRecord, bool> _predicate;

    internal PredicateMatch(Func<LogRecord, bool> predicate) => _predicate = predicate;

    public override bool Matches(LogRecord record) => _predicate(record);

    public override string ToString() => "<predicate>";
}

public sealed class AndMatch : LogMatch
{
    internal AndMatch(LogMatch[] children) => Children = children;

    public IReadOnlyList<LogMatch> Children { get; }

    public override bool Matches(LogRecord record)
    {
        foreach (var c in Children)
        {
            if (!c.Matches(record))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => "(" + string.Join(" AND ", Children) + ")";
}

public sealed class OrMatch : LogMatch
{
    internal OrMatch(LogMatch[] children) => Children = children;

    public IReadOnlyList<LogMatch> Children { get; }

    public override bool Matches(LogRecord record)
    {
        foreach (var c in Children)
        {
            if (c.Matches(record))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => "(" + string.Join(" OR ", Children) + ")";
}

public sealed class NotMatch : LogMatch
{
    internal NotMatch(LogMatch child) => Child = child;

    public LogMatch Child { get; }

    public override bool Matches(LogRecord record) => !Child.Matches(record);

    public override string ToString() => "NOT " + Child;
}

/// <summary>The texts of a record the index holds, computed the same way the index computes them.</summary>
public static class LogText
{
    /// <summary>The body as searched: a string body as is, other kinds as their text form, none when empty.</summary>
    public static string? Body(LogRecord record) => BodyText(record.Body);

    /// <summary>A body value as searched (see <see cref="Body(LogRecord)"/>).</summary>
    public static string? BodyText(AttributeValue body) => body.Kind switch
    {
        AttributeKind.Empty => null,
        AttributeKind.String => body.StringValue,
        _ => body.ToString(),
    };

    /// <summary>Every term the index holds for the body (tokens and parts).</summary>
    public static HashSet<string> IndexTerms(LogRecord record) =>
        Body(record) is { } body ? [.. LogTokenizer.IndexTerms(body)] : [];

    /// <summary>The values a field has on a record as the index holds them (attributes: record then resource ones).</summary>
    public static IEnumerable<string> FieldValues(LogRecord record, LogField field)
    {
        switch (field.Kind)
        {
            case LogFieldKind.Level:
                yield return record.Level;
                break;
            case LogFieldKind.Service:
                yield return record.ServiceName;
                break;
            case LogFieldKind.Tenant:
                yield return record.TenantId;
                break;
            case LogFieldKind.TraceId:
                if (!record.TraceId.IsEmpty)
                {
                    yield return record.TraceId.ToString();
                }

                break;
            case LogFieldKind.SpanId:
                if (!record.SpanId.IsEmpty)
                {
                    yield return record.SpanId.ToString();
                }

                break;
            default:
                foreach (var list in new[] { record.Attributes, record.Resource.Attributes })
                {
                    foreach (var a in list)
                    {
                        if (a.Key == field.Name && IndexedText(a.Value) is { } text)
                        {
                            yield return text;
                        }
                    }
                }

                break;
        }
    }

    /// <summary>An attribute value as indexed text: strings up to <see cref="LogFieldNames.MaxIndexedValueLength"/>
    /// characters, <c>true</c>/<c>false</c>, integers in decimal, doubles in shortest round-trip form; else none.</summary>
    public static string? IndexedText(AttributeValue value) => value.Kind switch
    {
        AttributeKind.String when value.StringValue.Length <= LogFieldNames.MaxIndexedValueLength => value.StringValue,
        AttributeKind.Bool => value.BoolValue ? "true" : "false",
        AttributeKind.Int => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Double => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Reads an indexed value as a number the way comparisons do (invariant culture, no thousands separators).</summary>
    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
        && !double.IsNaN(value);
}
