using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Resource;
using OpsConsole.Ingest.Otlp.Proto.Trace;

namespace OpsConsole.Benchmarks;

/// <summary>
/// What the ingest quotas add to one OTLP export of 512 spans: the ledger's admission (tenant found, one lock, two
/// counters) and, on gRPC, measuring the request's size; beside decoding and mapping the same request.
/// </summary>
[MemoryDiagnoser]
public class IngestQuotaBenchmarks
{
    private const int Spans = 512;

    private sealed class Quotas : IIngestQuotaSource
    {
        public IngestQuota QuotaOf(string tenantId) => new(long.MaxValue, long.MaxValue);
    }

    private static readonly IngestLimits Limits = new();

    private readonly ExportTraceServiceRequest _request = new();
    private TelemetryBatch _batch = TelemetryBatch.Empty;
    private IngestQuotaLedger _ledger = null!;
    private byte[] _bytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } });
        resource.Attributes.Add(new KeyValue { Key = "tenant.id", Value = new AnyValue { StringValue = "acme" } });
        var scope = new ScopeSpans();
        var random = new Random(7);
        for (var i = 0; i < Spans; i++)
        {
            var ids = new byte[24];
            random.NextBytes(ids);
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(ids, 0, 16),
                SpanId = ByteString.CopyFrom(ids, 16, 8),
                Name = "GET /orders/{id}",
                StartTimeUnixNano = 1_700_000_000_000_000_000 + (ulong)i,
                EndTimeUnixNano = 1_700_000_000_100_000_000 + (ulong)i,
            });
        }

        _request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
        _bytes = _request.ToByteArray();
        _batch = OtlpTraceMapper.Map(_request, IngestContext.Unbound, Limits, new IntakeReport());
        _ledger = new IngestQuotaLedger(new Quotas(), TimeProvider.System);
    }

    [Benchmark(Baseline = true)]
    public int DecodeAndMap512Spans()
    {
        OtlpDecoder.TryDecode(_bytes, OtlpPayloadFormat.Protobuf, ExportTraceServiceRequest.Parser, out var request, out _);
        return OtlpTraceMapper.Map(request!, IngestContext.Unbound, Limits, new IntakeReport()).ItemCount;
    }

    [Benchmark]
    public bool Admit512Spans() => _ledger.TryAdmit(_batch, _bytes.Length).Admitted;

    [Benchmark]
    public int GrpcRequestSize512Spans() => _request.CalculateSize();
}
