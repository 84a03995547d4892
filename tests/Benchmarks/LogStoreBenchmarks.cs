using BenchmarkDotNet.Attributes;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Logs;
using OpsConsole.Domain.Telemetry;
using Attribute = OpsConsole.Domain.Telemetry.Attribute;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Memory per log record held, index included (printed once from the setup, for 100,000 records with a message,
/// trace context and 5 attributes), the cost of adding 100 records, and of a term + field query.
/// </summary>
[MemoryDiagnoser]
public class LogStoreBenchmarks
{
    private const int RecordCount = 100_000;
    private static readonly string[] Services = ["api-gateway", "agent-api", "rag-service", "upload-pipeline", "ml-engine"];

    private readonly TelemetryResource[] _resources = [.. Services.Select(s => new TelemetryResource([new Attribute("service.name", AttributeValue.Of(s))]))];
    private LogStore _store = null!;
    private LogRecord[] _batch = null!;
    private long _next;
    private ulong _startNs;

    [GlobalSetup]
    public void Setup()
    {
        var time = TimeProvider.System;
        _startNs = (ulong)time.GetUtcNow().AddMinutes(-30).ToUnixTimeMilliseconds() * 1_000_000;
        var before = HeldMemory.Now();
        _store = new LogStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), time);
        for (var b = 0; b < RecordCount / 500; b++)
        {
            _store.Add([.. Enumerable.Range(0, 500).Select(_ => Record())]);
        }

        var after = HeldMemory.Now();
        var stats = _store.Stats();
        HeldMemory.Report("log store, records included (heap)", after - before, stats.Items, "record");
        HeldMemory.Report("log store (own estimate)", stats.EstimatedBytes, stats.Items, "record");
        _batch = [.. Enumerable.Range(0, 100).Select(_ => Record())];
    }

    private LogRecord Record()
    {
        var n = ++_next;
        var error = n % 20 == 0;
        return new LogRecord
        {
            TenantId = "tenant-" + (n % 5),
            TimeUnixNano = _startNs + ((ulong)n * 100_000),
            SeverityNumber = error ? 17 : 9,
            Body = AttributeValue.Of(error
                ? $"order-{n % 10_000} failed: connection refused from 10.0.{n % 256}.{n % 200}:5432"
                : $"request handled in {n % 900} ms for user user-{n % 977} on /v1/chat"),
            TraceId = new TraceId(0x0123456789abcdef, (ulong)(n / 5)),
            SpanId = new SpanId((ulong)n),
            Attributes =
            [
                new Attribute("event_type", AttributeValue.Of("http_request")),
                new Attribute("tenant.id", AttributeValue.Of("tenant-" + (n % 5))),
                new Attribute("user.id", AttributeValue.Of("user-" + (n % 977))),
                new Attribute("duration_ms", AttributeValue.Of(n % 900)),
                new Attribute("status", AttributeValue.Of(error ? 500L : 200L)),
            ],
            Resource = _resources[n % _resources.Length],
        };
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public int Add100Records() => _store.Add(_batch);

    [Benchmark]
    public PagedResult<LogRecord> QueryTermAndLevel() =>
        _store.Query(new LogQuery { Include = [LogPosting.Term("refused"), LogPosting.Field("level", "error")], Limit = 100 });
}
