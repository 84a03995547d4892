using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using OpsConsole.Core.Query.Logs;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using static OpsConsole.Benchmarks.BenchTools;
using Attribute = OpsConsole.Domain.Telemetry.Attribute;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The explorers' queries with 10 million log lines and 5 million spans held (issue 7, point 10), next to the same log
/// searches as PostgreSQL full-text queries on the same lines:
/// <c>dotnet run -c Release --project tests/Benchmarks -- explorers [--lines 10000000] [--spans 5000000] [--runs 30]
/// [--warmup 10] [--pg "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres"]</c>; each query (both systems) runs for
/// the warm-up seconds before its measured runs, and the rare and filtered searches change their term or service on
/// every run.
/// The lines cover 24 hours (six services, five tenants, about 5% "timeout" lines, one line per order id); PostgreSQL
/// gets them by binary COPY into an unlogged table with a GIN index on <c>to_tsvector('simple', body)</c> and btree
/// indexes on time and level, queried with <c>work_mem</c> 64 MB. Prints p50/p95 per query and the ratios; never run
/// by the test suite. Without <c>--pg</c> only OpsConsole is measured.
/// </summary>
public static class ExplorerBenchmark
{
    private static readonly string[] Services = ["api-gateway", "agent-api", "rag-service", "upload-pipeline", "ml-engine", "notification-service"];
    private static readonly string[] Tenants = ["acme", "globex", "initech", "umbrella", "hooli"];
    private static readonly string[] Routes = ["/v1/chat", "/v1/documents", "/v1/search", "/v1/recommendations", "/health"];
    private static readonly string[] Dependencies = ["postgres", "redis", "vector-store", "llm"];
    private static readonly DateTimeOffset End = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var lines = Option(args, "--lines", 10_000_000);
        var spanCount = Option(args, "--spans", 5_000_000);
        var runs = Option(args, "--runs", 30);
        var warmUp = TimeSpan.FromSeconds(Option(args, "--warmup", 10));
        var pg = OptionText(args, "--pg");
        var start = End - TimeSpan.FromHours(24);
        var startNs = (ulong)start.ToUnixTimeMilliseconds() * 1_000_000UL;
        var stepNs = (ulong)(TimeSpan.FromHours(24).Ticks * 100 / lines);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {lines:N0} lines, {spanCount:N0} spans, {runs} runs per query");

        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(End);
        var limits = new StoreLimits(TimeSpan.FromDays(2), long.MaxValue);
        var logs = new LogStore(limits, clock);
        var resources = Services.Select(s => new TelemetryResource([new Attribute("service.name", AttributeValue.Of(s))])).ToArray();
        var load = Stopwatch.StartNew();
        var batch = new List<LogRecord>(1000);
        for (var i = 0; i < lines; i++)
        {
            var (service, tenant, level, body, route, ms) = Line(i);
            batch.Add(new LogRecord
            {
                TenantId = Tenants[tenant],
                TimeUnixNano = startNs + ((ulong)i * stepNs),
                SeverityText = level,
                Body = AttributeValue.Of(body),
                Attributes = [new Attribute("http.route", AttributeValue.Of(Routes[route])), new Attribute("duration_ms", AttributeValue.Of((long)ms))],
                Resource = resources[service],
            });
            if (batch.Count == 1000)
            {
                logs.Add(batch);
                batch.Clear();
            }
        }

        logs.Add(batch);
        Console.WriteLine($"log store: {lines:N0} lines in {load.Elapsed.TotalSeconds:F0} s; managed heap {GC.GetTotalMemory(true) / (1 << 20):N0} MB");

