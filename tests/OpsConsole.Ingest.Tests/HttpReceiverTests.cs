using System.Security.Claims;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Metrics;
using OpsConsole.Ingest.Tests.Support;
using RpcStatus = OpsConsole.Ingest.Otlp.Proto.Rpc.Status;

namespace OpsConsole.Ingest.Tests;

public sealed class HttpReceiverTests : IDisposable
{
    private readonly RecordingSink _sink = new();
    private readonly ServiceProvider _services;
    private readonly OtlpHttpReceiver _receiver;

    public HttpReceiverTests() : this(new Dictionary<string, string?>())
    {
    }

    private HttpReceiverTests(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Ingest:MaxRequestBytes", "100000");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ITelemetrySink>(_sink);
        services.AddOtlpIngest(configuration);
        _services = services.BuildServiceProvider();
        _receiver = _services.GetRequiredService<OtlpHttpReceiver>();
    }

    public void Dispose() => _services.Dispose();

    private sealed record Answer(int Status, string? ContentType, string? RetryAfter, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    private async Task<Answer> PostAsync(OtlpSignal signal, byte[] body, string? contentType = OtlpMediaTypes.Protobuf, string? encoding = null,
        ClaimsPrincipal? user = null, bool sendLength = true)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Post;
        http.Request.ContentType = contentType;
        http.Request.Body = new MemoryStream(body);
        if (sendLength)
        {
            http.Request.ContentLength = body.Length;
        }

        if (encoding is not null)
        {
            http.Request.Headers.ContentEncoding = encoding;
        }

        if (user is not null)
        {
            http.User = user;
        }

        var response = new MemoryStream();
        http.Response.Body = response;
        await _receiver.HandleAsync(http, signal);
        return new Answer(http.Response.StatusCode, http.Response.ContentType, http.Response.Headers.RetryAfter, response.ToArray());
    }

    [Fact]
    public async Task HandleAsync_ValidProtobufTraces_200WithEmptyResponseAndSpansStored()
    {
        var answer = await PostAsync(OtlpSignal.Traces, OtlpWire.Traces(null, OtlpWire.Span()).ToByteArray());

        Assert.Equal(200, answer.Status);
        Assert.Equal(OtlpMediaTypes.Protobuf, answer.ContentType);
        Assert.Null(ExportTraceServiceResponse.Parser.ParseFrom(answer.Body).PartialSuccess);
        Assert.Equal("GET /orders", Assert.Single(_sink.Spans).Name);
    }

    [Fact]
    public async Task HandleAsync_SomeInvalidSpans_200WithPartialSuccess()
    {
        var bad = OtlpWire.Span("bad");
        bad.TraceId = OtlpWire.Zeros(16);

        var answer = await PostAsync(OtlpSignal.Traces, OtlpWire.Traces(null, OtlpWire.Span(), bad).ToByteArray());

        Assert.Equal(200, answer.Status);
        var partial = ExportTraceServiceResponse.Parser.ParseFrom(answer.Body).PartialSuccess;
        Assert.Equal(1, partial.RejectedSpans);
        Assert.Equal("1 spans rejected: span 'bad': trace id is all zero", partial.ErrorMessage);
        Assert.Single(_sink.Spans);
    }

    [Fact]
    public async Task HandleAsync_AllItemsInvalid_200WithAllRejectedAndSinkNotCalled()
    {
        var bad = OtlpWire.Span("bad");
        bad.SpanId = ByteString.Empty;

        var answer = await PostAsync(OtlpSignal.Traces, OtlpWire.Traces(null, bad).ToByteArray());

        Assert.Equal(200, answer.Status);
        Assert.Equal(1, ExportTraceServiceResponse.Parser.ParseFrom(answer.Body).PartialSuccess.RejectedSpans);
        Assert.Equal(0, _sink.Calls);
    }

