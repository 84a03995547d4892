using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;
using OpsConsole.Core.Storage.Traces;

namespace OpsConsole.Web.Traces;

/// <summary>
/// A trace search as it travels in a URL — the same parameters for <c>GET /api/v1/monitoring/traces</c> and the Traces
/// page, so a search can be shared as a link: <c>service</c>, <c>operation</c>, <c>tag</c> (repeated: <c>key=value</c>,
/// <c>key=val*</c>, <c>key=~regex</c>, <c>key</c>), <c>services</c> (comma-separated: the trace touches all of them),
/// <c>minDuration</c>/<c>maxDuration</c> (<c>250ms</c>, <c>1.5s</c>; a bare number is ms), <c>errors=true</c>,
/// <c>tenant</c> (admins), <c>from</c>/<c>to</c> (RFC 3339 or Unix ms) or <c>range</c> (<c>15m</c>, <c>1h</c>, <c>7d</c>:
/// the last so long before <c>to</c> or now), <c>limit</c>, <c>sort</c> (<c>start</c>, <c>start_asc</c>,
/// <c>duration</c>, <c>duration_asc</c>).
/// </summary>
public sealed record TraceSearchParameters
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(7);
    public const int MaxTags = 20;
    public const int MaxTextLength = 1000;

    public string? Service { get; init; }
    public string? Operation { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Services { get; init; } = [];
    public string? MinDuration { get; init; }
    public string? MaxDuration { get; init; }
    public bool ErrorsOnly { get; init; }
    public string? Tenant { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Range { get; init; }
    public int? Limit { get; init; }
    public string? Sort { get; init; }

    public static TraceSearchParameters Read(Func<string, StringValues> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        string? One(string name) => get(name) is { Count: > 0 } v && !string.IsNullOrWhiteSpace(v[^1]) ? v[^1]!.Trim() : null;
        var legacyMin = One("minDurationMs");
        var legacyMax = One("maxDurationMs");
        return new TraceSearchParameters
        {
            Service = One("service"),
            Operation = One("operation"),
            Tags = [.. get("tag").Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!)],
            Services = [.. get("services").SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)],
            MinDuration = One("minDuration") ?? legacyMin,
            MaxDuration = One("maxDuration") ?? legacyMax,
            ErrorsOnly = One("errors") is "true" or "1",
            Tenant = One("tenant"),
            From = One("from"),
            To = One("to"),
            Range = One("range"),
            Limit = One("limit") is { } l ? (int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1) : null,
            Sort = One("sort"),
        };
    }

    /// <summary>
    /// The query this asks for, for a caller bound to <paramref name="callerTenant"/> (tenant admins: always exactly
    /// their tenant, whatever <see cref="Tenant"/> says; null: everyone's, or <see cref="Tenant"/>'s when given), with
    /// every problem listed by parameter name. The range always has a start (<see cref="DefaultRange"/> back by default).
    /// </summary>
    public (TraceQuery Query, Dictionary<string, string[]> Errors) ToQuery(string? callerTenant, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];

        var tags = new List<TagFilter>();
        if (Tags.Count > MaxTags)
        {
            Error("tag", $"At most {MaxTags} tag conditions.");
        }

        foreach (var tag in Tags.Take(MaxTags))
        {
            if (tag.Length > MaxTextLength)
            {
                Error("tag", $"A tag condition is at most {MaxTextLength} characters.");
                continue;
            }

            try
            {
                tags.Add(TagFilter.Parse(tag));
            }
            catch (ArgumentException ex)
            {
                Error("tag", ex.Message.Split(" (Parameter", 2)[0]);
            }
        }

        TimeSpan? Duration(string? text, string field)
        {
            if (text is null)
            {
                return null;
            }

            if (TraceDuration.TryParse(text, out var d))
            {
                return d;
            }

            Error(field, $"'{text}' is not a duration: write a number and a unit, e.g. 250ms, 1.5s, 2m (a bare number is milliseconds).");
            return null;
        }

        var min = Duration(MinDuration, "minDuration");
        var max = Duration(MaxDuration, "maxDuration");
        if (min is { } a && max is { } b && a > b)
        {
            Error("maxDuration", $"maxDuration ({TraceDuration.Format(b)}) is shorter than minDuration ({TraceDuration.Format(a)}).");
        }

        var from = Time(From, "from", errors);
        var to = Time(To, "to", errors);
        if (Range is not null)
        {
            if (!TraceDuration.TryParse(Range, out var range) || range <= TimeSpan.Zero)
            {
                Error("range", $"'{Range}' is not a range: write a duration such as 15m, 1h, 24h or 7d.");
            }
            else if (From is null)
            {
                from = (to ?? now) - range;
            }
        }

        from ??= (to ?? now) - DefaultRange;
        if (to is { } t && from >= t)
        {
            Error("to", "to must be after from.");
        }
        else if ((to ?? now) - from > MaxRange)
        {
            Error("from", $"The range is longer than {MaxRange.TotalDays:0} days; search a shorter one.");
        }

        var limit = Limit ?? TraceQuery.DefaultLimit;
        if (limit is < 1 or > TraceQuery.MaxLimit)
        {
            Error("limit", $"limit must be a whole number from 1 to {TraceQuery.MaxLimit}.");
        }

        var sort = Sort switch
        {
            null or "start" => TraceSort.StartTimeDescending,
            "start_asc" => TraceSort.StartTimeAscending,
            "duration" => TraceSort.DurationDescending,
            "duration_asc" => TraceSort.DurationAscending,
            _ => Invalid(errors, $"sort must be start, start_asc, duration or duration_asc, not '{Sort}'."),
        };
        foreach (var (field, value) in new[] { ("service", Service), ("operation", Operation), ("tenant", Tenant) })
        {
            if (value is { Length: > MaxTextLength })
            {
                Error(field, $"{field} is at most {MaxTextLength} characters.");
            }
        }

        var query = new TraceQuery
        {
            TenantId = callerTenant ?? Tenant,
            Service = Service,
            Operation = Operation,
            Tags = tags,
            Services = Services,
            MinDuration = min,
            MaxDuration = max,
            ErrorsOnly = ErrorsOnly,
            From = from,
            To = to,
            Limit = Math.Clamp(limit, 1, TraceQuery.MaxLimit),
            Sort = sort,
        };
        return (query, errors);
    }

    /// <summary>The query string (without '?') that reproduces this search; empty parameters are left out.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("service", Service);
        Add("operation", Operation);
        foreach (var tag in Tags)
        {
            Add("tag", tag);
        }

        Add("services", Services.Count > 0 ? string.Join(',', Services) : null);
        Add("minDuration", MinDuration);
        Add("maxDuration", MaxDuration);
        Add("errors", ErrorsOnly ? "true" : null);
        Add("tenant", Tenant);
        Add("range", Range);
        Add("from", From);
        Add("to", To);
        Add("limit", Limit?.ToString(CultureInfo.InvariantCulture));
        Add("sort", Sort);
        return string.Join('&', parts);
    }

    private static TraceSort Invalid(Dictionary<string, string[]> errors, string message)
    {
        errors["sort"] = [message];
        return TraceSort.StartTimeDescending;
    }

    private static DateTimeOffset? Time(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 253_402_300_799_999)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }

        errors[field] = [$"'{text}' is not a time: use RFC 3339 (2026-11-22T09:30:00Z) or Unix milliseconds."];
        return null;
    }

    public override string ToString() => new StringBuilder("?").Append(ToQueryString()).ToString();
}
