using System.Globalization;
using OpsConsole.Core.Storage.Logs;

namespace OpsConsole.Core.Query.Logs;

/// <summary>
/// A log query that is not valid. <see cref="Position"/> is the 1-based column of the offending part; the message
/// says what was found, where, and what would be valid.
/// </summary>
public sealed class LogQueryParseException(string message, int position) : Exception(message)
{
    /// <summary>1-based character position in the query text.</summary>
    public int Position { get; } = position;
}

/// <summary>
/// Parses the log query language (README, "Log query language") into a <see cref="LogMatch"/>:
/// <code>
/// query   := or?
/// or      := and ( "OR" and )*
/// and     := unary ( "AND"? unary )*          (juxtaposition is AND)
/// unary   := ( "NOT" | "-" ) unary | primary
/// primary := "(" or ")" | field | "quoted phrase" | word | prefix*
/// field   := name ":" ( value | value* | "quoted value" | (">"|">="|"&lt;"|"&lt;=") number )
/// name    := level | service | tenant | trace_id | span_id | attr.KEY | KEY (an attribute)
/// </code>
/// Operators are upper-case; NOT binds tightest, then AND, then OR.
/// </summary>
public static class LogQueryParser
{
    public const int MaxQueryLength = 4096;
    public const int MaxClauses = 256;
    public const int MaxDepth = 32;

    /// <summary>The reserved field names, in the order help texts list them.</summary>
    public static readonly IReadOnlyList<string> Fields = [LogFieldNames.Level, LogFieldNames.Service, LogFieldNames.Tenant, LogFieldNames.TraceId, LogFieldNames.SpanId];

    private const string AttributePrefix = "attr.";

    /// <summary>Parses <paramref name="query"/>; empty or blank matches every record.</summary>
    /// <exception cref="LogQueryParseException">The query is not valid; the message and position say why and where.</exception>
    public static LogMatch Parse(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return LogMatch.All;
        }

        if (query.Length > MaxQueryLength)
        {
            throw new LogQueryParseException($"The query is {query.Length:N0} characters long; at most {MaxQueryLength:N0} are allowed.", MaxQueryLength + 1);
        }