        load.Restart();
        var spans = new SpanStore(limits, clock);
        var spanBatch = new List<Span>(1000);
        var traces = spanCount / 5;
        var traceStepNs = (ulong)(TimeSpan.FromHours(24).Ticks * 100 / Math.Max(1, traces));
        for (var t = 0; t < traces; t++)
        {
            var trace = new TraceId(0x0123456789abcdef, (ulong)t + 1);
            var begin = startNs + ((ulong)t * traceStepNs);
            for (var d = 0; d < 5; d++)
            {
                spanBatch.Add(new Span
                {
                    TenantId = Tenants[t % Tenants.Length],
                    TraceId = trace,
                    SpanId = new SpanId(((ulong)t << 4) + (ulong)d + 1),
                    ParentSpanId = d == 0 ? default : new SpanId(((ulong)t << 4) + (ulong)d),
                    Name = d == 0 ? "POST " + Routes[t % Routes.Length] : "call " + Dependencies[d % Dependencies.Length],
                    Kind = d == 0 ? SpanKind.Server : SpanKind.Client,
                    StartTimeUnixNano = begin + ((ulong)d * 1_000_000),
                    EndTimeUnixNano = begin + ((ulong)(10 - d) * 5_000_000),
                    StatusCode = t % 50 == 0 && d == 2 ? SpanStatusCode.Error : SpanStatusCode.Unset,
                    Attributes =
                    [
                        new Attribute("tenant.id", AttributeValue.Of(Tenants[t % Tenants.Length])),
                        new Attribute("user.id", AttributeValue.Of("user-" + (t % 100_003).ToString(CultureInfo.InvariantCulture))),
                        new Attribute("http.route", AttributeValue.Of(Routes[t % Routes.Length])),
                    ],
                    Resource = resources[d % resources.Length],
                });
            }

            if (spanBatch.Count >= 1000)
            {
                spans.Add(spanBatch);
                spanBatch.Clear();
            }
        }

        spans.Add(spanBatch);
        Console.WriteLine($"span store: {traces * 5:N0} spans in {load.Elapsed.TotalSeconds:F0} s; managed heap {GC.GetTotalMemory(true) / (1 << 20):N0} MB");

        // Order ids from the second half of the day, each in exactly one line; each run searches the next one, and the
        // filtered search the next service, so neither side replays one query from warm caches.
        var rare = Enumerable.Range(lines / 2, lines / 2)
            .Where(i => Line(i).Body.StartsWith("processed order", StringComparison.Ordinal))
            .Take(1000)
            .Select(i => "o" + i.ToString(CultureInfo.InvariantCulture))
            .ToArray();
        var rareQueries = rare.Select(LogQueryParser.Parse).ToArray();
        var filteredQueries = Services.Select(s => LogQueryParser.Parse($"timeout service:{s} level:error")).ToArray();
        var (rareRun, filteredRun) = (0, 0);
        var histogramQuery = LogQueryParser.Parse("timeout");
        var someTrace = new TraceId(0x0123456789abcdef, (ulong)(traces / 3));
        var byTag = new TraceQuery { Tags = [TagFilter.Parse("user.id=user-4242")], From = start, To = End, Limit = 20 };
        var ours = new List<(string Name, double P50, double P95, string Answer)>
        {
            Measure(warmUp, "rare term (a different order id each run), newest 100", runs, () => Shown(logs.Search(new LogSearch { Match = rareQueries[rareRun++ % rareQueries.Length], From = start, To = End, Limit = 100 }))),
            Measure(warmUp, "`timeout service:<each of the 6 in turn> level:error`, newest 100", runs, () => Shown(logs.Search(new LogSearch { Match = filteredQueries[filteredRun++ % filteredQueries.Length], From = start, To = End, Limit = 100 }))),
            Measure(warmUp, "24 h histogram of `timeout`, 10-minute buckets", runs, () => logs.Histogram(histogramQuery, null, start, End, TimeSpan.FromMinutes(10)).Sum(b => b.Total).ToString(CultureInfo.InvariantCulture)),
            Measure(warmUp, "trace by id", runs, () => spans.GetTrace(null, someTrace).Count.ToString(CultureInfo.InvariantCulture)),
            Measure(warmUp, "trace search by tag `user.id=user-4242`, 24 h, newest 20", runs, () => spans.Search(byTag).TotalCount.ToString(CultureInfo.InvariantCulture)),
        };

