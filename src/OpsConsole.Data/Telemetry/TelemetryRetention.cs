using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Data.Telemetry;

/// <summary>Deletes durable telemetry older than its retention (the hot stores apply the same ages in memory).</summary>
public sealed class TelemetryRetention(IDbContextFactory<OpsDbContext> factory)
{
    public sealed record Pruned(int Spans, int Logs, int Samples, int HealthChecks);

    public async Task<Pruned> PruneAsync(DateTimeOffset now, TimeSpan traces, TimeSpan logs, TimeSpan metrics, CancellationToken ct = default)
    {
        var spanCutoff = (now - traces).ToUnixTimeMilliseconds() * 1_000_000;
        var logCutoff = (now - logs).ToUnixTimeMilliseconds() * 1_000_000;
        var sampleCutoff = (now - metrics).ToUnixTimeMilliseconds();
        await using var db = await factory.CreateDbContextAsync(ct);
        var spans = await db.Spans.Where(s => s.StartUnixNano < spanCutoff).ExecuteDeleteAsync(ct);
        var logRows = await db.Logs.Where(l => l.TimeUnixNano < logCutoff).ExecuteDeleteAsync(ct);
        var samples = await db.Samples.Where(s => s.TimestampMs < sampleCutoff).ExecuteDeleteAsync(ct);
        var health = await db.HealthChecks.Where(h => h.TimestampMs < sampleCutoff).ExecuteDeleteAsync(ct);
        return new Pruned(spans, logRows, samples, health);
    }
}
