using Microsoft.EntityFrameworkCore;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>
/// Reads durable telemetry: what the hot stores no longer hold, and what a restarted console reloads.
/// A null tenant means all tenants; a tenant always restricts the query itself.
/// </summary>
public sealed partial class TelemetryReader(IDbContextFactory<OpsDbContext> factory)
{
    public async Task<IReadOnlyList<Span>> GetTraceAsync(string? tenantId, TraceId traceId, CancellationToken ct = default)
    {
        var id = traceId.ToBytes();
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Spans.AsNoTracking()
            .Where(s => s.TraceId == id && (tenantId == null || s.TenantId == tenantId))
            .OrderBy(s => s.StartUnixNano).ThenBy(s => s.Id)
            .ToListAsync(ct);
        return [.. rows.Select(TelemetryRows.FromRow)];
    }

    /// <summary>Spans that started in [from, to), oldest first (for reloading the hot window).</summary>
    public async Task<IReadOnlyList<Span>> GetSpansAsync(string? tenantId, ulong fromUnixNano, ulong toUnixNano, int limit, CancellationToken ct = default)
    {
        long from = (long)fromUnixNano, to = (long)toUnixNano;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Spans.AsNoTracking()
            .Where(s => s.StartUnixNano >= from && s.StartUnixNano < to && (tenantId == null || s.TenantId == tenantId))
            .OrderBy(s => s.StartUnixNano).ThenBy(s => s.Id).Take(limit)
            .ToListAsync(ct);
        return [.. rows.Select(TelemetryRows.FromRow)];
    }

    /// <summary>Log records in [from, to), newest first.</summary>
    public async Task<IReadOnlyList<LogRecord>> GetLogsAsync(string? tenantId, ulong fromUnixNano, ulong toUnixNano, int limit, CancellationToken ct = default)
    {
        long from = (long)fromUnixNano, to = (long)toUnixNano;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Logs.AsNoTracking()
            .Where(l => l.TimeUnixNano >= from && l.TimeUnixNano < to && (tenantId == null || l.TenantId == tenantId))
            .OrderByDescending(l => l.TimeUnixNano).ThenByDescending(l => l.Id).Take(limit)
            .ToListAsync(ct);
        return [.. rows.Select(TelemetryRows.FromRow)];
    }

    /// <summary>The series of one metric, with their labels.</summary>
    public async Task<IReadOnlyList<(string TenantId, LabelSet Labels)>> GetSeriesAsync(string? tenantId, string metricName, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Series.AsNoTracking()
            .Where(s => s.MetricName == metricName && (tenantId == null || s.TenantId == tenantId))
            .ToListAsync(ct);
        return [.. rows.Select(r => (r.TenantId, TelemetryRows.ReadLabels(r.Labels)))];
    }

