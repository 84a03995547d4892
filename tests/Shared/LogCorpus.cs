using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Telemetry;
using Microsoft.Extensions.Time.Testing;
using Attribute = OpsConsole.Domain.Telemetry.Attribute;

namespace OpsConsole.Tests.Shared;

/// <summary>
/// What the generator put into one log line, kept apart from the record so that tests can work out the expected
/// answer of a query by plain list operations on these facts, without the product's tokenizer or matcher.
/// </summary>
public sealed record Line(
    int Arrival,
    long Second,
    string[] Words,
    string Level,
    string Service,
    string Tenant,
    string? TraceId,
    string? SpanId,
    long? DurationMs,
    double? Ratio,
    string? Route,
    bool? Cached,
    string? Note,
    string Region)
{
    /// <summary>The body's tokens: words lower-cased, split at '/' (the only separator the generator puts inside a
    /// word besides the joiners - and .).</summary>
    public IEnumerable<string> Lower => Words.SelectMany(w => w.ToLowerInvariant().Split('/', StringSplitOptions.RemoveEmptyEntries));

    public bool Has(string word) => Lower.Contains(word);

    /// <summary>The word or a part of a joined word (order-17 has parts order and 17).</summary>
    public bool HasPart(string part) => Lower.Any(w => w == part || w.Split('-', '.', '_').Contains(part));

    public bool HasPrefix(string prefix) => Lower.Any(w => w.StartsWith(prefix, StringComparison.Ordinal) || w.Split('-', '.', '_').Any(p => p.StartsWith(prefix, StringComparison.Ordinal)));

    /// <summary>Adjacent words in this order.</summary>
    public bool HasRun(params string[] run)
    {
        var words = Lower.ToArray();
        for (var i = 0; i + run.Length <= words.Length; i++)
        {
            if (run.Select((w, k) => words[i + k] == w).All(x => x))
            {
                return true;
            }
        }

        return false;
    }

    public int LevelRank => Array.IndexOf(LogCorpus.Levels, Level);
}

