namespace OpsConsole.Core.Storage.Logs;

/// <summary>
/// Splits log text into search terms.
/// <list type="bullet">
/// <item>Text is lower-cased (invariant culture); searches are case-insensitive.</item>
/// <item>A <b>token</b> is a run of letters and digits (any script), in which a single <c>.</c>, <c>-</c> or <c>_</c>
/// between two letters/digits does not split: <c>10.0.0.12</c>, <c>order-8812</c>, <c>user_id</c>,
/// <c>rag.query</c> and <c>v1.2.3</c> stay whole. Anything else splits: spaces, punctuation, <c>:</c>, <c>/</c>,
/// <c>=</c>, quotes, brackets — so <c>10.0.0.12:8080</c> gives <c>10.0.0.12</c> and <c>8080</c>, and
/// <c>user_id=42</c> gives <c>user_id</c> and <c>42</c>. A trailing dot (end of a sentence) is not part of a token.</item>
/// <item>For the index, a token with inner connectors is also indexed by its parts, so <c>order</c> and
/// <c>8812</c> both find "order-8812".</item>
/// <item>Tokens longer than <see cref="MaxTokenLength"/> characters are cut to that length (on both the index and
/// the query side, so they still match).</item>
/// </list>
/// A query term is tokenized the same way, without the parts: a record matches when it holds every token.
/// </summary>
public static class LogTokenizer
{
    public const int MaxTokenLength = 128;

    /// <summary>The tokens of <paramref name="text"/> (no parts), in order, as a query uses them.</summary>
    public static IReadOnlyList<string> Tokenize(string text) => Collect(text, includeParts: false);

    /// <summary>Every term the index records for <paramref name="text"/>: the tokens and the parts of joined tokens.</summary>
    public static IReadOnlyList<string> IndexTerms(string text) => Collect(text, includeParts: true);

    private static List<string> Collect(string text, bool includeParts)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<string>();
        Span<char> buffer = stackalloc char[MaxTokenLength];
        var tokens = new TokenEnumerator(text, buffer, includeParts);
        while (tokens.MoveNext())
        {
            list.Add(tokens.Current.ToString());
        }

        return list;
    }
}

/// <summary>
/// Walks the tokens of a text without allocating: <see cref="Current"/> is the lower-cased token in the caller's
/// buffer, valid until the next <see cref="MoveNext"/>.
/// </summary>
internal ref struct TokenEnumerator(ReadOnlySpan<char> text, Span<char> buffer, bool includeParts)
{
    private readonly ReadOnlySpan<char> _text = text;
    private readonly Span<char> _buffer = buffer;
    private int _position;
    private int _partsEnd = -1;
    private int _partPosition;

    public ReadOnlySpan<char> Current { get; private set; }

    public bool MoveNext()
    {
        if (_partsEnd >= 0 && NextPart())
        {
            return true;
        }

        _partsEnd = -1;
        while (_position < _text.Length && !char.IsLetterOrDigit(_text[_position]))
        {
            _position++;
        }

        if (_position >= _text.Length)
        {
            return false;
        }

        var start = _position;
        var joined = false;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (char.IsLetterOrDigit(c))
            {
                _position++;
            }
            else if (IsConnector(c) && _position + 1 < _text.Length && char.IsLetterOrDigit(_text[_position + 1]))
            {
                joined = true;
                _position++;
            }
            else
            {
                break;
            }
        }

        Current = Lower(_text[start.._position]);
        if (joined && includeParts)
        {
            _partsEnd = _position;
            _partPosition = start;
        }

        return true;
    }

    private bool NextPart()
    {
        while (_partPosition < _partsEnd && IsConnector(_text[_partPosition]))
        {
            _partPosition++;
        }

        if (_partPosition >= _partsEnd)
        {
            return false;
        }

        var start = _partPosition;
        while (_partPosition < _partsEnd && !IsConnector(_text[_partPosition]))
        {
            _partPosition++;
        }

        Current = Lower(_text[start.._partPosition]);
        return true;
    }

    private readonly ReadOnlySpan<char> Lower(ReadOnlySpan<char> token)
    {
        var length = Math.Min(token.Length, LogTokenizer.MaxTokenLength);
        for (var i = 0; i < length; i++)
        {
            _buffer[i] = char.ToLowerInvariant(token[i]);
        }

        return _buffer[..length];
    }

    private static bool IsConnector(char c) => c is '.' or '-' or '_';
}
