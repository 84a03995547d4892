using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Telemetry;

/// <summary>A search of stored log lines in [From, To), newest first.</summary>
public sealed record LogHistoryQuery
{
    public required LogMatch Match { get; init; }

    /// <summary>Only this tenant's lines; null for all tenants.</summary>
    public string? TenantId { get; init; }

    public required ulong FromUnixNano { get; init; }

    public required ulong ToUnixNano { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary>Only lines older than this (time, row id); the total still counts the whole range.</summary>
    public LogRecordId? Before { get; init; }

    /// <summary>At most this many candidate lines are checked; past it the total is a lower bound.</summary>
    public int ScanBudget { get; init; } = 200_000;
}

/// <summary>A stored line with its row id (the <see cref="LogRecordId.Sequence"/> of stored lines).</summary>
public sealed record StoredLogRecord(long RowId, LogRecord Record)
{
    public LogRecordId Id => new(Record.TimeUnixNano, RowId);
}

/// <summary>
/// One page of stored lines, the number of matches in the range, and whether the count stopped at the scan budget
/// (then it is a lower bound).
/// </summary>
public sealed record LogHistoryPage(IReadOnlyList<StoredLogRecord> Items, long TotalCount, bool CountIsLowerBound);

/// <summary>
/// Searches stored log lines with the same query semantics as the hot store: the database's own full-text index
/// (PostgreSQL <c>tsvector</c> + GIN, SQLite FTS5) over the very terms the hot store indexes narrows the lines to
/// candidates, and every candidate is then checked against the query itself — so the index only ever has to find a
/// superset, and the answer is exactly the hot store's. Lines the background indexer has not reached yet (above its
/// watermark) are candidates by time alone. Top-level <c>level:</c>, <c>service:</c> and <c>tenant:</c> conditions are
/// pushed down to their columns.
/// </summary>
public sealed class LogHistorySearch(IDbContextFactory<OpsDbContext> factory)
{
    private const int RowBatch = 500;

    public async Task<LogHistoryPage> SearchAsync(LogHistoryQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pushed = Pushdown.From(query.Match, query.TenantId);
        if (await ColumnsOnlyAsync(query, pushed, ct) is { } direct)
        {
            return direct;
        }

        var items = new List<StoredLogRecord>();
        var limit = Math.Max(1, query.Limit);
        var (total, truncated) = await ScanAsync(query, pushed, record =>
        {
            if (items.Count < limit && (query.Before is not { } before || record.Id < before))
            {
                items.Add(record);
            }
        }, ct);
        return new LogHistoryPage(items, total, truncated);
    }

    /// <summary>
    /// A stored line (by row id, in the tenant when given) with up to <paramref name="before"/> older and
    /// <paramref name="after"/> newer lines of the same service and tenant, oldest first; null when there is no such line.
    /// </summary>
    public async Task<(StoredLogRecord Anchor, IReadOnlyList<StoredLogRecord> Before, IReadOnlyList<StoredLogRecord> After)?> ContextAsync(
        long rowId, string? tenantId, int before, int after, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var anchor = await db.Logs.AsNoTracking().Where(l => l.Id == rowId && (tenantId == null || l.TenantId == tenantId)).FirstOrDefaultAsync(ct);
        if (anchor is null)
        {
            return null;
        }

        var same = db.Logs.AsNoTracking().Where(l => l.TenantId == anchor.TenantId && l.ServiceName == anchor.ServiceName);
        var older = await same.Where(l => l.TimeUnixNano < anchor.TimeUnixNano || (l.TimeUnixNano == anchor.TimeUnixNano && l.Id < anchor.Id))
            .OrderByDescending(l => l.TimeUnixNano).ThenByDescending(l => l.Id).Take(before).ToListAsync(ct);
        var newer = await same.Where(l => l.TimeUnixNano > anchor.TimeUnixNano || (l.TimeUnixNano == anchor.TimeUnixNano && l.Id > anchor.Id))
            .OrderBy(l => l.TimeUnixNano).ThenBy(l => l.Id).Take(after).ToListAsync(ct);
        static StoredLogRecord Stored(LogRow r) => new(r.Id, TelemetryRows.FromRow(r));
        return (Stored(anchor), [.. older.AsEnumerable().Reverse().Select(Stored)], [.. newer.Select(Stored)]);
    }