/// <summary>
/// A seeded corpus of log lines with known facts, stored in a log store with small segments (many sealed ones plus
/// a head), arriving out of time order in batches and with clashing timestamps.
/// </summary>
public sealed class LogCorpus
{
    public static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];
    public static readonly string[] Services = ["api-gateway", "rag-service", "rag-indexer", "ml-engine"];
    public static readonly string[] Tenants = ["acme", "globex", "initech"];
    public static readonly string[] Routes = ["/api/chat", "/api/upload", "/health"];
    public static readonly DateTimeOffset Base = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly string[] Vocabulary =
    [
        "timeout", "Timeout", "timer", "connection", "refused", "upstream", "payment", "declined", "cache", "miss",
        "user", "login", "retry", "order", "served", "request", "slow", "GET", "/api/v1/chat", "failed", "ok",
    ];

    public const int Size = 3000;
    public const int SegmentCapacity = 128;

    /// <summary>The default corpus (seed 7), built once.</summary>
    public static LogCorpus Shared { get; } = new();

    private static Line Traced => Shared.Lines.First(l => l.TraceId is not null);

    private static Line Sample => Shared.Lines.First(l => l.DurationMs > 100);

    /// <summary>Every construct of the log query language with its expected answer worked out from the facts.</summary>
    public static TheoryData<string, Func<Line, bool>> QueryCases => new()
    {
        { "", _ => true },
        { "timeout", l => l.HasPart("timeout") },
        { "TimeOut", l => l.HasPart("timeout") },
        { "kaboom", _ => false },
        { "timeout upstream", l => l.HasPart("timeout") && l.HasPart("upstream") },
        { "timeout AND upstream", l => l.HasPart("timeout") && l.HasPart("upstream") },
        { "timeout OR declined", l => l.HasPart("timeout") || l.HasPart("declined") },
        { "retry OR kaboom", l => l.HasPart("retry") },
        { "payment declined OR cache miss", l => (l.HasPart("payment") && l.HasPart("declined")) || (l.HasPart("cache") && l.HasPart("miss")) },
        { "(timeout OR declined) level:error", l => (l.HasPart("timeout") || l.HasPart("declined")) && l.Level == "error" },
        { "((timeout OR (declined AND NOT payment)) OR slow) service:ml-engine", l => (l.HasPart("timeout") || (l.HasPart("declined") && !l.HasPart("payment")) || l.HasPart("slow")) && l.Service == "ml-engine" },
        { "\"connection refused\"", l => l.HasRun("connection", "refused") },
        { "\"Refused Connection\"", l => l.HasRun("refused", "connection") },
        { "\"order\"", l => l.Has("order") },
        { "order", l => l.HasPart("order") },
        { "order-17", l => l.Has("order-17") },
        { "17", l => l.HasPart("17") },
        { "/api/v1/chat", l => l.HasRun("api", "v1", "chat") },
        { "time*", l => l.HasPrefix("time") },
        { "ORD*", l => l.HasPrefix("ord") },
        { "10.0.1.*", l => l.HasPrefix("10.0.1.") },
        { "order-1*", l => l.HasPrefix("order-1") },
        { "level:error", l => l.Level == "error" },
        { "level:ERROR", l => l.Level == "error" },
        { "level:>=warn", l => l.LevelRank >= 3 },
        { "level:>warn", l => l.LevelRank > 3 },
        { "level:<info", l => l.LevelRank < 2 },
        { "level:<=info", l => l.LevelRank <= 2 },
        { "level:>fatal", _ => false },
        { "level:\"warn\"", l => l.Level == "warn" },
        { "service:rag-service", l => l.Service == "rag-service" },
        { "service:rag*", l => l.Service.StartsWith("rag", StringComparison.Ordinal) },
        { "service:Rag-service", _ => false },
        { "tenant:globex", l => l.Tenant == "globex" },
        { $"trace_id:{Traced.TraceId!.ToUpperInvariant()}", l => l.TraceId == Traced.TraceId },
        { $"span_id:{Traced.SpanId}", l => l.SpanId == Traced.SpanId },
        { $"trace_id:{Traced.TraceId![..3]}*", l => l.TraceId?.StartsWith(Traced.TraceId![..3], StringComparison.Ordinal) == true },
        { "attr.http.route:/api/chat", l => l.Route == "/api/chat" },
        { "http.route:/api/chat", l => l.Route == "/api/chat" },
        { "attr.http.route:/api/*", l => l.Route?.StartsWith("/api/", StringComparison.Ordinal) == true },
        { "attr.service:attr-ml-engine", l => l.Service == "ml-engine" },
        { "service:attr-ml-engine", _ => false },
        { "attr.note:\"two words\"", l => l.Note == "two words" },
        { "attr.region:eu-west", l => l.Region == "eu-west" },
        { "attr.service.name:ml-engine", l => l.Service == "ml-engine" },
        { "duration_ms:>500", l => l.DurationMs > 500 },
        { "duration_ms:>=500", l => l.DurationMs >= 500 },
        { "duration_ms:<0", l => l.DurationMs < 0 },
        { "duration_ms:<=-10", l => l.DurationMs <= -10 },
        { $"duration_ms:{Sample.DurationMs}", l => l.DurationMs == Sample.DurationMs },
        { "attr.ratio:<0.25", l => l.Ratio < 0.25 },
        { "attr.ratio:>=1e-1", l => l.Ratio >= 0.1 },
        { "attr.cached:*", l => l.Cached is not null },
        { "attr.cached:true", l => l.Cached == true },
        { "-timeout", l => !l.HasPart("timeout") },
        { "NOT timeout", l => !l.HasPart("timeout") },
        { "NOT NOT retry", l => l.HasPart("retry") },
        { "timeout -level:info", l => l.HasPart("timeout") && l.Level != "info" },
        { "-(timeout OR declined)", l => !l.HasPart("timeout") && !l.HasPart("declined") },
        { "NOT (service:rag* OR level:debug) retry", l => !(l.Service.StartsWith("rag", StringComparison.Ordinal) || l.Level == "debug") && l.HasPart("retry") },
        { "-level:info -level:debug", l => l.Level is not ("info" or "debug") },
        { "-\"connection refused\" connection", l => l.HasPart("connection") && !l.HasRun("connection", "refused") },
        { "\"connection refused\" OR declined", l => l.HasRun("connection", "refused") || l.HasPart("declined") },
        { "-duration_ms:>100", l => !(l.DurationMs > 100) },
        { "(\"cache miss\" OR attr.cached:true) AND (service:api-gateway OR duration_ms:>1500) -slow", l => (l.HasRun("cache", "miss") || l.Cached == true) && (l.Service == "api-gateway" || l.DurationMs > 1500) && !l.HasPart("slow") },
    };


    public LogCorpus(int seed = 7)
    {
        var random = new Random(seed);
        var lines = new List<Line>(Size);
        for (var i = 0; i < Size; i++)
        {
            var words = new List<string>();
            var count = random.Next(2, 8);
            for (var k = 0; k < count; k++)
            {
                words.Add(random.Next(10) switch
                {
                    0 => $"order-{random.Next(1, 60)}",
                    1 => $"10.0.{random.Next(0, 3)}.{random.Next(1, 40)}",
                    _ => Vocabulary[random.Next(Vocabulary.Length)],
                });
            }

            var traced = random.Next(3) == 0;
            lines.Add(new Line(
                i,
                (i / 2) + random.Next(-4, 5), // pairs share a second; arrival jitters around time order
                [.. words],
                Levels[random.Next(Levels.Length)],
                Services[random.Next(Services.Length)],
                Tenants[random.Next(Tenants.Length)],
                traced ? $"{random.NextInt64():x16}{(ulong)random.NextInt64() | 1:x16}" : null,
                traced ? $"{(ulong)random.NextInt64() | 1:x16}" : null,
                random.Next(4) == 0 ? null : random.Next(-50, 2000),
                random.Next(3) == 0 ? null : Math.Round(random.NextDouble(), 3),
                random.Next(4) == 0 ? null : Routes[random.Next(Routes.Length)],
                random.Next(3) == 0 ? null : random.Next(2) == 0,
                random.Next(20) == 0 ? "two words" : null,
                random.Next(2) == 0 ? "eu-west" : "us-east"));
        }

        Lines = lines;
        Time = new FakeTimeProvider(Base + TimeSpan.FromSeconds(Size));
        Store = new LogStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), Time, SegmentCapacity);
        foreach (var batch in lines.Chunk(17))
        {
            Store.Add([.. batch.Select(ToRecord)]);
        }
    }

    public IReadOnlyList<Line> Lines { get; }

    public LogStore Store { get; }

    public FakeTimeProvider Time { get; }

    public static DateTimeOffset At(long second) => Base + TimeSpan.FromSeconds(second);

    public static LogRecord ToRecord(Line line)
    {
        var attributes = new List<Attribute> { new("arrival", AttributeValue.Of((long)line.Arrival)) };
        if (line.DurationMs is { } d)
        {
            attributes.Add(new("duration_ms", AttributeValue.Of(d)));
        }

        if (line.Ratio is { } r)
        {
            attributes.Add(new("ratio", AttributeValue.Of(r)));
        }

        if (line.Route is { } route)
        {
            attributes.Add(new("http.route", AttributeValue.Of(route)));
        }

        if (line.Cached is { } cached)
        {
            attributes.Add(new("cached", AttributeValue.Of(cached)));
        }

        if (line.Note is { } note)
        {
            attributes.Add(new("note", AttributeValue.Of(note)));
        }

        // An attribute named like a reserved field must not be confused with it.
        attributes.Add(new("service", AttributeValue.Of("attr-" + line.Service)));
        TraceId.TryParse(line.TraceId, out var trace);
        SpanId.TryParse(line.SpanId, out var span);
        return new LogRecord
        {
            TenantId = line.Tenant,
            TimeUnixNano = (ulong)At(line.Second).ToUnixTimeMilliseconds() * 1_000_000UL,
            SeverityNumber = Array.IndexOf(Levels, line.Level) * 4 + 1,
            Body = AttributeValue.Of(string.Join(' ', line.Words)),
            TraceId = trace,
            SpanId = span,
            Attributes = attributes,
            Resource = new TelemetryResource([new("service.name", AttributeValue.Of(line.Service)), new("region", AttributeValue.Of(line.Region))]),
        };
    }

    public static int ArrivalOf(LogRecord record) => (int)record.Attributes[0].Value.IntValue;

    /// <summary>The expected order of results: newest first, later arrival first among equal times.</summary>
    public static IEnumerable<Line> NewestFirst(IEnumerable<Line> lines) => lines.OrderByDescending(l => l.Second).ThenByDescending(l => l.Arrival);
}