        var theirs = pg is null ? null : await PostgresAsync(pg, lines, startNs, stepNs, rare, runs, warmUp);
        Console.WriteLine();
        Console.WriteLine($"| query ({lines / 1_000_000.0:0.#} M lines, {traces * 5 / 1_000_000.0:0.#} M spans held) | OpsConsole p50 | p95 | lines (shown of matching) / count | PostgreSQL FTS p50 | p95 | rows / count | PostgreSQL p50 / OpsConsole p50 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < ours.Count; i++)
        {
            var o = ours[i];
            var p = theirs is not null && i < theirs.Count ? theirs[i] : default;
            Console.WriteLine(p.Name is null
                ? $"| {o.Name} | {o.P50:0.###} ms | {o.P95:0.###} ms | {o.Answer} | – | – | – | – |"
                : $"| {o.Name} | {o.P50:0.###} ms | {o.P95:0.###} ms | {o.Answer} | {p.P50:0.###} ms | {p.P95:0.###} ms | {p.Answer} | {p.P50 / o.P50:0.#}x |");
        }

        Console.WriteLine($"load average after: {LoadAverage()}");
        GC.KeepAlive(logs);
        GC.KeepAlive(spans);
        return 0;
    }

    private static string Shown(LogSearchResult result) => $"{result.Items.Count} of {result.TotalCount:N0}";

    /// <summary>Line <paramref name="i"/> of the corpus, the same for both systems.</summary>
    private static (int Service, int Tenant, string Level, string Body, int Route, int Ms) Line(int i)
    {
        var h = (uint)i * 2654435761u;
        var service = (int)(h % 6);
        var tenant = (int)((h >> 3) % 5);
        var route = (int)((h >> 7) % 5);
        var ms = (int)((h >> 11) % 2000);
        var kind = (h >> 17) % 100;
        return kind switch
        {
            < 5 => (service, tenant, (h >> 24) % 2 == 0 ? "error" : "warn", $"upstream timeout calling {Dependencies[route % 4]} after {ms} ms", route, ms),
            < 10 => (service, tenant, "info", $"processed order o{i.ToString(CultureInfo.InvariantCulture)} for user-{(h >> 5) % 100_003}", route, ms),
            < 20 => (service, tenant, "debug", $"cache miss for key doc-{(h >> 9) % 50_000}", route, ms),
            < 25 => (service, tenant, "error", $"connection refused from 10.0.{(h >> 13) % 256}.{(h >> 21) % 200}:5432", route, ms),
            _ => (service, tenant, "info", $"request handled in {ms} ms for user-{(h >> 5) % 100_003} on {Routes[route]}", route, ms),
        };
    }

