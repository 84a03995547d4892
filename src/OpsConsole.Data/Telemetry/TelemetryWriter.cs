using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>
/// Writes accepted telemetry in one transaction per group commit: PostgreSQL by binary COPY, SQLite by prepared
/// statements in a single WAL transaction. Either everything of a call is stored or (it throws) nothing is.
/// A sample re-sent for the same series and timestamp is ignored, like Prometheus.
/// </summary>
public sealed class TelemetryWriter(IDbContextFactory<OpsDbContext> factory, ResolvedStorage storage) : IDurableTelemetryWriter
{
    // Series already stored, so their rows are not re-sent with every sample (added only after a commit).
    private readonly ConcurrentDictionary<(string Tenant, ulong Fingerprint), byte> _knownSeries = new();

    public async Task WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        if (batch.ItemCount == 0 && batch.Metadata.Count == 0)
        {
            return;
        }

        var newSeries = new Dictionary<(string, ulong), SeriesSample>();
        foreach (var s in batch.Samples)
        {
            var key = (s.TenantId, s.Labels.Fingerprint);
            if (!_knownSeries.ContainsKey(key))
            {
                newSeries.TryAdd(key, s);
            }
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (storage.Provider == StorageProvider.Postgres)
            {
                await WritePostgresAsync((NpgsqlConnection)connection, batch, newSeries.Values, cancellationToken);
            }
            else
            {
                await WriteSqliteAsync((SqliteConnection)connection, (SqliteTransaction)tx, batch, newSeries.Values, cancellationToken);
            }

            await WriteHealthChecksAsync(connection, tx, batch.HealthChecks, storage.Provider == StorageProvider.Postgres, cancellationToken);

            await tx.CommitAsync(cancellationToken);
        }

