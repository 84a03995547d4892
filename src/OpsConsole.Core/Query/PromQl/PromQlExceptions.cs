namespace OpsConsole.Core.Query.PromQl;

/// <summary>
/// A query that is not valid PromQL. <see cref="Position"/> is the 1-based character position of the offending
/// token; the message names what was found and what was expected.
/// </summary>
public sealed class PromQlParseException : Exception
{
    public PromQlParseException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>1-based character position in the query text.</summary>
    public int Position { get; }
}

/// <summary>Valid PromQL that this engine does not (yet) evaluate, e.g. subqueries or the <c>@</c> modifier.</summary>
public sealed class PromQlUnsupportedException(string message) : Exception(message);

/// <summary>A query that parsed but cannot be answered: many-to-many matches, too many samples, too many points.</summary>
public sealed class PromQlEvaluationException(string message) : Exception(message);

/// <summary>
/// A query or parameters the caller must change (Prometheus's <c>bad_data</c>): a step that makes too many points, a
/// time range or range selector longer than allowed, an end before the start, a range vector as a range query.
/// </summary>
public sealed class PromQlBadQueryException(string message) : Exception(message);
