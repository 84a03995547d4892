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

    /// <summary>All samples in [from, to] (milliseconds) with their series' labels, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<SeriesSample>> GetAllSamplesAsync(long fromMs, long toMs, int limit, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Samples.AsNoTracking()
            .Where(s => s.TimestampMs >= fromMs && s.TimestampMs <= toMs)
            .OrderBy(s => s.TimestampMs).Take(limit)
            .ToListAsync(ct);
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
