using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Query.PromQl;

/// <summary>
/// Parses PromQL into a <see cref="PromQlExpr"/> tree with Prometheus's precedence (lowest first: <c>or</c>;
/// <c>and unless</c>; comparisons; <c>+ -</c>; <c>* / %</c>; <c>^</c>, which is right-associative) and its type
/// checks. Errors are <see cref="PromQlParseException"/>s with a 1-based position.
/// </summary>
public sealed class PromQlParser
{
    private static readonly Dictionary<string, AggregationOp> Aggregations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sum"] = AggregationOp.Sum,
        ["avg"] = AggregationOp.Avg,
        ["min"] = AggregationOp.Min,
        ["max"] = AggregationOp.Max,
        ["count"] = AggregationOp.Count,
        ["stddev"] = AggregationOp.Stddev,
        ["topk"] = AggregationOp.Topk,
        ["bottomk"] = AggregationOp.Bottomk,
        ["quantile"] = AggregationOp.Quantile,
        ["count_values"] = AggregationOp.CountValues,
    };

    private static readonly HashSet<string> UnsupportedAggregations = new(StringComparer.OrdinalIgnoreCase) { "stdvar", "group", "limitk", "limit_ratio" };

    /// <summary>How deeply expressions may nest; deeper input is refused rather than risking the stack.</summary>
    private const int MaxDepth = 200;

    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private PromQlParser(string query)
    {
        _tokens = PromQlLexer.Tokenize(query);
    }

    /// <summary>Parses a whole query.</summary>
    public static PromQlExpr Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parser = new PromQlParser(query);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw new PromQlParseException("empty query at position 1: expected an expression", 1);
        }

        var expr = parser.ParseExpression(0);
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw parser.Unexpected(parser.Peek, "expected an operator or the end of the query");
        }

        return expr;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    /// <summary>Keywords (aggregations, by, without, on, ignoring, group_left/right, bool, offset, and, or, unless) are
    /// case-insensitive in PromQL, as in Prometheus's lexer; function and metric names are not.</summary>
    private static bool IsKeyword(string text, string keyword) => string.Equals(text, keyword, StringComparison.OrdinalIgnoreCase);

    private bool PeekWord(string word) => Peek.Kind == TokenKind.Identifier && IsKeyword(Peek.Text, word);

    private Token Expect(TokenKind kind, string expected)
    {
        var token = Take();
        return token.Kind == kind ? token : throw Unexpected(token, expected);
    }

    private PromQlParseException Unexpected(Token token, string expected) =>
        new($"unexpected {token.Shown} at position {token.Position}: {expected}", token.Position);

    private static PromQlParseException Error(Token at, string message) => new($"{message} (at position {at.Position})", at.Position);

    private static int Precedence(BinaryOp op) => op switch
    {
        BinaryOp.Or => 1,
        BinaryOp.And or BinaryOp.Unless => 2,
        BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Gt or BinaryOp.Lt or BinaryOp.Ge or BinaryOp.Le => 3,
        BinaryOp.Add or BinaryOp.Sub => 4,
        BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod => 5,
        _ => 6,
    };

    private BinaryOp? PeekBinaryOp() => Peek.Kind switch
    {
        TokenKind.Plus => BinaryOp.Add,
        TokenKind.Minus => BinaryOp.Sub,
        TokenKind.Star => BinaryOp.Mul,
        TokenKind.Slash => BinaryOp.Div,
        TokenKind.Percent => BinaryOp.Mod,
        TokenKind.Caret => BinaryOp.Pow,
        TokenKind.Equal => BinaryOp.Eq,
        TokenKind.NotEqual => BinaryOp.Ne,
        TokenKind.Greater => BinaryOp.Gt,
        TokenKind.Less => BinaryOp.Lt,
        TokenKind.GreaterOrEqual => BinaryOp.Ge,
        TokenKind.LessOrEqual => BinaryOp.Le,
        TokenKind.Identifier when IsKeyword(Peek.Text, "and") => BinaryOp.And,
        TokenKind.Identifier when IsKeyword(Peek.Text, "or") => BinaryOp.Or,
        TokenKind.Identifier when IsKeyword(Peek.Text, "unless") => BinaryOp.Unless,
        _ => null,
    };

    private PromQlExpr ParseExpression(int minPrecedence)
    {
        if (++_depth > MaxDepth)
        {
            throw new PromQlParseException($"expression nested too deeply at position {Peek.Position}: at most {MaxDepth} levels are allowed", Peek.Position);
        }

        try
        {
            return ParseBinary(minPrecedence);
        }
        finally
        {
            _depth--;
        }
    }

    private PromQlExpr ParseBinary(int minPrecedence)
    {
        var left = ParseUnary();
        if (PeekWord("atan2"))
        {
            throw new PromQlUnsupportedException("the binary operator \"atan2\" is not supported yet");
        }

        while (PeekBinaryOp() is { } op && Precedence(op) >= minPrecedence)
        {
            var opToken = Take();
            var (returnBool, matching) = ParseBinaryModifiers(op, opToken);

            // ^ is right-associative: its right side may contain another ^ of the same precedence.
            var right = ParseExpression(op == BinaryOp.Pow ? Precedence(op) : Precedence(op) + 1);
            left = CheckBinary(new BinaryExpr(op, left, right, returnBool, matching) { Position = left.Position }, opToken);
            if (PeekWord("atan2"))
            {
                throw new PromQlUnsupportedException("the binary operator \"atan2\" is not supported yet");
            }
        }

        return left;
    }

    private PromQlExpr ParseUnary()
    {
        if (Peek.Kind is TokenKind.Minus or TokenKind.Plus)
        {
            var sign = Take();

            // Unary minus binds tighter than * but looser than ^ (so -2^2 is -4), as in Prometheus.
            var operand = ParseExpression(Precedence(BinaryOp.Pow));
            if (operand.Type is not (PromQlType.Scalar or PromQlType.InstantVector))
            {
                throw Error(sign, $"unary \"{sign.Text}\" needs a scalar or an instant vector, not a {Describe(operand.Type)}");
            }

            return sign.Kind == TokenKind.Plus ? operand : operand is NumberLiteral n ? new NumberLiteral(-n.Value) { Position = sign.Position } : new UnaryMinus(operand) { Position = sign.Position };
        }

        return ParsePostfix(ParsePrimary());
    }

    private (bool ReturnBool, VectorMatching? Matching) ParseBinaryModifiers(BinaryOp op, Token opToken)
    {
        var returnBool = false;
        if (PeekWord("bool"))
        {
            var boolToken = Take();
            if (Precedence(op) != 3)
            {
                throw Error(boolToken, $"\"bool\" is only allowed after a comparison operator, not after \"{opToken.Text}\"");
            }

            returnBool = true;
        }

        if (!PeekWord("on") && !PeekWord("ignoring") && !PeekWord("group_left") && !PeekWord("group_right"))
        {
            return (returnBool, null);
        }

        var on = false;
        IReadOnlyList<string> matchingLabels = [];
        if (PeekWord("on") || PeekWord("ignoring"))
        {
            on = IsKeyword(Take().Text, "on");
            matchingLabels = ParseLabelList();
        }

        var card = op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless ? VectorMatchCardinality.ManyToMany : VectorMatchCardinality.OneToOne;
        IReadOnlyList<string> include = [];
        if (PeekWord("group_left") || PeekWord("group_right"))
        {
            var group = Take();
            if (card == VectorMatchCardinality.ManyToMany)
            {
                throw Error(group, $"no grouping ({group.Text}) allowed for \"{opToken.Text}\": set operators match many-to-many");
            }

            card = IsKeyword(group.Text, "group_left") ? VectorMatchCardinality.ManyToOne : VectorMatchCardinality.OneToMany;
            include = Peek.Kind == TokenKind.LeftParen ? ParseLabelList() : [];
            if (on && include.FirstOrDefault(matchingLabels.Contains) is { } both)
            {
                throw Error(group, $"label \"{both}\" must not occur in on(...) and {group.Text}(...) at once");
            }
        }

        return (returnBool, new VectorMatching(card, matchingLabels, on, include));
    }

    private PromQlExpr CheckBinary(BinaryExpr e, Token opToken)
    {
        var symbol = BinaryExpr.Symbol(e.Op);
        foreach (var side in new[] { e.Left, e.Right })
        {
            if (side.Type is not (PromQlType.Scalar or PromQlType.InstantVector))
            {
                throw Error(opToken, $"binary operator \"{symbol}\" needs scalars or instant vectors on both sides, not a {Describe(side.Type)}");
            }
        }

        if (e.IsComparison && !e.ReturnBool && e.Left.Type == PromQlType.Scalar && e.Right.Type == PromQlType.Scalar)
        {
            throw Error(opToken, $"comparisons between scalars must use the bool modifier, e.g. \"1 {symbol} bool 2\"");
        }

        if (e.IsSetOperator && (e.Left.Type != PromQlType.InstantVector || e.Right.Type != PromQlType.InstantVector))
        {
            throw Error(opToken, $"set operator \"{symbol}\" needs instant vectors on both sides");
        }

        if (e.Matching is not null && (e.Left.Type != PromQlType.InstantVector || e.Right.Type != PromQlType.InstantVector))
        {
            throw Error(opToken, "vector matching (on, ignoring, group_left, group_right) is only allowed between two instant vectors");
        }

        return e;
    }

    private PromQlExpr ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Take();
                return new NumberLiteral(token.Number) { Position = token.Position };
            case TokenKind.String:
                Take();
                return new StringLiteral(token.Text) { Position = token.Position };
            case TokenKind.LeftParen:
            {
                Take();
                var inner = ParseExpression(0);
                Expect(TokenKind.RightParen, "expected \")\" to close the parenthesis");
                return inner;
            }

            case TokenKind.LeftBrace:
                return ParseSelector(null, token);
            case TokenKind.Identifier:
                return ParseIdentifierExpression();
            case TokenKind.Duration:
                throw Error(token, $"a duration ({token.Text}) is only allowed in a range [..] or after offset");
            default:
                throw Unexpected(token, "expected an expression (a number, string, selector, function call or aggregation)");
        }
    }

    private PromQlExpr ParseIdentifierExpression()
    {
        var name = Take();
        var next = Peek.Kind;
        if (Aggregations.TryGetValue(name.Text, out var agg) && (next == TokenKind.LeftParen || PeekWord("by") || PeekWord("without")))
        {
            return ParseAggregation(agg, name);
        }

        if (UnsupportedAggregations.Contains(name.Text) && (PeekWord("by") || PeekWord("without")))
        {
            throw new PromQlUnsupportedException($"the aggregation \"{name.Text}\" is not supported yet");
        }

        if (next == TokenKind.LeftParen)
        {
            return ParseCall(name);
        }

        if (name.Text.ToLowerInvariant() is "and" or "or" or "unless" or "by" or "without" or "on" or "ignoring" or "group_left" or "group_right" or "bool" or "offset")
        {
            throw Unexpected(name, "expected an expression");
        }

        return ParseSelector(name.Text, name);
    }

    private PromQlExpr ParseCall(Token name)
    {
        if (!PromQlFunction.Supported.TryGetValue(name.Text, out var function))
        {
            if (UnsupportedAggregations.Contains(name.Text))
            {
                throw new PromQlUnsupportedException($"the aggregation \"{name.Text}\" is not supported yet");
            }

            if (PromQlFunction.Unsupported.Contains(name.Text))
            {
                throw new PromQlUnsupportedException($"the function \"{name.Text}\" is not supported yet");
            }

            throw Error(name, $"unknown function \"{name.Text}\"");
        }

        Take(); // (
        var args = new List<PromQlExpr>();
        if (Peek.Kind != TokenKind.RightParen)
        {
            args.Add(ParseExpression(0));
            while (Peek.Kind == TokenKind.Comma)
            {
                Take();
                args.Add(ParseExpression(0));
            }
        }

        Expect(TokenKind.RightParen, "expected \",\" or \")\" in the argument list of " + name.Text);
        var max = function.ArgTypes.Count;
        var min = max - function.OptionalArgs;
        if (args.Count < min || args.Count > max)
        {
            var wanted = min == max ? $"{max}" : $"{min} to {max}";
            throw Error(name, $"function \"{name.Text}\" takes {wanted} argument(s), got {args.Count}");
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].Type != function.ArgTypes[i])
            {
                throw Error(name, $"argument {i + 1} of \"{name.Text}\" must be a {Describe(function.ArgTypes[i])}, got a {Describe(args[i].Type)}");
            }
        }

        return new FunctionCall(function, args) { Position = name.Position };
    }

    private PromQlExpr ParseAggregation(AggregationOp op, Token name)
    {
        IReadOnlyList<string> grouping = [];
        var without = false;
        var grouped = false;
        if (PeekWord("by") || PeekWord("without"))
        {
            without = IsKeyword(Take().Text, "without");
            grouping = ParseLabelList();
            grouped = true;
        }

        Expect(TokenKind.LeftParen, $"expected \"(\" after {name.Text}");
        PromQlExpr? param = null;
        if (op is AggregationOp.Topk or AggregationOp.Bottomk or AggregationOp.Quantile or AggregationOp.CountValues)
        {
            param = ParseExpression(0);
            Expect(TokenKind.Comma, $"expected \",\": {name.Text} takes a parameter and then a vector");
            var wanted = op == AggregationOp.CountValues ? PromQlType.String : PromQlType.Scalar;
            if (param.Type != wanted)
            {
                throw Error(name, $"the parameter of {name.Text} must be a {Describe(wanted)}, got a {Describe(param.Type)}");
            }
        }

        var expr = ParseExpression(0);
        Expect(TokenKind.RightParen, $"expected \")\" to close {name.Text}(...)");
        if (!grouped && (PeekWord("by") || PeekWord("without")))
        {
            without = IsKeyword(Take().Text, "without");
            grouping = ParseLabelList();
        }

        if (expr.Type != PromQlType.InstantVector)
        {
            throw Error(name, $"{name.Text} aggregates an instant vector, got a {Describe(expr.Type)}");
        }

        return new Aggregation(op, expr, param, grouping, without) { Position = name.Position };
    }

    private List<string> ParseLabelList()
    {
        Expect(TokenKind.LeftParen, "expected \"(\" before a list of label names");
        var labels = new List<string>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            labels.Add(Expect(TokenKind.Identifier, "expected a label name").Text);
            if (Peek.Kind == TokenKind.Comma)
            {
                Take();
            }
            else if (Peek.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Peek, "expected \",\" or \")\" in a list of label names");
            }
        }

        Take();
        return labels;
    }

    private VectorSelector ParseSelector(string? metricName, Token at)
    {
        var matchers = new List<LabelMatcher>();
        if (metricName is not null)
        {
            matchers.Add(LabelMatcher.Equal(LabelSet.MetricName, metricName));
        }

        if (Peek.Kind == TokenKind.LeftBrace)
        {
            Take();
            while (Peek.Kind != TokenKind.RightBrace)
            {
                var label = Expect(TokenKind.Identifier, "expected a label name");
                var opToken = Take();
                var type = opToken.Kind switch
                {
                    TokenKind.Assign => LabelMatchType.Equal,
                    TokenKind.NotEqual => LabelMatchType.NotEqual,
                    TokenKind.RegexMatch => LabelMatchType.Regex,
                    TokenKind.RegexNoMatch => LabelMatchType.NotRegex,
                    _ => throw Unexpected(opToken, "expected a label matching operator (=, !=, =~ or !~)"),
                };
                var value = Expect(TokenKind.String, "expected a quoted label value");
                try
                {
                    matchers.Add(LabelMatcher.Create(label.Text, type, value.Text));
                }
                catch (ArgumentException e)
                {
                    throw Error(value, $"invalid regular expression {PromQlExpr.Quote(value.Text)} for label \"{label.Text}\": {e.InnerException?.Message ?? e.Message}");
                }

                if (Peek.Kind == TokenKind.Comma)
                {
                    Take();
                }
                else if (Peek.Kind != TokenKind.RightBrace)
                {
                    throw Unexpected(Peek, "expected \",\" or \"}\" after a label matcher");
                }
            }

            Take();
        }

        var nameMatchers = matchers.Where(m => m.Name == LabelSet.MetricName).ToList();
        if (metricName is not null && nameMatchers.Count > 1)
        {
            throw Error(at, $"metric name \"{metricName}\" given twice: outside the braces and as __name__ inside");
        }

        if (!matchers.Any(m => !m.MatchesEmpty))
        {
            throw Error(at, "a vector selector needs at least one matcher that does not match the empty string, e.g. a metric name or {job=\"api\"}");
        }

        return new VectorSelector(metricName, matchers, 0) { Position = at.Position };
    }

    private PromQlExpr ParsePostfix(PromQlExpr expr)
    {
        while (true)
        {
            var token = Peek;
            if (token.Kind == TokenKind.LeftBracket)
            {
                Take();
                var range = Expect(TokenKind.Duration, "expected a duration such as 5m in the range selector");
                if (Peek.Kind == TokenKind.Colon)
                {
                    throw new PromQlUnsupportedException("subqueries (expr[range:step]) are not supported yet");
                }

                Expect(TokenKind.RightBracket, "expected \"]\" after the range duration");
                if (expr is not VectorSelector vs)
                {
                    throw Error(token, "a range [..] can only follow a vector selector (subqueries are not supported)");
                }

                if (vs.OffsetMs != 0)
                {
                    throw Error(token, "the range [..] goes before offset: write metric[5m] offset 1h");
                }

                if (range.DurationMs <= 0)
                {
                    throw Error(range, "the range of a range selector must be positive");
                }

                expr = new MatrixSelector(vs, range.DurationMs) { Position = vs.Position };
            }
            else if (PeekWord("offset"))
            {
                Take();
                var negative = false;
                if (Peek.Kind == TokenKind.Minus)
                {
                    Take();
                    negative = true;
                }

                var duration = Expect(TokenKind.Duration, "expected a duration such as 5m after offset");
                var ms = negative ? -duration.DurationMs : duration.DurationMs;
                expr = expr switch
                {
                    VectorSelector { OffsetMs: 0 } v => v with { OffsetMs = ms },
                    MatrixSelector { Selector.OffsetMs: 0 } m => m with { Selector = m.Selector with { OffsetMs = ms } },
                    VectorSelector or MatrixSelector => throw Error(token, "offset may only be given once per selector"),
                    _ => throw Error(token, "offset must follow a selector directly, e.g. rate(metric[5m] offset 1h)"),
                };
            }
            else if (token.Kind == TokenKind.At)
            {
                throw new PromQlUnsupportedException("the @ modifier is not supported yet");
            }
            else
            {
                return expr;
            }
        }
    }

    private static string Describe(PromQlType type) => type switch
    {
        PromQlType.Scalar => "scalar",
        PromQlType.InstantVector => "instant vector",
        PromQlType.RangeVector => "range vector",
        _ => "string",
    };
}