    [Fact]
    public async Task HandleAsync_JsonLogsWithRejectedRecord_JsonResponseWithPartialSuccess()
    {
        const string json = """
            {"resourceLogs":[{"scopeLogs":[{"logRecords":[
              {"timeUnixNano":"1","body":{"stringValue":"ok"}},
              {"timeUnixNano":"2","traceId":"0102","body":{"stringValue":"bad trace"}}]}]}]}
            """;

        var answer = await PostAsync(OtlpSignal.Logs, Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8");

        Assert.Equal(200, answer.Status);
        Assert.Equal(OtlpMediaTypes.Json, answer.ContentType);
        Assert.Equal("""{ "partialSuccess": { "rejectedLogRecords": "1", "errorMessage": "1 log records rejected: log record: trace id has 2 bytes, not 16" } }""", answer.Text);
        Assert.Equal("ok", Assert.Single(_sink.Logs).Body.StringValue);
    }

    [Fact]
    public async Task HandleAsync_GzipJsonMetrics_Accepted()
    {
        const string json = """{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"up","gauge":{"dataPoints":[{"asDouble":1,"timeUnixNano":"1700000000000000000"}]}}]}]}]}""";

        var answer = await PostAsync(OtlpSignal.Metrics, DecodingTests.Gzip(Encoding.UTF8.GetBytes(json)), OtlpMediaTypes.Json, "gzip");

        Assert.Equal(200, answer.Status);
        Assert.Equal("{ }", answer.Text);
        Assert.Equal("up", Assert.Single(_sink.Samples).Labels.ToString());
    }

    [Fact]
    public async Task HandleAsync_GarbageProtobuf_400WithStatusMessage()
    {
        var answer = await PostAsync(OtlpSignal.Logs, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);

        Assert.Equal(400, answer.Status);
        Assert.Equal(OtlpMediaTypes.Protobuf, answer.ContentType);
        var status = RpcStatus.Parser.ParseFrom(answer.Body);
        Assert.Equal(3, status.Code);
        Assert.StartsWith("The body is not a valid protobuf ExportLogsServiceRequest", status.Message, StringComparison.Ordinal);
        Assert.Equal(0, _sink.Calls);
    }

    [Fact]
    public async Task HandleAsync_BadJson_400JsonStatus()
    {
        var answer = await PostAsync(OtlpSignal.Traces, "{\"resourceSpans\": ["u8.ToArray(), OtlpMediaTypes.Json);

        Assert.Equal(400, answer.Status);
        Assert.Equal(OtlpMediaTypes.Json, answer.ContentType);
        Assert.Contains("\"message\": \"The body is not valid JSON", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_BadGzip_400()
    {
        var answer = await PostAsync(OtlpSignal.Traces, [1, 2, 3], encoding: "gzip");

        Assert.Equal(400, answer.Status);
        Assert.Equal("The request body is not valid gzip data.", RpcStatus.Parser.ParseFrom(answer.Body).Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandleAsync_OverMaxRequestBytes_413(bool sendLength)
    {
        var answer = await PostAsync(OtlpSignal.Traces, new byte[100_001], sendLength: sendLength);

        Assert.Equal(413, answer.Status);
        Assert.Equal("The request body is larger than the limit of 100000 bytes (Ingest:MaxRequestBytes); send smaller batches.", RpcStatus.Parser.ParseFrom(answer.Body).Message);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/grpc")]
    [InlineData(null)]
    public async Task HandleAsync_OtherContentType_415(string? contentType)
    {
        var answer = await PostAsync(OtlpSignal.Traces, [], contentType);

        Assert.Equal(415, answer.Status);
        Assert.Contains("send application/x-protobuf or application/json", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_OtherContentEncoding_415()
    {
        var answer = await PostAsync(OtlpSignal.Traces, [], encoding: "br");

        Assert.Equal(415, answer.Status);
    }

    [Fact]
    public async Task HandleAsync_SinkThrottled_429WithRetryAfterRoundedUp()
    {
        _sink.Respond = _ => new IngestResult(IngestOutcome.Throttled, Message: "queue full", RetryAfter: TimeSpan.FromSeconds(2.5));

        var answer = await PostAsync(OtlpSignal.Traces, OtlpWire.Traces(null, OtlpWire.Span()).ToByteArray());

        Assert.Equal(429, answer.Status);
        Assert.Equal("3", answer.RetryAfter);
        var status = RpcStatus.Parser.ParseFrom(answer.Body);
        Assert.Equal((8, "queue full"), (status.Code, status.Message));
    }

    [Fact]
    public async Task HandleAsync_SinkUnavailable_503WithDefaultRetryAfter()
    {
        _sink.Respond = _ => new IngestResult(IngestOutcome.Unavailable);

        var answer = await PostAsync(OtlpSignal.Logs, OtlpWire.Logs(null, new Otlp.Proto.Logs.LogRecord { TimeUnixNano = 1 }).ToByteArray());

        Assert.Equal(503, answer.Status);
        Assert.Equal("1", answer.RetryAfter);
        Assert.Equal(14, RpcStatus.Parser.ParseFrom(answer.Body).Code);
    }

    [Fact]
    public async Task HandleAsync_SinkRejectsSomeItems_CountedInPartialSuccess()
    {
        _sink.Respond = _ => new IngestResult(IngestOutcome.Accepted, RejectedItems: 2, Message: "2 spans outside retention");

        var answer = await PostAsync(OtlpSignal.Traces, OtlpWire.Traces(null, OtlpWire.Span()).ToByteArray());

        var partial = ExportTraceServiceResponse.Parser.ParseFrom(answer.Body).PartialSuccess;
        Assert.Equal((2L, "2 spans outside retention"), (partial.RejectedSpans, partial.ErrorMessage));
    }

    [Fact]
    public async Task HandleAsync_ThrottledDeltaMetrics_RetryNotCountedTwice()
    {
        var request = OtlpWire.Metrics(null, OtlpWire.Sum("jobs", "", true, AggregationTemporality.Delta, OtlpWire.Point(5, 1_700_000_000_000_000_000)));
        _sink.Respond = _ => new IngestResult(IngestOutcome.Throttled);
        await PostAsync(OtlpSignal.Metrics, request.ToByteArray());
        _sink.Respond = null;

        await PostAsync(OtlpSignal.Metrics, request.ToByteArray());

        Assert.Equal(5, Assert.Single(_sink.Samples, s => s.Labels.Name == "jobs_total").Value);
    }

    [Fact]
    public async Task HandleAsync_KeyRequiredAndAnonymous_401()
    {
        using var keyed = new HttpReceiverTests(new Dictionary<string, string?> { ["Ingest:RequireApiKey"] = "true" });

        var answer = await keyed.PostAsync(OtlpSignal.Traces, OtlpWire.Traces(null, OtlpWire.Span()).ToByteArray());

        Assert.Equal(401, answer.Status);
        Assert.Equal(16, RpcStatus.Parser.ParseFrom(answer.Body).Code);
        Assert.Equal(0, keyed._sink.Calls);
    }

    [Fact]
    public async Task HandleAsync_KeyBoundToTenant_PayloadTenantIgnored()
    {
        using var keyed = new HttpReceiverTests(new Dictionary<string, string?> { ["Ingest:RequireApiKey"] = "true" });
        var key = new ClaimsPrincipal(new ClaimsIdentity([new Claim("oc:tenant", "acme")], "ApiKey"));
        var request = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("tenant.id", "globex")), OtlpWire.Span());

        var answer = await keyed.PostAsync(OtlpSignal.Traces, request.ToByteArray(), user: key);

        Assert.Equal(200, answer.Status);
        Assert.Equal("acme", Assert.Single(keyed._sink.Spans).TenantId);
    }

    [Fact]
    public async Task HandleAsync_KeysNotRequired_TenantFromPayloadElseDefault()
    {
        var named = OtlpWire.Traces(OtlpWire.Resource(OtlpWire.Attr("tenant.id", "globex")), OtlpWire.Span());
        var unnamed = OtlpWire.Traces(null, OtlpWire.Span());

        await PostAsync(OtlpSignal.Traces, named.ToByteArray());
        await PostAsync(OtlpSignal.Traces, unnamed.ToByteArray());

        Assert.Equal(["globex", "default"], _sink.Spans.Select(s => s.TenantId));
    }

    [Fact]
    public void Resolve_AuthenticatedAllTenantPrincipal_Unbound()
    {
        var resolver = new IngestContextResolver(() => true, "oc:tenant");

        var admin = resolver.Resolve(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "Admin")], "ApiKey")));
        var badTenant = resolver.Resolve(new ClaimsPrincipal(new ClaimsIdentity([new Claim("oc:tenant", "Not Valid")], "ApiKey")));

        Assert.Same(IngestContext.Unbound, admin.Context);
        Assert.Null(badTenant.Context);
        Assert.Equal("The API key's tenant 'Not Valid' is not a valid tenant id.", badTenant.Failure);
    }
}
