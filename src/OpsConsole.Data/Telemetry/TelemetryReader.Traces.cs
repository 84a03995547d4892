using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>Trace search results from the database; <see cref="Complete"/> is false when the search stopped at its
/// candidate cap (then <see cref="TotalCount"/> counts only what was examined).</summary>
public sealed record TraceSearchPage(IReadOnlyList<TraceSummary> Items, int TotalCount, bool Complete);

public sealed partial class TelemetryReader
{
    /// <summary>At most this many candidate traces are examined per database search.</summary>
    public const int MaxCandidateTraces = 20_000;

    private const int TraceIdBatch = 400;

    /// <summary>
    /// Searches the stored spans with the semantics of <see cref="TraceQuery"/> (as the hot store does) over
    /// [<see cref="TraceQuery.From"/>, <see cref="TraceQuery.To"/>), which must both be set. One difference, for the sake
    /// of the indexes: a span that satisfies the span conditions must itself start inside the range (in memory, any span
    /// of a trace that starts in the range counts). Two steps: the spans in the range that can satisfy the span
    /// conditions (tenant, service, operation and status in SQL on the (tenant, start) or (service, start) index; tags
    /// pre-filtered with LIKE on the attribute JSON, then checked exactly) give the candidate traces, newest first (oldest
    /// first for an ascending sort); then all spans of those traces (trace-id index, light columns only) give each
    /// trace's start, duration, services, root and errors, and the trace-level conditions are applied.
    /// </summary>
    public async Task<TraceSearchPage> SearchTracesAsync(TraceQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.From is not { } fromTime || query.To is not { } toTime)
        {
            throw new ArgumentException("A database trace search needs both ends of the time range.", nameof(query));
        }

        long from = (long)UnixTime.ToNanos(fromTime), to = (long)UnixTime.ToNanos(toTime);
        if (from >= to)
        {
            return new TraceSearchPage([], 0, true);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var (candidates, complete) = await CandidatesAsync(db, query, from, to, ct);
        var matches = new List<TraceSummary>();
        for (var i = 0; i < candidates.Count; i += TraceIdBatch)
        {
            var batch = candidates.Skip(i).Take(TraceIdBatch).ToList();
            var ids = batch.Select(k => k.TraceId).Distinct().Select(t => t.ToBytes()).ToList();
            var rows = await db.Spans.AsNoTracking()
                .Where(s => ids.Contains(s.TraceId) && (query.TenantId == null || s.TenantId == query.TenantId))
                .Select(s => new LightSpan(s.TenantId, s.TraceId, s.SpanId, s.ParentSpanId == null, s.ServiceName, s.Name, s.StartUnixNano, s.EndUnixNano, s.StatusCode, s.Id))
                .ToListAsync(ct);
            var wanted = batch.ToHashSet();
            foreach (var group in rows.GroupBy(r => (r.TenantId, TraceId: TraceId.FromBytes(r.TraceId))))
            {
                if (!wanted.Contains(group.Key))
                {
                    continue;
                }

                var summary = Summarize(group.Key.TenantId, group.Key.TraceId, group);
                if (TraceLevelMatch(summary, query, fromTime, toTime))
                {
                    matches.Add(summary);
                }
            }
        }

        matches.Sort(TraceQuery.Order(query.Sort));
        var limit = Math.Clamp(query.Limit, 1, TraceQuery.MaxLimit);
        return new TraceSearchPage([.. matches.Take(limit)], matches.Count, complete);
    }