        foreach (var key in newSeries.Keys)
        {
            _knownSeries.TryAdd(key, 0);
        }
    }

    private static async Task WriteSqliteAsync(SqliteConnection c, SqliteTransaction tx, TelemetryBatch batch, IEnumerable<SeriesSample> newSeries, CancellationToken ct)
    {
        if (batch.Spans.Count > 0)
        {
            await using var cmd = Command(c, tx,
                "INSERT INTO telemetry_spans (TenantId, TraceId, SpanId, ParentSpanId, TraceState, Name, ServiceName, Kind, StartUnixNano, EndUnixNano, DurationNano, StatusCode, StatusMessage, Attributes, Events, Links, Resource, ScopeName, ScopeVersion) " +
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)", 19);
            foreach (var span in batch.Spans)
            {
                var r = TelemetryRows.ToRow(span);
                Bind(cmd, r.TenantId, r.TraceId, r.SpanId, r.ParentSpanId, r.TraceState, r.Name, r.ServiceName, r.Kind, r.StartUnixNano, r.EndUnixNano,
                    r.DurationNano, r.StatusCode, r.StatusMessage, r.Attributes, r.Events, r.Links, r.Resource, r.ScopeName, r.ScopeVersion);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }

        if (batch.Logs.Count > 0)
        {
            await using var cmd = Command(c, tx,
                "INSERT INTO telemetry_logs (TenantId, TimeUnixNano, ObservedUnixNano, SeverityNumber, SeverityText, Level, Body, BodyJson, Attributes, TraceId, SpanId, ServiceName, Resource, ScopeName, ScopeVersion) " +
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)", 15);
            foreach (var log in batch.Logs)
            {
                var r = TelemetryRows.ToRow(log);
                Bind(cmd, r.TenantId, r.TimeUnixNano, r.ObservedUnixNano, r.SeverityNumber, r.SeverityText, r.Level, r.Body, r.BodyJson, r.Attributes,
                    r.TraceId, r.SpanId, r.ServiceName, r.Resource, r.ScopeName, r.ScopeVersion);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }

        await using (var cmd = Command(c, tx, "INSERT OR IGNORE INTO metric_series (TenantId, Fingerprint, MetricName, Labels, FirstSeenMs) VALUES ($1,$2,$3,$4,$5)", 5))
        {
            foreach (var s in newSeries)
            {
                Bind(cmd, s.TenantId, unchecked((long)s.Labels.Fingerprint), s.Labels.Name ?? "", TelemetryRows.WriteLabels(s.Labels), s.TimestampMs);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }

        if (batch.Samples.Count > 0)
        {
            await using var cmd = Command(c, tx, "INSERT OR IGNORE INTO metric_samples (TenantId, Fingerprint, TimestampMs, Value, NaNKind) VALUES ($1,$2,$3,$4,$5)", 5);
            foreach (var s in batch.Samples)
            {
                var (value, nanKind) = SampleRow.Encode(s.Value);
                Bind(cmd, s.TenantId, unchecked((long)s.Labels.Fingerprint), s.TimestampMs, value, nanKind);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }

        if (batch.Metadata.Count > 0)
        {
            await using var cmd = Command(c, tx,
                "INSERT INTO metric_metadata (Name, Type, Help, Unit) VALUES ($1,$2,$3,$4) ON CONFLICT(Name) DO UPDATE SET Type = excluded.Type, Help = excluded.Help, Unit = excluded.Unit", 4);
            foreach (var m in batch.Metadata)
            {
                Bind(cmd, m.Name, (int)m.Type, m.Help, m.Unit);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
    }

    private static async Task WriteHealthChecksAsync(DbConnection c, DbTransaction tx, IReadOnlyList<HealthCheckResult> results, bool postgres, CancellationToken ct)
    {
        if (results.Count == 0)
        {
            return;
        }

        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = postgres
            ? "INSERT INTO health_check_results (\"TenantId\", \"Service\", \"Check\", \"Status\", \"Message\", \"DurationMs\", \"TimestampMs\") VALUES ($1,$2,$3,$4,$5,$6,$7)"
            : "INSERT INTO health_check_results (TenantId, Service, \"Check\", Status, Message, DurationMs, TimestampMs) VALUES ($1,$2,$3,$4,$5,$6,$7)";
        for (var i = 0; i < 7; i++)
        {
            var p = cmd.CreateParameter();
            if (!postgres)
            {
                p.ParameterName = "$" + (i + 1);
            }

            cmd.Parameters.Add(p);
        }

        foreach (var h in results)
        {
            Bind(cmd, h.TenantId, h.Service, h.Check, (int)h.Status, h.Message, h.DurationMs, h.TimestampMs);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction tx, string sql, int parameters)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            cmd.Parameters.Add(new SqliteParameter("$" + i, null));
        }

        cmd.Prepare();
        return cmd;
    }

    private static void Bind(DbCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static async Task WritePostgresAsync(NpgsqlConnection c, TelemetryBatch batch, IEnumerable<SeriesSample> newSeries, CancellationToken ct)
    {
        if (batch.Spans.Count > 0)
        {
            await using var copy = await c.BeginBinaryImportAsync(
                "COPY telemetry_spans (\"TenantId\", \"TraceId\", \"SpanId\", \"ParentSpanId\", \"TraceState\", \"Name\", \"ServiceName\", \"Kind\", \"StartUnixNano\", \"EndUnixNano\", \"DurationNano\", \"StatusCode\", \"StatusMessage\", \"Attributes\", \"Events\", \"Links\", \"Resource\", \"ScopeName\", \"ScopeVersion\") FROM STDIN (FORMAT BINARY)", ct);
            foreach (var span in batch.Spans)
            {
                var r = TelemetryRows.ToRow(span);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.TenantId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.TraceId, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(r.SpanId, NpgsqlDbType.Bytea, ct);
                await WriteNullableAsync(copy, r.ParentSpanId, NpgsqlDbType.Bytea, ct);
                await WriteNullableAsync(copy, r.TraceState, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Name, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.ServiceName, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(r.StartUnixNano, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.EndUnixNano, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.DurationNano, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.StatusCode, NpgsqlDbType.Integer, ct);
                await WriteNullableAsync(copy, r.StatusMessage, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Attributes, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Events, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Links, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Resource, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, r.ScopeName, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, r.ScopeVersion, NpgsqlDbType.Text, ct);
            }

            await copy.CompleteAsync(ct);
        }

        if (batch.Logs.Count > 0)
        {
            await using var copy = await c.BeginBinaryImportAsync(
                "COPY telemetry_logs (\"TenantId\", \"TimeUnixNano\", \"ObservedUnixNano\", \"SeverityNumber\", \"SeverityText\", \"Level\", \"Body\", \"BodyJson\", \"Attributes\", \"TraceId\", \"SpanId\", \"ServiceName\", \"Resource\", \"ScopeName\", \"ScopeVersion\") FROM STDIN (FORMAT BINARY)", ct);
            foreach (var log in batch.Logs)
            {
                var r = TelemetryRows.ToRow(log);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.TenantId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.TimeUnixNano, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.ObservedUnixNano, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.SeverityNumber, NpgsqlDbType.Integer, ct);
                await WriteNullableAsync(copy, r.SeverityText, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Level, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(r.Body, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.BodyJson, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Attributes, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, r.TraceId, NpgsqlDbType.Bytea, ct);
                await WriteNullableAsync(copy, r.SpanId, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(r.ServiceName, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Resource, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, r.ScopeName, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, r.ScopeVersion, NpgsqlDbType.Text, ct);
            }

            await copy.CompleteAsync(ct);
        }

        var series = newSeries.ToList();
        if (series.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO metric_series (\"TenantId\", \"Fingerprint\", \"MetricName\", \"Labels\", \"FirstSeenMs\") " +
                "SELECT * FROM unnest(@t, @f, @n, @l, @s) ON CONFLICT DO NOTHING", c);
            cmd.Parameters.AddWithValue("t", series.Select(s => s.TenantId).ToArray());
            cmd.Parameters.AddWithValue("f", series.Select(s => unchecked((long)s.Labels.Fingerprint)).ToArray());
            cmd.Parameters.AddWithValue("n", series.Select(s => s.Labels.Name ?? "").ToArray());
            cmd.Parameters.AddWithValue("l", series.Select(s => TelemetryRows.WriteLabels(s.Labels)).ToArray());
            cmd.Parameters.AddWithValue("s", series.Select(s => s.TimestampMs).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }

        if (batch.Samples.Count > 0)
        {
            // COPY cannot skip duplicates, so samples go through a temporary table and INSERT … ON CONFLICT.
            await using (var create = new NpgsqlCommand(
                "CREATE TEMP TABLE IF NOT EXISTS incoming_samples (\"TenantId\" text, \"Fingerprint\" bigint, \"TimestampMs\" bigint, \"Value\" double precision, \"NaNKind\" smallint) ON COMMIT DELETE ROWS", c))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            await using (var copy = await c.BeginBinaryImportAsync("COPY incoming_samples FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var s in batch.Samples)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(s.TenantId, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(unchecked((long)s.Labels.Fingerprint), NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(s.TimestampMs, NpgsqlDbType.Bigint, ct);
                    var (value, nanKind) = SampleRow.Encode(s.Value);
                    if (value is { } v)
                    {
                        await copy.WriteAsync(v, NpgsqlDbType.Double, ct);
                    }
                    else
                    {
                        await copy.WriteNullAsync(ct);
                    }

                    await copy.WriteAsync((short)nanKind, NpgsqlDbType.Smallint, ct);
                }

                await copy.CompleteAsync(ct);
            }

            await using var insert = new NpgsqlCommand("INSERT INTO metric_samples (\"TenantId\", \"Fingerprint\", \"TimestampMs\", \"Value\", \"NaNKind\") SELECT \"TenantId\", \"Fingerprint\", \"TimestampMs\", \"Value\", \"NaNKind\" FROM incoming_samples ON CONFLICT DO NOTHING", c);
            await insert.ExecuteNonQueryAsync(ct);
        }

        foreach (var m in batch.Metadata.DistinctBy(m => m.Name))
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO metric_metadata (\"Name\", \"Type\", \"Help\", \"Unit\") VALUES (@n, @t, @h, @u) " +
                "ON CONFLICT (\"Name\") DO UPDATE SET \"Type\" = excluded.\"Type\", \"Help\" = excluded.\"Help\", \"Unit\" = excluded.\"Unit\"", c);
            cmd.Parameters.AddWithValue("n", m.Name);
            cmd.Parameters.AddWithValue("t", (int)m.Type);
            cmd.Parameters.AddWithValue("h", (object?)m.Help ?? DBNull.Value);
            cmd.Parameters.AddWithValue("u", (object?)m.Unit ?? DBNull.Value);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : class =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);
}