    /// <summary>Samples of one series in [from, to] (milliseconds), in time order.</summary>
    public async Task<IReadOnlyList<Sample>> GetSamplesAsync(string tenantId, LabelSet labels, long fromMs, long toMs, CancellationToken ct = default)
    {
        var fingerprint = unchecked((long)labels.Fingerprint);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Samples.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.Fingerprint == fingerprint && s.TimestampMs >= fromMs && s.TimestampMs <= toMs)
            .OrderBy(s => s.TimestampMs)
            .Select(s => new { s.TimestampMs, s.Value, s.NaNKind })
            .ToListAsync(ct);
        return [.. rows.Select(r => new Sample(r.TimestampMs, Entities.SampleRow.Decode(r.Value, r.NaNKind)))];
    }

    /// <summary>
    /// The stored series of <paramref name="tenantId"/> (all tenants when null) whose labels satisfy every matcher,
    /// whatever their samples' times. A <c>__name__="x"</c> matcher narrows the read to that metric's series.
    /// </summary>
    public async Task<IReadOnlyList<StoredSeries>> FindSeriesAsync(string? tenantId, IReadOnlyList<LabelMatcher> matchers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var name = matchers.FirstOrDefault(m => m.Name == LabelSet.MetricName && m.Type == LabelMatchType.Equal)?.Value;
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.Series.AsNoTracking().Where(s => tenantId == null || s.TenantId == tenantId);
        if (name is not null)
        {
            query = query.Where(s => s.MetricName == name);
        }

        var result = new List<StoredSeries>();
        await foreach (var row in query.Select(s => new { s.TenantId, s.Fingerprint, s.Labels }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var labels = TelemetryRows.ReadLabels(row.Labels);
            if (matchers.All(m => m.Matches(labels)))
            {
                result.Add(new StoredSeries(row.TenantId, row.Fingerprint, labels));
            }
        }

        return result;
    }

    /// <summary>
    /// The samples of <paramref name="series"/> in [from, to] (milliseconds), oldest first, NaNs and stale markers as
    /// stored; series without samples in range are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<StoredSeries, Sample[]>> GetSamplesAsync(IReadOnlyList<StoredSeries> series, long fromMs, long toMs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        const int FingerprintsPerQuery = 500;
        var result = new Dictionary<StoredSeries, Sample[]>();
        if (fromMs > toMs || series.Count == 0)
        {
            return result;
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        foreach (var tenant in series.GroupBy(s => s.TenantId, StringComparer.Ordinal))
        {
            var byFingerprint = tenant.ToDictionary(s => s.Fingerprint);
            foreach (var batch in byFingerprint.Keys.Chunk(FingerprintsPerQuery))
            {
                var tenantId = tenant.Key;
                var rows = await db.Samples.AsNoTracking()
                    .Where(s => s.TenantId == tenantId && batch.Contains(s.Fingerprint) && s.TimestampMs >= fromMs && s.TimestampMs <= toMs)
                    .OrderBy(s => s.Fingerprint).ThenBy(s => s.TimestampMs)
                    .Select(s => new { s.Fingerprint, s.TimestampMs, s.Value, s.NaNKind })
                    .ToListAsync(ct);
                var start = 0;
                for (var i = 1; i <= rows.Count; i++)
                {
                    if (i < rows.Count && rows[i].Fingerprint == rows[start].Fingerprint)
                    {
                        continue;
                    }

                    var samples = new Sample[i - start];
                    for (var j = start; j < i; j++)
                    {
                        samples[j - start] = new Sample(rows[j].TimestampMs, Entities.SampleRow.Decode(rows[j].Value, rows[j].NaNKind));
                    }

                    result[byFingerprint[rows[start].Fingerprint]] = samples;
                    start = i;
                }
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<MetricMetadata>> GetMetadataAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.MetricMetadata.AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct);
        return [.. rows.Select(m => new MetricMetadata(m.Name, (MetricType)m.Type, m.Help, m.Unit))];
    }

    /// <summary>Health-check results in [from, to] (milliseconds), newest first; optionally for one service.</summary>
    public async Task<IReadOnlyList<HealthCheckResult>> GetHealthChecksAsync(string? tenantId, string? service, long fromMs, long toMs, int limit, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.HealthChecks.AsNoTracking()
            .Where(h => h.TimestampMs >= fromMs && h.TimestampMs <= toMs
                && (tenantId == null || h.TenantId == tenantId) && (service == null || h.Service == service))
            .OrderByDescending(h => h.TimestampMs).ThenByDescending(h => h.Id).Take(limit)
            .ToListAsync(ct);
        return [.. rows.Select(h => new HealthCheckResult(h.TenantId, h.Service, h.Check, (HealthStatus)h.Status, h.Message, h.DurationMs, h.TimestampMs))];
    }

    /// <summary>
    /// The newest samples in [from, to] (milliseconds), at most <paramref name="limit"/>, with their series' labels,
    /// returned oldest first (so a reload that hits the limit keeps the most recent part of the window).
    /// </summary>
    public async Task<IReadOnlyList<SeriesSample>> GetAllSamplesAsync(long fromMs, long toMs, int limit, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Samples.AsNoTracking()
            .Where(s => s.TimestampMs >= fromMs && s.TimestampMs <= toMs)
            .OrderByDescending(s => s.TimestampMs).Take(limit)
            .ToListAsync(ct);
        rows.Reverse();
        var keys = rows.Select(r => r.Fingerprint).Distinct().ToList();
        var series = await db.Series.AsNoTracking().Where(s => keys.Contains(s.Fingerprint)).ToListAsync(ct);
        var labels = series.ToDictionary(s => (s.TenantId, s.Fingerprint), s => TelemetryRows.ReadLabels(s.Labels));
        var result = new List<SeriesSample>(rows.Count);
        foreach (var r in rows)
        {
            if (labels.TryGetValue((r.TenantId, r.Fingerprint), out var l))
            {
                result.Add(new SeriesSample(r.TenantId, l, r.TimestampMs, Entities.SampleRow.Decode(r.Value, r.NaNKind)));
            }
        }

        return result;
    }
}

/// <summary>A series as stored in the database: its tenant, its labels' fingerprint (the key of its samples) and labels.</summary>
public sealed record StoredSeries(string TenantId, long Fingerprint, LabelSet Labels);