    private static async Task<List<(string Name, double P50, double P95, string Answer)>> PostgresAsync(string connectionString, int lines, ulong startNs, ulong stepNs, string[] rare, int runs, TimeSpan warmUp)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task Execute(string sql, int timeoutSeconds = 3600)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = timeoutSeconds };
            await command.ExecuteNonQueryAsync();
        }

        await Execute("DROP TABLE IF EXISTS bench_logs");
        await Execute("CREATE UNLOGGED TABLE bench_logs (id bigserial PRIMARY KEY, time_ns bigint NOT NULL, level text NOT NULL, service text NOT NULL, tenant text NOT NULL, body text NOT NULL)");
        var load = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_logs (time_ns, level, service, tenant, body) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < lines; i++)
            {
                var (service, tenant, level, body, _, _) = Line(i);
                await writer.StartRowAsync();
                await writer.WriteAsync((long)(startNs + ((ulong)i * stepNs)), NpgsqlDbType.Bigint);
                await writer.WriteAsync(level, NpgsqlDbType.Text);
                await writer.WriteAsync(Services[service], NpgsqlDbType.Text);
                await writer.WriteAsync(Tenants[tenant], NpgsqlDbType.Text);
                await writer.WriteAsync(body, NpgsqlDbType.Text);
            }

            await writer.CompleteAsync();
        }

        Console.WriteLine($"PostgreSQL: COPY of {lines:N0} lines in {load.Elapsed.TotalSeconds:F0} s");
        load.Restart();
        await Execute("SET maintenance_work_mem = '512MB'");
        await Execute("CREATE INDEX bench_logs_fts ON bench_logs USING GIN (to_tsvector('simple', body))");
        Console.WriteLine($"PostgreSQL: GIN index in {load.Elapsed.TotalSeconds:F0} s");
        await Execute("CREATE INDEX bench_logs_time ON bench_logs (time_ns)");
        await Execute("CREATE INDEX bench_logs_level ON bench_logs (level)");
        await Execute("VACUUM ANALYZE bench_logs");
        await Execute("SET work_mem = '64MB'");

        async Task<string> Scalar(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await using var reader = await command.ExecuteReaderAsync();
            long rows = 0, sum = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                sum += reader.FieldCount > 1 ? reader.GetInt64(1) : 0;
            }

            return reader.FieldCount > 1 ? sum.ToString(CultureInfo.InvariantCulture) : rows.ToString(CultureInfo.InvariantCulture);
        }

        var (from, to) = ((long)startNs, (long)(startNs + ((ulong)lines * stepNs)));
        var (rareRun, filteredRun) = (0, 0);
        var results = new List<(string Name, double P50, double P95, string Answer)>
        {
            await MeasureAsync(warmUp, "rare term", runs, () => Scalar(
                $"SELECT id FROM bench_logs WHERE to_tsvector('simple', body) @@ to_tsquery('simple', '{rare[rareRun++ % rare.Length]}') AND time_ns >= {from} AND time_ns < {to} ORDER BY time_ns DESC LIMIT 100")),
            await MeasureAsync(warmUp, "common term with filters", runs, () => Scalar(
                $"SELECT id FROM bench_logs WHERE to_tsvector('simple', body) @@ to_tsquery('simple', 'timeout') AND service = '{Services[filteredRun++ % Services.Length]}' AND level = 'error' AND time_ns >= {from} AND time_ns < {to} ORDER BY time_ns DESC LIMIT 100")),
            await MeasureAsync(warmUp, "histogram", runs, () => Scalar(
                $"SELECT (time_ns - {from}) / 600000000000 AS bucket, count(*) FROM bench_logs WHERE to_tsvector('simple', body) @@ to_tsquery('simple', 'timeout') AND time_ns >= {from} AND time_ns < {to} GROUP BY 1")),
        };
        await Execute("DROP TABLE bench_logs");
        return results;
    }

    private static (string Name, double P50, double P95, string Answer) Measure(TimeSpan warmUp, string name, int runs, Func<string> run)
    {
        // Warm-up: JIT tiers, and the machine settling after the load (a freshly touched heap of many gigabytes keeps
        // the kernel's memory monitor and the GC busy for a while; the first seconds measured up to 2x slower).
        var answer = run();
        for (var warm = Stopwatch.StartNew(); warm.Elapsed < warmUp;)
        {
            answer = run();
        }

        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            answer = run();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (name, Percentile(times, 0.5), Percentile(times, 0.95), answer);
    }

    private static async Task<(string Name, double P50, double P95, string Answer)> MeasureAsync(TimeSpan warmUp, string name, int runs, Func<Task<string>> run)
    {
        var answer = await run(); // warm-up, as for OpsConsole
        for (var warm = Stopwatch.StartNew(); warm.Elapsed < warmUp;)
        {
            answer = await run();
        }

        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            answer = await run();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (name, Percentile(times, 0.5), Percentile(times, 0.95), answer);
    }
}