    /// <summary>Counts of matching lines per bucket of <paramref name="bucket"/> from the query's start, by level.</summary>
    public async Task<(IReadOnlyList<LogHistogramBucket> Buckets, bool CountIsLowerBound)> HistogramAsync(LogHistoryQuery query, TimeSpan bucket, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var bucketNanos = (ulong)bucket.Ticks * 100UL;
        var count = (int)Math.Max(1, (query.ToUnixNano - query.FromUnixNano + bucketNanos - 1) / bucketNanos);
        var counts = new int[count, 7];
        var truncated = false;
        var pushed = Pushdown.From(query.Match, query.TenantId);
        if (pushed.Covers)
        {
            // The columns answer the whole query: SQL counts per bucket and level, exactly.
            if (!pushed.Impossible && query.FromUnixNano < query.ToUnixNano)
            {
                long from = (long)query.FromUnixNano, width = (long)bucketNanos;
                await using var db = await factory.CreateDbContextAsync(ct);
                var grouped = await Filter(db.Logs.AsNoTracking(), query, pushed)
                    .GroupBy(l => new { Bucket = (l.TimeUnixNano - from) / width, l.Level })
                    .Select(g => new { g.Key.Bucket, g.Key.Level, Count = g.Count() })
                    .ToListAsync(ct);
                foreach (var g in grouped)
                {
                    counts[(int)g.Bucket, 0] += g.Count;
                    counts[(int)g.Bucket, LevelColumn(g.Level)] += g.Count;
                }
            }
        }
        else
        {
            (_, truncated) = await ScanAsync(query, pushed, record =>
            {
                var i = (int)((record.Record.TimeUnixNano - query.FromUnixNano) / bucketNanos);
                counts[i, 0]++;
                counts[i, LevelColumn(record.Record.Level)]++;
            }, ct);
        }
        var start = UnixTime.FromNanos(query.FromUnixNano);
        var buckets = new LogHistogramBucket[count];
        for (var i = 0; i < count; i++)
        {
            buckets[i] = new LogHistogramBucket(start + (bucket * i), counts[i, 0], counts[i, 1], counts[i, 2], counts[i, 3], counts[i, 4], counts[i, 5], counts[i, 6]);
        }

        return (buckets, truncated);
    }

    private static int LevelColumn(string level) => level switch
    {
        "trace" => 1,
        "debug" => 2,
        "info" => 3,
        "warn" => 4,
        "error" => 5,
        _ => 6,
    };

    /// <summary>The range and the pushed-down column conditions.</summary>
    private static IQueryable<LogRow> Filter(IQueryable<LogRow> rows, LogHistoryQuery query, Pushdown pushed)
    {
        long from = (long)query.FromUnixNano, to = (long)query.ToUnixNano;
        rows = rows.Where(l => l.TimeUnixNano >= from && l.TimeUnixNano < to);
        if (pushed.Tenant is { } tenant)
        {
            rows = rows.Where(l => l.TenantId == tenant);
        }

        if (pushed.Service is { } service)
        {
            rows = rows.Where(l => l.ServiceName == service);
        }

        if (pushed.Level is { } level)
        {
            rows = rows.Where(l => l.Level == level);
        }

        return rows;
    }