    private static async Task<(List<(string TenantId, TraceId TraceId)> Keys, bool Complete)> CandidatesAsync(
        OpsDbContext db, TraceQuery query, long from, long to, CancellationToken ct)
    {
        var q = db.Spans.AsNoTracking().Where(s => s.StartUnixNano >= from && s.StartUnixNano < to);
        if (query.TenantId is { } tenant)
        {
            q = q.Where(s => s.TenantId == tenant);
        }

        if (query.Service is { } service)
        {
            q = q.Where(s => s.ServiceName == service);
        }

        if (query.Operation is { } operation)
        {
            q = q.Where(s => s.Name == operation);
        }

        if (query.ErrorsOnly)
        {
            q = q.Where(s => s.StatusCode == (int)SpanStatusCode.Error);
        }

        foreach (var tag in query.Tags)
        {
            // Every tag needs its key in the span's or the resource's attributes: a cheap superset before the exact check.
            var pattern = "%" + EscapeLike(KeyJson(tag.Key)) + "%";
            q = q.Where(s => EF.Functions.Like(s.Attributes, pattern, "\\") || EF.Functions.Like(s.Resource, pattern, "\\"));
        }

        q = query.Sort == TraceSort.StartTimeAscending ? q.OrderBy(s => s.StartUnixNano) : q.OrderByDescending(s => s.StartUnixNano);
        var keys = new List<(string, TraceId)>();
        var seen = new HashSet<(string, TraceId)>();
        if (query.Tags.Count == 0)
        {
            await foreach (var row in q.Select(s => new { s.TenantId, s.TraceId }).AsAsyncEnumerable().WithCancellation(ct))
            {
                var key = (row.TenantId, TraceId.FromBytes(row.TraceId));
                if (seen.Add(key))
                {
                    keys.Add(key);
                    if (keys.Count >= MaxCandidateTraces)
                    {
                        return (keys, false);
                    }
                }
            }

            return (keys, true);
        }

        await foreach (var row in q.Select(s => new { s.TenantId, s.TraceId, s.Attributes, s.Resource, s.StatusCode, s.Name }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var key = (row.TenantId, TraceId.FromBytes(row.TraceId));
            if (seen.Contains(key))
            {
                continue;
            }

            var span = new Span
            {
                TenantId = row.TenantId, TraceId = key.Item2, SpanId = default, Name = row.Name, StartTimeUnixNano = 0, EndTimeUnixNano = 0,
                StatusCode = (SpanStatusCode)row.StatusCode, Attributes = AttributeJson.Read(row.Attributes), Resource = new TelemetryResource(AttributeJson.Read(row.Resource)),
            };
            if (query.Tags.All(t => t.Matches(span)))
            {
                seen.Add(key);
                keys.Add(key);
                if (keys.Count >= MaxCandidateTraces)
                {
                    return (keys, false);
                }
            }
        }

        return (keys, true);
    }

    /// <summary>A trace's summary exactly as the hot store computes it; a re-sent span (same id) counts once.</summary>
    private static TraceSummary Summarize(string tenantId, TraceId traceId, IEnumerable<LightSpan> rows)
    {
        ulong start = ulong.MaxValue, end = 0;
        LightSpan? root = null, earliest = null;
        var services = new SortedSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<ulong>();
        int count = 0, errors = 0;
        foreach (var r in rows.OrderBy(r => r.Id))
        {
            if (!ids.Add(SpanId.FromBytes(r.SpanId).Value))
            {
                continue;
            }

            count++;
            var s = (ulong)r.Start;
            var e = (ulong)r.End;
            start = Math.Min(start, s);
            end = Math.Max(end, Math.Max(s, e));
            errors += r.Status == (int)SpanStatusCode.Error ? 1 : 0;
            services.Add(r.Service);
            if (root is null && r.IsRoot)
            {
                root = r;
            }

            if (earliest is null || s < (ulong)earliest.Start)
            {
                earliest = r;
            }
        }

        var head = root ?? earliest!;
        var duration = TimeSpan.FromTicks((long)((end - Math.Min(start, end)) / 100));
        return new TraceSummary(traceId, tenantId, head.Service, head.Name, root is not null, UnixTime.FromNanos(start), duration, count, [.. services], errors);
    }

    private static bool TraceLevelMatch(TraceSummary t, TraceQuery query, DateTimeOffset from, DateTimeOffset to) =>
        t.Start >= from && t.Start < to
        && (query.MinDuration is not { } min || t.Duration >= min)
        && (query.MaxDuration is not { } max || t.Duration <= max)
        && query.Services.All(s => t.Services.Contains(s));

    /// <summary>How a key opens its entry in <see cref="AttributeJson"/>: <c>["key",</c>.</summary>
    private static string KeyJson(string key)
    {
        var json = AttributeJson.Write([new Domain.Telemetry.Attribute(key, AttributeValue.Of(""))]);
        return json[1..(json.Length - "\"s\",\"\"]]".Length)];
    }

    private static string EscapeLike(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '%' or '_' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private sealed record LightSpan(string TenantId, byte[] TraceId, byte[] SpanId, bool IsRoot, string Service, string Name, long Start, long End, int Status, long Id);
}
