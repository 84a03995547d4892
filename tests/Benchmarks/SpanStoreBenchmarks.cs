using BenchmarkDotNet.Attributes;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using Attribute = OpsConsole.Domain.Telemetry.Attribute;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Memory per span held (printed once from the setup, for 100,000 spans in traces of 5, each span with 8 attributes
/// whose keys and values are fresh strings as a protobuf decoder makes them) and the cost of adding 100 spans and of
/// a trace search. The store keeps its own compacted copy of each span (shared strings), so the decoded spans can go.
/// </summary>
[MemoryDiagnoser]
public class SpanStoreBenchmarks
{
    private const int SpanCount = 100_000;
    private const int SpansPerTrace = 5;
    private static readonly string[] Services = ["api-gateway", "agent-api", "rag-service", "vector-store", "llm"];
    private static readonly string[] Operations = ["POST /v1/chat", "chat.turn", "rag.query", "search", "chat.completions"];

    private readonly TelemetryResource[] _resources = [.. Services.Select(s => new TelemetryResource([
        new Attribute("service.name", AttributeValue.Of(s)),
        new Attribute("service.version", AttributeValue.Of("1.4.2")),
        new Attribute("deployment.environment", AttributeValue.Of("production")),
    ]))];

    private SpanStore _store = null!;
    private Span[] _batch = null!;
    private ulong _nextTrace;
    private ulong _startNs;

    [GlobalSetup]
    public void Setup()
    {
        var time = TimeProvider.System;
        _startNs = (ulong)time.GetUtcNow().AddMinutes(-30).ToUnixTimeMilliseconds() * 1_000_000;
        var before = HeldMemory.Now();
        var spans = new List<Span>(SpanCount);
        for (var i = 0; i < SpanCount / SpansPerTrace; i++)
        {
            spans.AddRange(Trace());
        }

        _store = new SpanStore(new StoreLimits(TimeSpan.FromDays(1), long.MaxValue), time);
        foreach (var chunk in spans.Chunk(500))
        {
            _store.Add(chunk);
        }

        spans.Clear();
        spans.TrimExcess();
        var after = HeldMemory.Now();
        var stats = _store.Stats();
        HeldMemory.Report("span store, spans included (heap)", after - before, stats.Items, "span");
        HeldMemory.Report("span store (own estimate)", stats.EstimatedBytes, stats.Items, "span");
        _batch = [.. Enumerable.Range(0, 100 / SpansPerTrace).SelectMany(_ => Trace())];
    }

    private Span[] Trace()
    {
        var trace = new TraceId(0x0123456789abcdef, ++_nextTrace);
        var start = _startNs + (_nextTrace * 1_000_000);
        var spans = new Span[SpansPerTrace];
        for (var d = 0; d < SpansPerTrace; d++)
        {
            var tenant = "tenant-" + (_nextTrace % 5);
            spans[d] = new Span
            {
                TenantId = tenant,
                TraceId = trace,
                SpanId = new SpanId((_nextTrace << 8) + (ulong)d + 1),
                ParentSpanId = d == 0 ? default : new SpanId((_nextTrace << 8) + (ulong)d),
                Name = Fresh(Operations[d]),
                Kind = d == 0 ? SpanKind.Server : SpanKind.Client,
                StartTimeUnixNano = start + ((ulong)d * 1_000_000),
                EndTimeUnixNano = start + ((ulong)(10 - d) * 5_000_000),
                StatusCode = _nextTrace % 50 == 0 && d == 2 ? SpanStatusCode.Error : SpanStatusCode.Unset,
                Attributes =
                [
                    new Attribute(Fresh("tenant.id"), AttributeValue.Of(Fresh(tenant))),
                    new Attribute(Fresh("user.id"), AttributeValue.Of("user-" + (_nextTrace % 977))),
                    new Attribute(Fresh("http.method"), AttributeValue.Of(Fresh("POST"))),
                    new Attribute(Fresh("http.route"), AttributeValue.Of(Fresh("/v1/chat"))),
                    new Attribute(Fresh("http.status_code"), AttributeValue.Of(200L)),
                    new Attribute(Fresh("net.peer.name"), AttributeValue.Of(Fresh(Services[(d + 1) % Services.Length]))),
                    new Attribute(Fresh("llm.tokens.input"), AttributeValue.Of((long)(_nextTrace % 4000))),
                    new Attribute(Fresh("session.id"), AttributeValue.Of("s-" + (_nextTrace * 7919))),
                ],
                Resource = _resources[d],
                Scope = InstrumentationScope.Empty,
            };
        }

        return spans;
    }

    /// <summary>A new string instance, as a decoder makes for every key and value.</summary>
    private static string Fresh(string s) => new(s.AsSpan());

    [Benchmark(OperationsPerInvoke = 100)]
    public int Add100Spans()
    {
        // New trace ids each time (else every span is a repeat the store ignores).
        for (var i = 0; i < _batch.Length; i++)
        {
            if (i % SpansPerTrace == 0)
            {
                _nextTrace++;
            }

            _batch[i] = _batch[i] with { TraceId = new TraceId(0x0123456789abcdef, _nextTrace) };
        }

        var added = _store.Add(_batch);
        return added == _batch.Length ? added : throw new InvalidOperationException($"only {added} of {_batch.Length} spans were stored");
    }

    [Benchmark]
    public PagedResult<TraceSummary> SearchServiceErrors() =>
        _store.Search(new TraceQuery { Service = "rag-service", ErrorsOnly = true, Limit = 20 });
}
