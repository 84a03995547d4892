using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>
/// The trace search, trace and service-map API on the real console (fake clock at 2026-11-02 09:00 UTC): bad input is
/// a 400 naming the parameter; tenant admins only ever see their tenant; ranges older than memory come from the database.
/// </summary>
public sealed class TraceExplorerApiTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private const string AcmeTrace = "aaf92f3577b34da6a3ce929d0e0e4736";
    private const string GlobexTrace = "bbf92f3577b34da6a3ce929d0e0e4736";
    private const string OldTrace = "ccf92f3577b34da6a3ce929d0e0e4736";

    private long NowMs => factory.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task SeedAsync()
    {
        using var admin = factory.CreateAdminClient();
        foreach (var (tenant, trace, order) in new[] { ("acme", AcmeTrace, "ord-1234"), ("globex", GlobexTrace, "ord-9999") })
        {
            var start = NowMs - 60_000;
            using var response = await admin.PostAsync($"/api/v1/monitoring/traces?tenant={tenant}", Json(
                "{\"spans\":[" +
                $"{{\"traceId\":\"{trace}\",\"spanId\":\"10f067aa0ba902b7\",\"name\":\"POST /v1/chat\",\"service\":\"api-gateway\",\"kind\":\"server\",\"startTime\":{start},\"durationMs\":1800,\"attributes\":{{\"order.id\":\"{order}\"}}}}," +
                $"{{\"traceId\":\"{trace}\",\"spanId\":\"10f067aa0ba902b8\",\"parentSpanId\":\"10f067aa0ba902b7\",\"name\":\"rag.query\",\"service\":\"rag-service\",\"kind\":\"server\",\"startTime\":{start + 5},\"durationMs\":1700,\"status\":\"error\"}}," +
                $"{{\"traceId\":\"{trace}\",\"spanId\":\"10f067aa0ba902b9\",\"parentSpanId\":\"10f067aa0ba902b8\",\"name\":\"SELECT\",\"service\":\"rag-service\",\"kind\":\"client\",\"startTime\":{start + 10},\"durationMs\":40,\"attributes\":{{\"db.system\":\"postgresql\"}}}}]}}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    [Theory]
    [InlineData("/api/v1/monitoring/traces/12345", "traceId", "32 hex digits")]
    [InlineData("/api/v1/monitoring/traces/00000000000000000000000000000000", "traceId", "not all zero")]
    [InlineData("/api/v1/monitoring/traces?tag=order.id%3D~(unclosed", "tag", "not a valid regular expression")]
    [InlineData("/api/v1/monitoring/traces?tag=%3Dvalue", "tag", "no attribute key")]
    [InlineData("/api/v1/monitoring/traces?minDuration=fast", "minDuration", "not a duration")]
    [InlineData("/api/v1/monitoring/traces?maxDuration=-5ms", "maxDuration", "not a duration")]
    [InlineData("/api/v1/monitoring/traces?minDuration=2s&maxDuration=1s", "maxDuration", "shorter than minDuration")]
    [InlineData("/api/v1/monitoring/traces?from=2026-10-01T00:00:00Z&to=2026-10-09T00:00:00Z", "from", "longer than 7 days")]
    [InlineData("/api/v1/monitoring/traces?range=30d", "from", "longer than 7 days")]
    [InlineData("/api/v1/monitoring/traces?range=soon", "range", "not a range")]
    [InlineData("/api/v1/monitoring/traces?from=2026-11-02T08:00:00Z&to=2026-11-02T07:00:00Z", "to", "after from")]
    [InlineData("/api/v1/monitoring/traces?limit=5001", "limit", "from 1 to 5000")]
    [InlineData("/api/v1/monitoring/traces?limit=lots", "limit", "from 1 to 5000")]
    [InlineData("/api/v1/monitoring/traces?sort=random", "sort", "start, start_asc, duration or duration_asc")]
    [InlineData("/api/v1/monitoring/service-map?range=8d", "from", "longer than 7 days")]
    [InlineData("/api/v1/monitoring/service-map?service=x", "service", "only from, to, range and tenant")]
    public async Task BadInput_Answers400NamingTheParameterAndTheProblem(string url, string field, string message)
    {
        using var admin = factory.CreateAdminClient();

        using var response = await admin.GetAsync(url);

        var problem = await ProblemAsync(response);
        var errors = problem.GetProperty("errors").GetProperty(field);
        Assert.Contains(message, errors[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_TagWildcardDurationWithUnitsAndServices_FindsTheTrace()
    {
        await SeedAsync();
        using var admin = factory.CreateAdminClient();

        var found = await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?tag=order.id%3Dord-12*&minDuration=1.5s&maxDuration=2s&services=rag-service,api-gateway");
        var tooLong = await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?tag=order.id%3Dord-12*&minDuration=1.9s");
        // One span must satisfy all span conditions: the order id is on the root, the error on its child.
        var notTogether = await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?tag=order.id%3Dord-12*&errors=true");

        var item = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(AcmeTrace, item.GetProperty("traceId").GetString());
        Assert.Equal("acme", item.GetProperty("tenantId").GetString());
        Assert.Equal(3, item.GetProperty("spanCount").GetInt32());
        Assert.Equal(1, item.GetProperty("errorCount").GetInt32());
        Assert.Equal(["api-gateway", "rag-service"], item.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(tooLong.GetProperty("items").EnumerateArray());
        Assert.Empty(notTogether.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task TenantAdmin_AskingForAnotherTenant_StillOnlySeesTheirOwn()
    {
        await SeedAsync();
        var globexKey = await factory.CreateKeyAsync("traces-globex-" + Guid.NewGuid().ToString("N")[..6], "role", "TenantAdmin", "globex");
        using var globex = factory.CreateApiClient(globexKey);
        using var admin = factory.CreateAdminClient();

        var asked = await globex.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?tenant=acme&limit=100");
        var byTag = await globex.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?tag=order.id%3Dord-1234&tenant=acme");
        using var acmeTrace = await globex.GetAsync($"/api/v1/monitoring/traces/{AcmeTrace}");
        var ownTrace = await globex.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/traces/{GlobexTrace}");
        var adminAcme = await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/traces?tenant=acme&limit=100");

        var items = asked.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, t => t.GetProperty("traceId").GetString() == GlobexTrace);
        Assert.All(items, t => Assert.Equal("globex", t.GetProperty("tenantId").GetString()));
        Assert.Empty(byTag.GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, acmeTrace.StatusCode);
        Assert.All(ownTrace.GetProperty("spans").EnumerateArray(), s => Assert.Equal("globex", s.GetProperty("tenantId").GetString()));
        Assert.All(adminAcme.GetProperty("items").EnumerateArray(), t => Assert.Equal("acme", t.GetProperty("tenantId").GetString()));
        Assert.Contains(adminAcme.GetProperty("items").EnumerateArray(), t => t.GetProperty("traceId").GetString() == AcmeTrace);
    }

    [Fact]
    public async Task OlderThanMemory_SearchAndTraceById_ComeFromTheDatabase()
    {
        // Written to the database only, two days back: the hot store (complete since start-up minus the reload
        // window) does not hold it.
        var start = factory.Clock.GetUtcNow() - TimeSpan.FromDays(2);
        var startNs = (ulong)start.ToUnixTimeMilliseconds() * 1_000_000;
        TraceId.TryParse(OldTrace, out var id);
        var resource = new TelemetryResource([new("service.name", AttributeValue.Of("billing"))]);
        using (var _ = factory.CreateAdminClient())
        {
            await factory.Services.GetRequiredService<TelemetryWriter>().WriteAsync(new TelemetryBatch
            {
                Spans =
                [
                    new Span { TenantId = "acme", TraceId = id, SpanId = new SpanId(1), Name = "invoice.run", StartTimeUnixNano = startNs, EndTimeUnixNano = startNs + 3_000_000_000, Resource = resource, Kind = SpanKind.Server },
                    new Span { TenantId = "acme", TraceId = id, SpanId = new SpanId(2), ParentSpanId = new SpanId(1), Name = "charge", StartTimeUnixNano = startNs + 1_000, EndTimeUnixNano = startNs + 2_000_000_000, Resource = resource, StatusCode = SpanStatusCode.Error },
                ],
            }, CancellationToken.None);
        }

        using var admin = factory.CreateAdminClient();
        var from = Uri.EscapeDataString((start - TimeSpan.FromHours(1)).ToString("O"));
        var to = Uri.EscapeDataString((start + TimeSpan.FromHours(1)).ToString("O"));

        var found = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/traces?from={from}&to={to}&service=billing&errors=true&minDuration=2.5s");
        var trace = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/traces/{OldTrace}");
        var map = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/service-map?from={from}&to={to}");

        Assert.True(found.GetProperty("usedDatabase").GetBoolean());
        var item = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(OldTrace, item.GetProperty("traceId").GetString());
        Assert.Equal("invoice.run", item.GetProperty("rootOperation").GetString());
        Assert.Equal(3000, item.GetProperty("durationMs").GetDouble());
        Assert.Equal(2, trace.GetProperty("spans").GetArrayLength());
        Assert.Contains(map.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("name").GetString() == "billing");
    }

    [Fact]
    public async Task ServiceMap_EdgesBetweenServicesAndToDependencies_PerTenant()
    {
        await SeedAsync();
        var globexKey = await factory.CreateKeyAsync("map-globex-" + Guid.NewGuid().ToString("N")[..6], "role", "TenantAdmin", "globex");
        using var globex = factory.CreateApiClient(globexKey);
        using var admin = factory.CreateAdminClient();

        var all = await admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/service-map?range=1h");
        var mine = await globex.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/service-map?range=1h&tenant=acme");

        var edges = all.GetProperty("edges").EnumerateArray().Select(e => (e.GetProperty("from").GetString(), e.GetProperty("to").GetString())).ToList();
        Assert.Contains(("api-gateway", "rag-service"), edges);
        Assert.Contains(("rag-service", "postgresql"), edges);
        var call = all.GetProperty("edges").EnumerateArray().First(e => e.GetProperty("to").GetString() == "rag-service");
        Assert.True(call.GetProperty("calls").GetInt64() >= 2);
        Assert.Equal(1.0, call.GetProperty("errorRate").GetDouble());
        Assert.Equal(1700, call.GetProperty("p95Ms").GetDouble());
        var dependency = all.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "postgresql");
        Assert.Equal("dependency", dependency.GetProperty("kind").GetString());
        Assert.Equal(all.GetProperty("edges").EnumerateArray().First(e => e.GetProperty("to").GetString() == "rag-service").GetProperty("calls").GetInt64() / 2,
            mine.GetProperty("edges").EnumerateArray().First(e => e.GetProperty("to").GetString() == "rag-service").GetProperty("calls").GetInt64());
    }
}