        var parser = new Parser(Lexer.Tokenize(query), query.TrimEnd().Length + 1);
        return parser.ParseQuery();
    }

    /// <summary>
    /// The clause that matches <paramref name="field"/> (a reserved field name or <c>attr.KEY</c>) equal to
    /// <paramref name="value"/> exactly, quoted when needed; null when the field name cannot be written in a query.
    /// </summary>
    public static string? FieldClause(string field, string value)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(value);
        if (field.Length == 0 || !Lexer.IsFieldName(field) || field == AttributePrefix)
        {
            return null;
        }

        var plain = value.Length > 0 && value[0] is not ('>' or '<')
            && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '(' or ')' or '*' or '\\');
        return plain ? field + ":" + value : field + ":\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private enum Kind
    {
        Word,
        Phrase,
        Field,
        And,
        Or,
        Not,
        Minus,
        Open,
        Close,
    }

    /// <summary>A token; for fields, <see cref="Text"/> is the name and <see cref="Value"/> the value.</summary>
    private sealed record Token(Kind Kind, int Position, string Text, string? Value = null, int ValuePosition = 0, bool Quoted = false)
    {
        public bool StartsUnary => Kind is Kind.Word or Kind.Phrase or Kind.Field or Kind.Not or Kind.Minus or Kind.Open;

        public string Describe() => Kind switch
        {
            Kind.And => "'AND'",
            Kind.Or => "'OR'",
            Kind.Not => "'NOT'",
            Kind.Minus => "'-'",
            Kind.Open => "'('",
            Kind.Close => "')'",
            _ => "'" + Text + "'",
        };
    }

    private static class Lexer
    {
        public static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '(')
                {
                    tokens.Add(new Token(Kind.Open, i + 1, "("));
                    i++;
                }
                else if (c == ')')
                {
                    tokens.Add(new Token(Kind.Close, i + 1, ")"));
                    i++;
                }
                else if (c == '-')
                {
                    if (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1]) || text[i + 1] == ')')
                    {
                        throw new LogQueryParseException($"'-' at {i + 1} must be followed, without a space, by what to exclude: -term, -level:debug, -(a OR b).", i + 1);
                    }

                    tokens.Add(new Token(Kind.Minus, i + 1, "-"));
                    i++;
                }
                else if (c == '"')
                {
                    var start = i;
                    var phrase = ReadQuoted(text, ref i);
                    tokens.Add(new Token(Kind.Phrase, start + 1, phrase));
                }
                else
                {
                    tokens.Add(ReadWord(text, ref i));
                }
            }

            return tokens;
        }

        private static Token ReadWord(string text, ref int i)
        {
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '"'))
            {
                i++;
            }

            var word = text[start..i];
            switch (word)
            {
                case "AND":
                    return new Token(Kind.And, start + 1, word);
                case "OR":
                    return new Token(Kind.Or, start + 1, word);
                case "NOT":
                    return new Token(Kind.Not, start + 1, word);
            }

            var colon = word.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsFieldName(word.AsSpan(0, colon)))
            {
                return new Token(Kind.Word, start + 1, word);
            }

            var name = word[..colon];
            var value = word[(colon + 1)..];
            var valuePosition = start + colon + 2;
            if (value.Length == 0)
            {
                if (i < text.Length && text[i] == '"')
                {
                    var quoted = ReadQuoted(text, ref i);
                    return new Token(Kind.Field, start + 1, name, quoted, valuePosition, Quoted: true);
                }

                throw new LogQueryParseException($"Expected a value after '{name}:' at {valuePosition}, e.g. {Example(name)}; quote values with spaces: {name}:\"two words\".", valuePosition);
            }

            return new Token(Kind.Field, start + 1, name, value, valuePosition);
        }

        private static string ReadQuoted(string text, ref int i)
        {
            var open = i;
            i++;
            var value = new System.Text.StringBuilder();
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\')
                {
                    value.Append(text[i + 1]);
                    i += 2;
                }
                else if (c == '"')
                {
                    i++;
                    return value.ToString();
                }
                else
                {
                    value.Append(c);
                    i++;
                }
            }

            throw new LogQueryParseException($"Unterminated quote: the '\"' at {open + 1} has no closing '\"' (write \\\" for a quote inside).", open + 1);
        }

        public static bool IsFieldName(ReadOnlySpan<char> name)
        {
            if (!char.IsAsciiLetter(name[0]) && name[0] != '_')
            {
                return false;
            }

            foreach (var c in name)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static string Example(string field) => field switch
    {
        LogFieldNames.Level => "level:error",
        LogFieldNames.Service => "service:rag-service",
        LogFieldNames.Tenant => "tenant:acme",
        LogFieldNames.TraceId => "trace_id:4bf92f3577b34da6a3ce929d0e0e4736",
        LogFieldNames.SpanId => "span_id:00f067aa0ba902b7",
        _ => field + ":value",
    };

    private sealed class Parser(List<Token> tokens, int endPosition)
    {
        private int _next;
        private int _depth;
        private int _clauses;

        public LogMatch ParseQuery()
        {
            if (tokens.Count == 0)
            {
                return LogMatch.All;
            }

            var result = ParseOr();
            if (_next < tokens.Count)
            {
                var t = tokens[_next];
                throw t.Kind == Kind.Close
                    ? new LogQueryParseException($"Unexpected ')' at {t.Position}: there is no '(' for it to close.", t.Position)
                    : new LogQueryParseException($"Unexpected {t.Describe()} at {t.Position}.", t.Position);
            }

            return result;
        }

        private Token? Peek => _next < tokens.Count ? tokens[_next] : null;

        private int EndPosition => endPosition;

        private LogMatch ParseOr()
        {
            var branches = new List<LogMatch> { ParseAnd() };
            while (Peek is { Kind: Kind.Or } or)
            {
                _next++;
                RequireOperand(or);
                branches.Add(ParseAnd());
            }

            return LogMatch.Or(branches);
        }

        private LogMatch ParseAnd()
        {
            var parts = new List<LogMatch> { ParseUnary() };
            while (Peek is { } t)
            {
                if (t.Kind == Kind.And)
                {
                    _next++;
                    RequireOperand(t);
                    parts.Add(ParseUnary());
                }
                else if (t.StartsUnary)
                {
                    parts.Add(ParseUnary());
                }
                else
                {
                    break;
                }
            }

            return LogMatch.And(parts);
        }

        private LogMatch ParseUnary()
        {
            var t = Peek ?? throw new LogQueryParseException($"Expected a term at {EndPosition}.", EndPosition);
            if (t.Kind is Kind.Not or Kind.Minus)
            {
                _next++;
                RequireOperand(t);
                Enter(t);
                var inner = ParseUnary();
                _depth--;
                return LogMatch.Not(inner);
            }

            return ParsePrimary();
        }

        private void RequireOperand(Token op)
        {
            if (Peek is { StartsUnary: true })
            {
                return;
            }

            var position = Peek?.Position ?? EndPosition;
            var found = Peek is { } p ? $"found {p.Describe()} at {p.Position}" : "the query ends there";
            throw new LogQueryParseException($"Expected a term after {op.Describe()} at {op.Position}, but {found}.", position);
        }

        private void Enter(Token t)
        {
            if (++_depth > MaxDepth)
            {
                throw new LogQueryParseException($"The query nests deeper than {MaxDepth} levels at {t.Position}.", t.Position);
            }
        }

        private LogMatch ParsePrimary()
        {
            var t = tokens[_next];
            switch (t.Kind)
            {
                case Kind.Open:
                {
                    _next++;
                    if (Peek is { Kind: Kind.Close } close)
                    {
                        throw new LogQueryParseException($"Empty parentheses at {t.Position}: put a condition between '(' and ')'.", close.Position);
                    }

                    if (Peek is null)
                    {
                        throw new LogQueryParseException($"Expected ')' to close the '(' at {t.Position}, but the query ends there.", EndPosition);
                    }

                    Enter(t);
                    var inner = ParseOr();
                    _depth--;
                    if (Peek is not { Kind: Kind.Close })
                    {
                        var at = Peek?.Position ?? EndPosition;
                        throw new LogQueryParseException($"Expected ')' to close the '(' at {t.Position}" + (Peek is { } p ? $", found {p.Describe()} at {p.Position}." : ", but the query ends there."), at);
                    }

                    _next++;
                    return inner;
                }

                case Kind.Word:
                    _next++;
                    Count(t);
                    return Word(t);
                case Kind.Phrase:
                    _next++;
                    Count(t);
                    return Phrase(t.Text, t.Position);
                case Kind.Field:
                    _next++;
                    Count(t);
                    return Field(t);
                case Kind.Close:
                    throw new LogQueryParseException($"Unexpected ')' at {t.Position}: there is no '(' for it to close.", t.Position);
                default:
                    throw new LogQueryParseException($"{t.Describe()} at {t.Position} needs a term on its left, e.g. timeout {t.Text} refused.", t.Position);
            }
        }

        private void Count(Token t)
        {
            if (++_clauses > MaxClauses)
            {
                throw new LogQueryParseException($"The query has more than {MaxClauses} terms (at {t.Position}); narrow it with fields instead.", t.Position);
            }
        }
    }

    private static LogMatch Word(Token t)
    {
        var word = t.Text;
        var star = word.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            return TermPrefix(word, star, t.Position);
        }

        var tokens = LogTokenizer.Tokenize(word);
        return tokens.Count switch
        {
            0 => throw new LogQueryParseException($"'{word}' at {t.Position} has no letters or digits to search for; quote it to search a phrase, or remove it.", t.Position),
            1 => LogMatch.Term(tokens[0]),

            // A word the tokenizer splits (foo/bar, user_id=42) is searched as the phrase it is.
            _ => LogMatch.Phrase(word),
        };
    }

    private static LogMatch TermPrefix(string word, int star, int position)
    {
        if (word.Length == 1)
        {
            throw new LogQueryParseException($"A lone '*' at {position} matches everything; leave the query empty instead.", position);
        }

        if (star != word.Length - 1)
        {
            throw new LogQueryParseException($"'*' at {position + star} only works at the end of a word (a prefix like timeo*); '{word}' has it elsewhere.", position + star);
        }

        var prefix = word[..^1];
        if (!char.IsLetterOrDigit(prefix[0]) || prefix.Any(c => !char.IsLetterOrDigit(c) && c is not ('.' or '-' or '_')))
        {
            throw new LogQueryParseException($"A wildcard applies to one word: '{word}' at {position} has characters that split words (only letters, digits and . - _ can precede '*').", position);
        }

        return LogMatch.TermPrefix(prefix.Length > LogTokenizer.MaxTokenLength ? prefix[..LogTokenizer.MaxTokenLength] : prefix);
    }

    private static LogMatch Phrase(string text, int position)
    {
        if (LogTokenizer.Tokenize(text).Count == 0)
        {
            throw new LogQueryParseException(text.Length == 0
                ? $"Empty quotes at {position}: put words between them."
                : $"The phrase at {position} has no letters or digits to search for.", position);
        }

        return LogMatch.Phrase(text);
    }

    private static LogMatch Field(Token t)
    {
        var field = ResolveField(t.Text, t.Position);
        var value = t.Value!;
        var at = t.ValuePosition;
        if (t.Quoted)
        {
            return LogMatch.FieldEquals(field, Validate(field, value, at, prefix: false));
        }

        if (value[0] is '>' or '<')
        {
            return Comparison(field, value, at);
        }

        var star = value.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            if (star != value.Length - 1)
            {
                throw new LogQueryParseException($"'*' at {at + star} only works at the end of a value ({field}:prefix*); quote the value to search a literal '*'.", at + star);
            }

            return LogMatch.FieldPrefix(field, Validate(field, value[..^1], at, prefix: true));
        }

        return LogMatch.FieldEquals(field, Validate(field, value, at, prefix: false));
    }

    private static LogField ResolveField(string name, int position)
    {
        if (name.StartsWith(AttributePrefix, StringComparison.Ordinal))
        {
            var key = name[AttributePrefix.Length..];
            return key.Length > 0
                ? LogField.Attribute(key)
                : throw new LogQueryParseException($"'attr.' at {position} needs an attribute name, e.g. attr.http.route:/api/chat.", position);
        }

        if (Fields.Contains(name))
        {
            return LogField.Named(name);
        }

        foreach (var known in Fields.Append("attr"))
        {
            if (IsNearMiss(name, known))
            {
                throw new LogQueryParseException(
                    $"Unknown field '{name}' at {position} — did you mean '{known}'? Fields: {string.Join(", ", Fields)}, attr.KEY (write attr.{name}:… to search an attribute named '{name}').", position);
            }
        }

        return LogField.Attribute(name);
    }

    private static string Validate(LogField field, string value, int at, bool prefix)
    {
        switch (field.Kind)
        {
            case LogFieldKind.Level:
                var level = value.ToLowerInvariant();
                if (prefix ? !LogFieldNames.Levels.Any(l => l.StartsWith(level, StringComparison.Ordinal)) : !LogFieldNames.Levels.Contains(level))
                {
                    throw new LogQueryParseException($"Unknown level '{value}' at {at} — one of {string.Join(", ", LogFieldNames.Levels)}.", at);
                }

                return level;
            case LogFieldKind.TraceId:
                return Hex(value, 32, "trace_id", at, prefix);
            case LogFieldKind.SpanId:
                return Hex(value, 16, "span_id", at, prefix);
            default:
                return value;
        }
    }

    private static string Hex(string value, int digits, string name, int at, bool prefix)
    {
        var ok = (prefix ? value.Length <= digits : value.Length == digits) && value.All(char.IsAsciiHexDigit);
        return ok
            ? value.ToLowerInvariant()
            : throw new LogQueryParseException($"A {name} is {digits} hex digits (or a prefix of them followed by *); '{value}' at {at} is not.", at);
    }

    private static LogMatch Comparison(LogField field, string value, int at)
    {
        var (op, length) = value switch
        {
            _ when value.StartsWith(">=", StringComparison.Ordinal) => (LogComparison.GreaterOrEqual, 2),
            _ when value.StartsWith("<=", StringComparison.Ordinal) => (LogComparison.LessOrEqual, 2),
            _ when value.StartsWith('>') => (LogComparison.GreaterThan, 1),
            _ => (LogComparison.LessThan, 1),
        };
        var operand = value[length..];
        var operandAt = at + length;
        if (operand.Length == 0)
        {
            throw new LogQueryParseException($"Expected a number after '{value}' at {operandAt}, e.g. {field}:{value}500.", operandAt);
        }

        if (field.Kind == LogFieldKind.Level)
        {
            var bound = LogFieldNames.Levels.ToList().IndexOf(operand.ToLowerInvariant());
            if (bound < 0)
            {
                throw new LogQueryParseException($"Unknown level '{operand}' at {operandAt} — one of {string.Join(", ", LogFieldNames.Levels)}.", operandAt);
            }

            var levels = LogFieldNames.Levels.Where((_, i) => op switch
            {
                LogComparison.GreaterThan => i > bound,
                LogComparison.GreaterOrEqual => i >= bound,
                LogComparison.LessThan => i < bound,
                _ => i <= bound,
            }).ToList();
            return levels.Count == 0 ? LogMatch.Not(LogMatch.All) : LogMatch.Or(levels.Select(l => LogMatch.FieldEquals(LogField.Level, l)));
        }

        if (!field.IsAttribute)
        {
            throw new LogQueryParseException($"'{field}' at {at - field.Name.Length - 1} cannot be compared with {value[..length]}: comparisons work on numeric attributes (duration_ms:>500) and on level (level:>=warn).", at - field.Name.Length - 1);
        }

        if (!double.TryParse(operand, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            || double.IsNaN(number) || double.IsInfinity(number))
        {
            throw new LogQueryParseException($"'{operand}' at {operandAt} is not a number; write e.g. {field}:{value[..length]}500 or {value[..length]}0.25.", operandAt);
        }

        return LogMatch.Compare(field, op, number);
    }

    private static bool IsNearMiss(string name, string known)
    {
        if (name.Length < 3)
        {
            return false;
        }

        var d = Distance(name.ToLowerInvariant(), known);
        return d > 0 && d <= (known.Length >= 6 ? 2 : 1);
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
