namespace OpsConsole.Core.Storage.Logs;

/// <summary>A <see cref="LogQuery"/> with its terms tokenized and field values normalized, ready to run on segments.</summary>
internal sealed class ResolvedLogQuery
{
    private ResolvedLogQuery(string[] includeTerms, (string Name, string Value)[] includeFields, ExclusionGroup[] exclude, Func<Domain.Telemetry.LogRecord, bool>? filter)
    {
        IncludeTerms = includeTerms;
        IncludeFields = includeFields;
        Exclude = exclude;
        Filter = filter;
    }

    public string[] IncludeTerms { get; }

    public (string Name, string Value)[] IncludeFields { get; }

    public ExclusionGroup[] Exclude { get; }

    public Func<Domain.Telemetry.LogRecord, bool>? Filter { get; }

    /// <summary>One excluded posting: a record holding all of <see cref="Terms"/> (and <see cref="Field"/>) is excluded.</summary>
    public sealed record ExclusionGroup(string[] Terms, (string Name, string Value)? Field);

    public static ResolvedLogQuery From(LogQuery query)
    {
        var terms = new List<string>();
        var fields = new List<(string, string)>();
        if (query.TenantId is not null)
        {
            fields.Add((LogFieldNames.Tenant, query.TenantId));
        }

        foreach (var posting in query.Include)
        {
            if (posting.IsTerm)
            {
                terms.AddRange(LogTokenizer.Tokenize(posting.Value));
            }
            else
            {
                fields.Add(Normalize(posting));
            }
        }

        var exclude = new List<ExclusionGroup>();
        foreach (var posting in query.Exclude)
        {
            if (posting.IsTerm)
            {
                var tokens = LogTokenizer.Tokenize(posting.Value);
                if (tokens.Count > 0)
                {
                    exclude.Add(new ExclusionGroup([.. tokens], null));
                }
            }
            else
            {
                exclude.Add(new ExclusionGroup([], Normalize(posting)));
            }
        }

        return new ResolvedLogQuery([.. terms], [.. fields], [.. exclude], query.Filter);
    }

    private static (string, string) Normalize(LogPosting posting)
    {
        var name = posting.FieldName!;
        return (name, LogFieldNames.IsCaseInsensitive(name) ? posting.Value.Trim().ToLowerInvariant() : posting.Value);
    }
}
