using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Telemetry;
using OpsConsole.Data.Tests.Infrastructure;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Data.Tests;

/// <summary>Durable telemetry round trips exactly on both providers, and a failed write keeps nothing.</summary>
public abstract class TelemetryWriterTests<TFixture>(TFixture db) : IClassFixture<TFixture>
    where TFixture : DatabaseFixture
{
    private const ulong BaseNanos = 1_793_600_000_123_456_789UL;
    private readonly TelemetryWriter _writer = db.GetRequiredService<TelemetryWriter>();
    private readonly TelemetryReader _reader = db.GetRequiredService<TelemetryReader>();

    private static TraceId NewTraceId() => TraceId.FromBytes(Guid.NewGuid().ToByteArray());

    private static SpanId NewSpanId() => new((ulong)Random.Shared.NextInt64(1, long.MaxValue));

    private static readonly Domain.Telemetry.Attribute[] EveryKind =
    [
        new("http.method", AttributeValue.Of("POST")),
        new("retry", AttributeValue.Of(true)),
        new("http.status_code", AttributeValue.Of(503L)),
        new("ratio", AttributeValue.Of(0.125)),
        new("nan", AttributeValue.Of(double.NaN)),
        new("payload", AttributeValue.Of([1, 2, 255])),
        new("tags", AttributeValue.Of([AttributeValue.Of("a"), AttributeValue.Of(2L)])),
        new("nested", AttributeValue.Of([new KeyValuePair<string, AttributeValue>("inner", AttributeValue.Of("x \"quoted\" ünïcode"))])),
    ];

    private static Span MakeSpan(string tenant, TraceId trace, SpanId id, SpanId parent, ulong start) => new()
    {
        TenantId = tenant,
        TraceId = trace,
        SpanId = id,
        ParentSpanId = parent,
        TraceState = "vendor=1",
        Name = "rag.query",
        Kind = SpanKind.Server,
        StartTimeUnixNano = start,
        EndTimeUnixNano = start + 1_234_567,
        StatusCode = SpanStatusCode.Error,
        StatusMessage = "upstream timeout",
        Attributes = EveryKind,
        Events = [new SpanEvent("exception", start + 10, [new("exception.type", AttributeValue.Of("TimeoutException"))])],
        Links = [new SpanLink(NewTraceId(), NewSpanId(), null, [new("link.kind", AttributeValue.Of("follows"))])],
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of("rag-service")), new("service.version", AttributeValue.Of("1.4.2"))]),
        Scope = new InstrumentationScope("OpsConsole.Tests", "1.0"),
    };

    [Fact]
    public async Task WriteAsync_Spans_ReadBackExactlyWithParentage()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("spans");
        var trace = NewTraceId();
        var root = MakeSpan(tenant, trace, NewSpanId(), default, BaseNanos);
        var child = MakeSpan(tenant, trace, NewSpanId(), root.SpanId, BaseNanos + 5);

        // Act
        await _writer.WriteAsync(new TelemetryBatch { Spans = [child, root] }, CancellationToken.None);
        var read = await _reader.GetTraceAsync(tenant, trace);

        // Assert
        Assert.Equal(2, read.Count);
        AssertSameSpan(root, read[0]);
        AssertSameSpan(child, read[1]);
        Assert.Equal(root.SpanId, read[1].ParentSpanId);
        Assert.True(read[0].IsRoot);
    }

    private static void AssertSameSpan(Span expected, Span actual)
    {
        Assert.Equal(expected.TraceId, actual.TraceId);
        Assert.Equal(expected.SpanId, actual.SpanId);
        Assert.Equal(expected.ParentSpanId, actual.ParentSpanId);
        Assert.Equal(expected.StartTimeUnixNano, actual.StartTimeUnixNano);
        Assert.Equal(expected.EndTimeUnixNano, actual.EndTimeUnixNano);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(expected.StatusMessage, actual.StatusMessage);
        Assert.Equal(expected.TraceState, actual.TraceState);
        Assert.Equal(expected.Attributes, actual.Attributes);
        Assert.Equal(expected.Resource.Attributes, actual.Resource.Attributes);
        Assert.Equal(expected.Scope, actual.Scope);
        var ev = Assert.Single(actual.Events);
        Assert.Equal(expected.Events[0].Name, ev.Name);
        Assert.Equal(expected.Events[0].TimeUnixNano, ev.TimeUnixNano);
        Assert.Equal(expected.Events[0].Attributes, ev.Attributes);
        var link = Assert.Single(actual.Links);
        Assert.Equal(expected.Links[0].TraceId, link.TraceId);
        Assert.Equal(expected.Links[0].SpanId, link.SpanId);
        Assert.Equal(expected.Links[0].Attributes, link.Attributes);
    }

    [Fact]
    public async Task WriteAsync_Logs_ReadBackNewestFirstWithTraceContext()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("logs");
        var trace = NewTraceId();
        var span = NewSpanId();
        var older = new LogRecord
        {
            TenantId = tenant, TimeUnixNano = BaseNanos, ObservedTimeUnixNano = BaseNanos + 1, SeverityNumber = 17, SeverityText = "Error",
            Body = AttributeValue.Of("upstream timeout after 2000 ms"), Attributes = EveryKind, TraceId = trace, SpanId = span,
            Resource = new TelemetryResource([new("service.name", AttributeValue.Of("rag-service"))]),
        };
        var newer = older with { TimeUnixNano = BaseNanos + 1000, SeverityNumber = 9, Body = AttributeValue.Of(42L), TraceId = default, SpanId = default };

        // Act
        await _writer.WriteAsync(new TelemetryBatch { Logs = [older, newer] }, CancellationToken.None);
        var read = await _reader.GetLogsAsync(tenant, BaseNanos, BaseNanos + 2000, 10);

        // Assert
        Assert.Equal(2, read.Count);
        Assert.Equal(newer.TimeUnixNano, read[0].TimeUnixNano);
        Assert.Equal(AttributeValue.Of(42L), read[0].Body);
        Assert.True(read[0].TraceId.IsEmpty);
        Assert.Equal("error", read[1].Level);
        Assert.Equal(older.Body, read[1].Body);
        Assert.Equal(trace, read[1].TraceId);
        Assert.Equal(span, read[1].SpanId);
        Assert.Equal(older.Attributes, read[1].Attributes);
        Assert.Equal("rag-service", read[1].ServiceName);
    }

    [Fact]
    public async Task WriteAsync_SamplesSentTwice_StoredOnceInTimeOrder()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("samples");
        var labels = LabelSet.From(("__name__", "http_requests_total"), ("service", "api-gateway"), ("status", "200"));
        SeriesSample At(long ms, double v) => new(tenant, labels, ms, v);
        var batch = new TelemetryBatch
        {
            Samples = [At(2000, 5), At(1000, 3), At(3000, double.PositiveInfinity), At(4000, double.NaN), At(5000, StaleMarker.StaleNaN), At(6000, double.NegativeInfinity)],
            Metadata = [new MetricMetadata("http_requests_total", MetricType.Counter, "Requests.", null)],
        };

        // Act
        await _writer.WriteAsync(batch, CancellationToken.None);
        await _writer.WriteAsync(batch, CancellationToken.None);
        var samples = await _reader.GetSamplesAsync(tenant, labels, 0, 10_000);
        var series = await _reader.GetSeriesAsync(tenant, "http_requests_total");
        var metadata = await _reader.GetMetadataAsync();

        // Assert
        Assert.Equal(6, samples.Count);
        Assert.Equal([new Sample(1000, 3), new Sample(2000, 5), new Sample(3000, double.PositiveInfinity)], samples.Take(3));
        Assert.True(double.IsNaN(samples[3].Value) && !StaleMarker.IsStaleNaN(samples[3].Value), "an exposed NaN stays an ordinary NaN");
        Assert.True(StaleMarker.IsStaleNaN(samples[4].Value), "the stale marker keeps its bit pattern");
        Assert.Equal(double.NegativeInfinity, samples[5].Value);
        var (seriesTenant, seriesLabels) = Assert.Single(series);
        Assert.Equal(tenant, seriesTenant);
        Assert.Equal(labels, seriesLabels);
        Assert.Contains(new MetricMetadata("http_requests_total", MetricType.Counter, "Requests.", null), metadata);
    }

    [Fact]
    public async Task WriteAsync_OneBadItem_FailsAndKeepsNothingOfTheBatch()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("atomic");
        var trace = NewTraceId();
        var goodSpan = MakeSpan(tenant, trace, NewSpanId(), default, BaseNanos);
        var badLog = new LogRecord { TenantId = null!, TimeUnixNano = BaseNanos };
        var labels = LabelSet.From(("__name__", "atomic_total"));

        // Act
        var failure = await Record.ExceptionAsync(() => _writer.WriteAsync(
            new TelemetryBatch { Spans = [goodSpan], Logs = [badLog], Samples = [new SeriesSample(tenant, labels, 1, 1)] }, CancellationToken.None));

        // Assert
        Assert.NotNull(failure);
        Assert.Empty(await _reader.GetTraceAsync(tenant, trace));
        Assert.Empty(await _reader.GetSamplesAsync(tenant, labels, 0, 10));
        Assert.Empty(await _reader.GetSeriesAsync(tenant, "atomic_total"));
    }

    [Fact]
    public async Task WriteAsync_HealthChecks_ReadBackNewestFirstPerService()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("health");
        HealthCheckResult At(long ms, HealthStatus status, string service = "rag-service") =>
            new(tenant, service, "db", status, status == HealthStatus.Healthy ? null : "timeout", 12.5, ms);

        // Act
        await _writer.WriteAsync(new TelemetryBatch { HealthChecks = [At(1000, HealthStatus.Healthy), At(2000, HealthStatus.Unhealthy), At(1500, HealthStatus.Degraded, "other")] }, CancellationToken.None);
        var rag = await _reader.GetHealthChecksAsync(tenant, "rag-service", 0, 10_000, 10);

        // Assert
        Assert.Equal([At(2000, HealthStatus.Unhealthy), At(1000, HealthStatus.Healthy)], rag);
        Assert.Equal(3, (await _reader.GetHealthChecksAsync(tenant, null, 0, 10_000, 10)).Count);
        Assert.Empty(await _reader.GetHealthChecksAsync(TestData.UniqueSlug("other"), null, 0, 10_000, 10));
    }

    [Fact]
    public async Task GetTraceAsync_OtherTenant_SeesNothing()
    {
        // Arrange
        var tenant = TestData.UniqueSlug("mine");
        var trace = NewTraceId();
        await _writer.WriteAsync(new TelemetryBatch { Spans = [MakeSpan(tenant, trace, NewSpanId(), default, BaseNanos)] }, CancellationToken.None);

        // Act
        var other = await _reader.GetTraceAsync(TestData.UniqueSlug("theirs"), trace);
        var all = await _reader.GetTraceAsync(null, trace);

        // Assert
        Assert.Empty(other);
        Assert.Single(all);
    }
}

public sealed class SqliteTelemetryWriterTests(SqliteDatabaseFixture db) : TelemetryWriterTests<SqliteDatabaseFixture>(db);

public sealed class PostgresTelemetryWriterTests(PostgresDatabaseFixture db) : TelemetryWriterTests<PostgresDatabaseFixture>(db);
