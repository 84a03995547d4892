using Google.Protobuf;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Tests.Support;
using OtlpSpan = OpsConsole.Ingest.Otlp.Proto.Trace.Span;
using OtlpStatus = OpsConsole.Ingest.Otlp.Proto.Trace.Status;

namespace OpsConsole.Ingest.Tests;

public class TraceMappingTests
{
    private static readonly IngestLimits Limits = new();

    [Fact]
    public void Map_FullSpan_EveryFieldArrives()
    {
        var span = OtlpWire.Span("POST /orders");
        span.ParentSpanId = OtlpWire.Hex(OtlpWire.ParentHex);
        span.TraceState = "vendor=1";
        span.Kind = OtlpSpan.Types.SpanKind.Server;
        span.Status = new OtlpStatus { Code = OtlpStatus.Types.StatusCode.Error, Message = "payment declined" };
        span.Attributes.Add(OtlpWire.Attr("http.method", "POST"));
        span.Attributes.Add(OtlpWire.Attr("retry", true));
        span.Attributes.Add(OtlpWire.Attr("http.status_code", 502L));
        span.Attributes.Add(OtlpWire.Attr("ratio", 0.25));
        span.Attributes.Add(OtlpWire.Attr("blob", new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3) }));
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { StringValue = "a" });
        array.Values.Add(new AnyValue { IntValue = 7 });
        span.Attributes.Add(OtlpWire.Attr("list", new AnyValue { ArrayValue = array }));
        var map = new KeyValueList();
        map.Values.Add(OtlpWire.Attr("inner", 1.5));
        span.Attributes.Add(OtlpWire.Attr("map", new AnyValue { KvlistValue = map }));
        span.Attributes.Add(OtlpWire.Attr("nothing", new AnyValue()));
        var exceptionEvent = new OtlpSpan.Types.Event { Name = "exception", TimeUnixNano = 1_700_000_000_200_000_001 };
        exceptionEvent.Attributes.Add(OtlpWire.Attr("exception.type", "System.InvalidOperationException"));
        span.Events.Add(exceptionEvent);
        var link = new OtlpSpan.Types.Link { TraceId = OtlpWire.Hex("0102030405060708090a0b0c0d0e0f10"), SpanId = OtlpWire.Hex("1112131415161718"), TraceState = "x=y" };
        link.Attributes.Add(OtlpWire.Attr("link.kind", "batch"));
        span.Links.Add(link);
        var request = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("service.name", "checkout"), OtlpWire.Attr("deployment.environment", "prod")), span);

        var report = new IntakeReport();
        var batch = OtlpTraceMapper.Map(request, IngestContext.Unbound, Limits, report);

        var mapped = Assert.Single(batch.Spans);
        Assert.Equal(0, report.RejectedItems);
        Assert.Equal("default", mapped.TenantId);
        Assert.Equal(OtlpWire.TraceHex, mapped.TraceId.ToString());
        Assert.Equal(OtlpWire.SpanHex, mapped.SpanId.ToString());
        Assert.Equal(OtlpWire.ParentHex, mapped.ParentSpanId.ToString());
        Assert.False(mapped.IsRoot);
        Assert.Equal("vendor=1", mapped.TraceState);
        Assert.Equal("POST /orders", mapped.Name);
        Assert.Equal(SpanKind.Server, mapped.Kind);
        Assert.Equal(1_700_000_000_123_456_789UL, mapped.StartTimeUnixNano);
        Assert.Equal(1_700_000_000_223_456_789UL, mapped.EndTimeUnixNano);
        Assert.Equal(SpanStatusCode.Error, mapped.StatusCode);
        Assert.Equal("payment declined", mapped.StatusMessage);

        var attributes = mapped.Attributes.ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal(AttributeValue.Of("POST"), attributes["http.method"]);
        Assert.Equal(AttributeValue.Of(true), attributes["retry"]);
        Assert.Equal(AttributeValue.Of(502L), attributes["http.status_code"]);
        Assert.Equal(AttributeValue.Of(0.25), attributes["ratio"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, attributes["blob"].BytesValue);
        Assert.Equal(AttributeValue.Of([AttributeValue.Of("a"), AttributeValue.Of(7L)]), attributes["list"]);
        Assert.Equal(AttributeValue.Of([new KeyValuePair<string, AttributeValue>("inner", AttributeValue.Of(1.5))]), attributes["map"]);
        Assert.Equal(AttributeKind.Empty, attributes["nothing"].Kind);

        var e = Assert.Single(mapped.Events);
        Assert.Equal("exception", e.Name);
        Assert.Equal(1_700_000_000_200_000_001UL, e.TimeUnixNano);
        Assert.Equal("System.InvalidOperationException", Assert.Single(e.Attributes).Value.StringValue);

        var l = Assert.Single(mapped.Links);
        Assert.Equal("0102030405060708090a0b0c0d0e0f10", l.TraceId.ToString());
        Assert.Equal("1112131415161718", l.SpanId.ToString());
        Assert.Equal("x=y", l.TraceState);
        Assert.Equal("batch", Assert.Single(l.Attributes).Value.StringValue);

        Assert.Equal("checkout", mapped.ServiceName);
        Assert.Equal("prod", mapped.Resource.Find("deployment.environment")?.StringValue);
        Assert.Equal("orders", mapped.Scope.Name);
        Assert.Equal("1.2.3", mapped.Scope.Version);
    }

    [Fact]
    public void Map_RootSpanWithoutStatus_UnsetAndNoParent()
    {
        var batch = OtlpTraceMapper.Map(OtlpWire.Traces(null, OtlpWire.Span()), IngestContext.Unbound, Limits, new IntakeReport());

        var span = Assert.Single(batch.Spans);
        Assert.True(span.IsRoot);
        Assert.Equal(SpanStatusCode.Unset, span.StatusCode);
        Assert.Null(span.StatusMessage);
        Assert.Null(span.TraceState);
        Assert.Equal(SpanKind.Unspecified, span.Kind);
        Assert.Equal("unknown_service", span.ServiceName);
    }

    private static readonly Dictionary<string, (Action<OtlpSpan> Spoil, string Reason)> InvalidIds = new()
    {
        ["missing trace id"] = (s => s.TraceId = ByteString.Empty, "trace id is missing"),
        ["short trace id"] = (s => s.TraceId = OtlpWire.Zeros(15), "trace id has 15 bytes, not 16"),
        ["long trace id"] = (s => s.TraceId = OtlpWire.Zeros(17), "trace id has 17 bytes, not 16"),
        ["all-zero trace id"] = (s => s.TraceId = OtlpWire.Zeros(16), "trace id is all zero"),
        ["short span id"] = (s => s.SpanId = OtlpWire.Zeros(7), "span id has 7 bytes, not 8"),
        ["all-zero span id"] = (s => s.SpanId = OtlpWire.Zeros(8), "span id is all zero"),
        ["bad parent"] = (s => s.ParentSpanId = OtlpWire.Zeros(3), "parent span id has 3 bytes, not 8"),
        ["bad link"] = (s => s.Links.Add(new OtlpSpan.Types.Link { TraceId = OtlpWire.Zeros(16), SpanId = OtlpWire.Hex(OtlpWire.SpanHex) }), "link 0: trace id is all zero"),
    };

    public static TheoryData<string> InvalidIdCases => [.. InvalidIds.Keys];

    [Theory]
    [MemberData(nameof(InvalidIdCases))]
    public void Map_InvalidId_OnlyThatSpanRejectedWithReason(string invalidCase)
    {
        var (spoil, reason) = InvalidIds[invalidCase];
        var bad = OtlpWire.Span("bad");
        spoil(bad);
        var report = new IntakeReport();

        var batch = OtlpTraceMapper.Map(OtlpWire.Traces(null, OtlpWire.Span("good"), bad), IngestContext.Unbound, Limits, report);

        Assert.Equal("good", Assert.Single(batch.Spans).Name);
        Assert.Equal(1, report.RejectedItems);
        Assert.Equal($"1 spans rejected: span 'bad': {reason}", report.ToMessage("spans", Limits.MaxAttributesPerItem));
    }

    [Fact]
    public void Map_ManyInvalidSpans_MessageListsThreeReasonsAndCountsAll()
    {
        var spans = Enumerable.Range(0, 10).Select(i =>
        {
            var s = OtlpWire.Span("bad" + i);
            s.TraceId = OtlpWire.Zeros(i + 1);
            return s;
        }).ToArray();
        var report = new IntakeReport();

        OtlpTraceMapper.Map(OtlpWire.Traces(null, spans), IngestContext.Unbound, Limits, report);

        Assert.Equal(10, report.RejectedItems);
        Assert.Equal("10 spans rejected: span 'bad0': trace id has 1 bytes, not 16; span 'bad1': trace id has 2 bytes, not 16; span 'bad2': trace id has 3 bytes, not 16 (and 7 more)",
            report.ToMessage("spans", 128));
    }

    [Fact]
    public void Map_TooManyAttributes_FirstOnesKeptAndDropCounted()
    {
        var span = OtlpWire.Span();
        for (var i = 0; i < 5; i++)
        {
            span.Attributes.Add(OtlpWire.Attr("a" + i, (long)i));
        }

        var report = new IntakeReport();
        var batch = OtlpTraceMapper.Map(OtlpWire.Traces(null, span), IngestContext.Unbound, new IngestLimits { MaxAttributesPerItem = 3 }, report);

        Assert.Equal(["a0", "a1", "a2"], Assert.Single(batch.Spans).Attributes.Select(a => a.Key));
        Assert.Equal(0, report.RejectedItems);
        Assert.Equal(2, report.DroppedAttributes);
        Assert.Equal("2 attributes dropped from 1 items that had more than 3 (the first 3 were kept)", report.ToMessage("spans", 3));
    }

    [Fact]
    public void Map_UnboundContext_TenantFromResourceAttribute()
    {
        var request = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("tenant.id", "globex")), OtlpWire.Span());

        var batch = OtlpTraceMapper.Map(request, IngestContext.Unbound, Limits, new IntakeReport());

        Assert.Equal("globex", Assert.Single(batch.Spans).TenantId);
    }

    [Fact]
    public void Map_BoundContext_PayloadTenantDoesNotOverrideKeyTenant()
    {
        var request = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("tenant.id", "globex")), OtlpWire.Span());

        var batch = OtlpTraceMapper.Map(request, IngestContext.ForTenant("acme"), Limits, new IntakeReport());

        Assert.Equal("acme", Assert.Single(batch.Spans).TenantId);
    }

    [Fact]
    public void Map_InvalidTenantAttribute_ResourceSpansRejected()
    {
        var request = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("tenant.id", "Not A Tenant")), OtlpWire.Span(), OtlpWire.Span("second"));
        var report = new IntakeReport();

        var batch = OtlpTraceMapper.Map(request, IngestContext.Unbound, Limits, report);

        Assert.Empty(batch.Spans);
        Assert.Equal(2, report.RejectedItems);
        Assert.Contains("tenant.id='Not A Tenant' is not a valid tenant id", report.ToMessage("spans", 128));
    }
}
