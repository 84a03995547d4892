using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp.Proto.Rpc;
using OpsConsole.Ingest.Tests.Support;

namespace OpsConsole.Ingest.Tests;

/// <summary>Per-tenant ingest quotas on both OTLP transports, over real sockets: refused whole, with when to retry.</summary>
public sealed class IngestQuotaTests : IAsyncLifetime
{
    private const string TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private sealed class Quotas : IIngestQuotaSource
    {
        public IngestQuota QuotaOf(string tenantId) => tenantId switch
        {
            "hooli" => new IngestQuota(1, null),
            "tiny" => new IngestQuota(null, 10),
            _ => IngestQuota.Unlimited,
        };
    }

    private OtlpTestHost _host = null!;
    private readonly List<IngestQuotaRejection> _rejections = [];

    public async Task InitializeAsync()
    {
        _host = await OtlpTestHost.StartAsync(configureServices: b =>
        {
            b.Services.AddSingleton<IIngestQuotaSource, Quotas>();
            b.Services.AddSingleton<IngestQuotaLedger>();
        });
        Ledger.Rejected += r =>
        {
            lock (_rejections)
            {
                _rejections.Add(r);
            }
        };
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IngestQuotaLedger Ledger => _host.Services.GetRequiredService<IngestQuotaLedger>();

    private static byte[] Spans(string tenant, int n) =>
        OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("tenant.id", tenant), OtlpWire.Attr("service.name", "shop")),
            [.. Enumerable.Range(0, n).Select(i => OtlpWire.Span($"op {i}", spanHex: (i + 1).ToString("x16", CultureInfo.InvariantCulture)))]).ToByteArray();

    [Fact]
    public async Task Grpc_OverItemsPerMinute_ResourceExhaustedWithRetryInfo_NothingStored()
    {
        var first = await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, Spans("hooli", 1));
        var refused = await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, Spans("hooli", 2)); // 2 > 1 in any minute

        Assert.Equal(0, first.Status);
        Assert.Equal(8, refused.Status); // RESOURCE_EXHAUSTED
        Assert.Contains("Tenant 'hooli' is over its ingest quota of 1 items per minute", refused.Message, StringComparison.Ordinal);
        var delay = Assert.Single(Status.Parser.ParseFrom(refused.DetailsBytes()).Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan();
        Assert.InRange(delay, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Single(_host.Sink.Spans); // only the first request's span reached the sink
        Assert.Equal("hooli", Assert.Single(_rejections).TenantId);
    }

    [Fact]
    public async Task Http_OverBytesPerDay_429WithRetryAfterUntilMidnight_NothingStored_OtherTenantsUnaffected()
    {
        using var client = new HttpClient();
        using var refused = await PostAsync(client, Spans("tiny", 1)); // a span is far more than 10 bytes
        using var other = await PostAsync(client, Spans("acme", 3));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = long.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        var untilMidnight = (DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow).TotalSeconds;
        Assert.InRange(retryAfter, untilMidnight - 5, untilMidnight + 5);
        var status = Status.Parser.ParseFrom(await refused.Content.ReadAsByteArrayAsync());
        Assert.Equal(8, status.Code);
        Assert.Contains("10 bytes per UTC day", status.Message, StringComparison.Ordinal);
        Assert.Equal(retryAfter, (long)Assert.Single(status.Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan().TotalSeconds);

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.All(_host.Sink.Spans, s => Assert.Equal("acme", s.TenantId));
        Assert.Equal(3, _host.Sink.Spans.Count);
        Assert.Equal(0, Ledger.UseOf("tiny").BytesToday);
        Assert.True(Ledger.UseOf("acme").BytesToday > 0);
    }

    [Fact]
    public async Task SinkRefusesAfterAdmission_TheChargeIsTakenBack()
    {
        _host.Sink.Respond = _ => new IngestResult(IngestOutcome.Unavailable, Message: "database down");

        var call = await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, Spans("hooli", 1));

        Assert.Equal(14, call.Status); // UNAVAILABLE: the sink's answer, not the quota's
        Assert.Equal(0, Ledger.UseOf("hooli").ItemsThisMinute);
        _host.Sink.Respond = null;
        Assert.Equal(0, (await GrpcCall.UnaryAsync(_host.GrpcPort, TraceExport, Spans("hooli", 1))).Status);
    }

    private Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return client.PostAsync(_host.HttpEndpoint("/v1/traces"), content);
    }
}