    /// <summary>
    /// A query the columns answer whole (no text, only level/service/tenant equality, or nothing): the page and the
    /// exact count come straight from SQL, with no candidate checking and no scan budget.
    /// </summary>
    private async Task<LogHistoryPage?> ColumnsOnlyAsync(LogHistoryQuery query, Pushdown pushed, CancellationToken ct)
    {
        if (!pushed.Covers || query.FromUnixNano >= query.ToUnixNano)
        {
            return null;
        }

        if (pushed.Impossible)
        {
            return new LogHistoryPage([], 0, false);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = Filter(db.Logs.AsNoTracking(), query, pushed);
        var total = await rows.LongCountAsync(ct);
        if (query.Before is { } b)
        {
            long time = (long)b.TimeUnixNano, id = b.Sequence;
            rows = rows.Where(l => l.TimeUnixNano < time || (l.TimeUnixNano == time && l.Id < id));
        }

        var page = await rows.OrderByDescending(l => l.TimeUnixNano).ThenByDescending(l => l.Id).Take(Math.Max(1, query.Limit)).ToListAsync(ct);
        return new LogHistoryPage([.. page.Select(r => new StoredLogRecord(r.Id, TelemetryRows.FromRow(r)))], total, false);
    }

    /// <summary>Walks every matching line of the range, newest first; returns how many and whether the budget cut it short.</summary>
    private async Task<(long Total, bool Truncated)> ScanAsync(LogHistoryQuery query, Pushdown pushed, Action<StoredLogRecord> onMatch, CancellationToken ct)
    {
        long from = (long)query.FromUnixNano, to = (long)query.ToUnixNano;
        if (from >= to)
        {
            return (0, false);
        }

        if (pushed.Impossible)
        {
            return (0, false);
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        var postgres = db.Database.IsNpgsql();
        var watermark = await LogSearchIndexer.WatermarkAsync(db, ct);
        var condition = FullText.From(query.Match);

        // Candidates as (time, id): the full-text hits among indexed rows, and every unindexed row, in the range.
        var candidates = new List<(long Time, long Id)>();
        var budget = query.ScanBudget + 1;
        async Task Add(IQueryable<LogRow> rows)
        {
            var found = await Filter(rows, query, pushed).OrderByDescending(l => l.TimeUnixNano).ThenByDescending(l => l.Id)
                .Select(l => new { l.TimeUnixNano, l.Id }).Take(budget).ToListAsync(ct);
            candidates.AddRange(found.Select(f => (f.TimeUnixNano, f.Id)));
        }

        if (condition is null)
        {
            await Add(db.Logs.AsNoTracking());
        }
        else
        {
            var hits = postgres
                ? db.Logs.FromSqlRaw(
                    "SELECT l.* FROM telemetry_logs l WHERE l.\"Id\" IN (SELECT log_id FROM log_search_terms WHERE tsv @@ {0}::tsquery)",
                    condition.ToTsQuery())
                : db.Logs.FromSqlRaw(
                    "SELECT l.* FROM telemetry_logs l WHERE l.Id IN (SELECT rowid FROM log_search_fts WHERE log_search_fts MATCH {0})",
                    condition.ToFts5());
            await Add(hits.AsNoTracking());
            await Add(db.Logs.AsNoTracking().Where(l => l.Id > watermark));
        }

        candidates.Sort(static (a, b) => a.Time != b.Time ? b.Time.CompareTo(a.Time) : b.Id.CompareTo(a.Id));
        var truncated = candidates.Count > query.ScanBudget;
        long total = 0;
        long? previous = null;
        for (var offset = 0; offset < Math.Min(candidates.Count, query.ScanBudget); offset += RowBatch)
        {
            var ids = candidates.Skip(offset).Take(Math.Min(RowBatch, query.ScanBudget - offset)).Select(c => c.Id).ToList();
            var rows = await db.Logs.AsNoTracking().Where(l => ids.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
            foreach (var id in ids)
            {
                ct.ThrowIfCancellationRequested();
                if (id == previous || !rows.TryGetValue(id, out var row))
                {
                    continue; // the same row as a hit and unindexed (indexed meanwhile), or deleted by retention meanwhile
                }

                previous = id;
                var record = TelemetryRows.FromRow(row);
                if (query.Match.Matches(record))
                {
                    total++;
                    onMatch(new StoredLogRecord(row.Id, record));
                }
            }
        }

        return (total, truncated);
    }

    /// <summary>
    /// Top-level equality conditions on columns: tenant (also from the caller's scope), service, level; whether they
    /// (with match-all parts) are the whole query; whether they contradict each other.
    /// </summary>
    private sealed record Pushdown(string? Tenant, string? Service, string? Level, bool Impossible, bool Covers)
    {
        public static Pushdown From(LogMatch match, string? scopeTenant)
        {
            var conditions = match is AndMatch and ? and.Children : [match];
            string? tenant = scopeTenant, service = null, level = null;
            var impossible = false;
            var covers = true;
            foreach (var c in conditions)
            {
                if (c is AllMatch)
                {
                    continue;
                }

                if (c is not FieldMatch { Field.Kind: LogFieldKind.Tenant or LogFieldKind.Service or LogFieldKind.Level } f)
                {
                    covers = false;
                    continue;
                }

                switch (f.Field.Kind)
                {
                    case LogFieldKind.Tenant:
                        impossible |= tenant is not null && tenant != f.Value;
                        tenant = f.Value;
                        break;
                    case LogFieldKind.Service:
                        impossible |= service is not null && service != f.Value;
                        service = f.Value;
                        break;
                    default:
                        impossible |= level is not null && level != f.Value;
                        level = f.Value;
                        break;
                }
            }

            return new Pushdown(tenant, service, level, impossible, covers);
        }
    }

    /// <summary>
    /// What a line must contain for the query to match it, as a full-text condition: terms, phrases (all their
    /// tokens), prefixes, and AND/OR of those. Null when the query puts no condition on the text (fields only, NOT, …);
    /// parts that cannot be expressed are left out of an AND (a weaker condition finds a superset, which is checked).
    /// </summary>
    internal abstract record FullText
    {
        public static FullText? From(LogMatch match) => match switch
        {
            TermMatch t => new Term(t.Token, Prefix: false),
            TermPrefixMatch p => new Term(p.Prefix, Prefix: true),
            PhraseMatch ph => ph.Tokens.Count == 0 ? null : All([.. ph.Tokens.Select(t => (FullText)new Term(t, Prefix: false))]),
            AndMatch and => All([.. and.Children.Select(From).OfType<FullText>()]),
            OrMatch or => or.Children.Select(From).ToList() is var parts && parts.All(p => p is not null) && parts.Count > 0
                ? new Any([.. parts.Cast<FullText>()]) : null,
            _ => null,
        };

        private static FullText? All(IReadOnlyList<FullText> parts) => parts.Count switch
        {
            0 => null,
            1 => parts[0],
            _ => new Every(parts),
        };

        /// <summary>PostgreSQL tsquery text over the lexemes as stored (no dictionary: the terms are ours).</summary>
        public abstract string ToTsQuery();

        /// <summary>An FTS5 query; each term is a quoted string, tokenized by FTS5 as the stored terms were.</summary>
        public abstract string ToFts5();

        private sealed record Term(string Text, bool Prefix) : FullText
        {
            public override string ToTsQuery() => "'" + Text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'" + (Prefix ? ":*" : "");

            public override string ToFts5() => "\"" + Text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" + (Prefix ? " *" : "");
        }

        private sealed record Every(IReadOnlyList<FullText> Parts) : FullText
        {
            public override string ToTsQuery() => "(" + string.Join(" & ", Parts.Select(p => p.ToTsQuery())) + ")";

            public override string ToFts5() => "(" + string.Join(" AND ", Parts.Select(p => p.ToFts5())) + ")";
        }

        private sealed record Any(IReadOnlyList<FullText> Parts) : FullText
        {
            public override string ToTsQuery() => "(" + string.Join(" | ", Parts.Select(p => p.ToTsQuery())) + ")";

            public override string ToFts5() => "(" + string.Join(" OR ", Parts.Select(p => p.ToFts5())) + ")";
        }
    }
}

/// <summary>
/// Fills the full-text index of stored log lines in the background, in row order, from a watermark: lines are indexed
/// once they are older than the lag (so the intake's commit never waits on an index), a batch at a time. Lines that
/// arrive late with old timestamps get new row ids and are indexed when the watermark reaches them.
/// </summary>
public sealed class LogSearchIndexer(IDbContextFactory<OpsDbContext> factory, TimeProvider time)
{
    /// <summary>The highest row id indexed (every row at or below it is in the index).</summary>
    public static async Task<long> WatermarkAsync(OpsDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Database.SqlQueryRaw<long>("SELECT watermark AS \"Value\" FROM log_search_state WHERE id = 1").ToListAsync(ct);
        return rows.Count == 0 ? 0 : rows[0];
    }

    /// <summary>Indexes up to <paramref name="batch"/> lines older than <paramref name="lag"/>; returns how many.</summary>
    public async Task<int> IndexPendingAsync(TimeSpan lag, int batch, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var watermark = await WatermarkAsync(db, ct);
        var cutoff = (long)UnixTime.ToNanos(time.GetUtcNow() - lag);
        var rows = await db.Logs.AsNoTracking().Where(l => l.Id > watermark).OrderBy(l => l.Id).Take(batch)
            .Select(l => new { l.Id, l.TimeUnixNano, l.BodyJson }).ToListAsync(ct);

        // Stop at the first line still inside the lag: the watermark only moves over a contiguous run of rows.
        var ready = rows.TakeWhile(r => r.TimeUnixNano < cutoff).ToList();
        if (ready.Count == 0)
        {
            return 0;
        }

        var ids = ready.Select(r => r.Id).ToArray();
        var terms = ready.Select(r => Terms(r.BodyJson)).ToArray();
        var newWatermark = ids[^1];
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO log_search_terms (log_id, tsv) SELECT id, array_to_tsvector(string_to_array(t, ' ')) FROM unnest(@ids, @terms) AS x(id, t) ON CONFLICT (log_id) DO NOTHING",
                [new NpgsqlParameter("ids", ids), new NpgsqlParameter("terms", terms)], ct);
        }
        else
        {
            var connection = db.Database.GetDbConnection();
            await using var command = connection.CreateCommand();
            command.Transaction = tx.GetDbTransaction();
            command.CommandText = "INSERT OR REPLACE INTO log_search_fts (rowid, terms) VALUES ($id, $terms)";
            var id = command.CreateParameter();
            id.ParameterName = "$id";
            var text = command.CreateParameter();
            text.ParameterName = "$terms";
            command.Parameters.Add(id);
            command.Parameters.Add(text);
            for (var i = 0; i < ids.Length; i++)
            {
                id.Value = ids[i];
                text.Value = terms[i];
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO log_search_state (id, watermark, indexed_at_ms) VALUES (1, {0}, {1}) ON CONFLICT (id) DO UPDATE SET watermark = excluded.watermark, indexed_at_ms = excluded.indexed_at_ms",
            [newWatermark, now], ct);
        await tx.CommitAsync(ct);
        return ready.Count;
    }

    /// <summary>The hot store's index terms of a stored body, space-separated (terms never contain spaces).</summary>
    internal static string Terms(string bodyJson)
    {
        if (LogText.BodyText(AttributeJson.ReadValue(bodyJson)) is not { } text)
        {
            return "";
        }

        var sb = new StringBuilder();
        foreach (var term in LogTokenizer.IndexTerms(text).Distinct(StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(term);
        }

        return sb.ToString();
    }
}
