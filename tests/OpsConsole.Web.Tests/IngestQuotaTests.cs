using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Telemetry;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Common;
using OpsConsole.Ingest.Otlp.Proto.Logs;
using OpsConsole.Ingest.Otlp.Proto.Rpc;
using OpsConsole.Web.Tenancy;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests;

/// <summary>
/// Ingest quotas in the whole console: a tenant's override set through the admin API is enforced at the native JSON
/// intake and OTLP/HTTP at once (no restart), refused requests are answered 429 with Retry-After and store nothing.
/// </summary>
public sealed class IngestQuotaTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private TelemetryReader Reader => factory.Services.GetRequiredService<TelemetryReader>();

    /// <summary>A new tenant with the given overrides and an ingest key bound to it.</summary>
    private async Task<(string Tenant, HttpClient Client)> TenantAsync(long? itemsPerMinute, long? bytesPerDay)
    {
        using var admin = factory.CreateAdminClient();
        var id = "q-" + Guid.NewGuid().ToString("N")[..10];
        using var created = await admin.PostAsJsonAsync("/api/v1/admin/tenants", new { id, plan = "free" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var put = await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{id}",
            new { displayName = id, plan = "free", ingestItemsPerMinute = itemsPerMinute, ingestBytesPerDay = bytesPerDay });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var key = await factory.CreateKeyAsync("ingest-" + id, "ingest", tenantId: id);
        return (id, factory.CreateApiClient(key));
    }

    private static StringContent Logs(string marker, int n) =>
        Json("{\"logs\":[" + string.Join(",", Enumerable.Range(0, n).Select(i => $"{{\"message\":\"{marker} line {i}\",\"service\":\"shop\"}}")) + "]}");

    private async Task<int> StoredAsync(string tenant, string marker) =>
        (await Reader.GetLogsAsync(tenant, 0, ulong.MaxValue / 2, 10_000)).Count(l => l.Body.ToString().StartsWith(marker, StringComparison.Ordinal));

    private async Task<TenantQuotaView> ViewAsync(string tenant)
    {
        using var admin = factory.CreateAdminClient();
        return (await admin.GetFromJsonAsync<TenantQuotaView>($"/api/v1/admin/tenants/{tenant}", Web))!;
    }

    [Fact]
    public async Task NativeJson_OverItemsPerMinute_429UntilTheMinuteEnds_NothingStored_ThenAcceptedAgain()
    {
        var (tenant, client) = await TenantAsync(itemsPerMinute: 5, bytesPerDay: null);
        using var _ = client;
        var secondsIntoMinute = factory.Clock.GetUtcNow().Second;
        factory.Clock.Advance(TimeSpan.FromSeconds(secondsIntoMinute < 20 ? 20 - secondsIntoMinute : 80 - secondsIntoMinute)); // hh:mm:20

        using var first = await client.PostAsync("/api/v1/monitoring/logs", Logs("first", 3));
        using var refused = await client.PostAsync("/api/v1/monitoring/logs", Logs("second", 3));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("40", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Contains($"Tenant '{tenant}' is over its ingest quota of 5 items per minute (3 used this minute, this request has 3)",
            problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, await StoredAsync(tenant, "first"));
        Assert.Equal(0, await StoredAsync(tenant, "second"));
        var view = await ViewAsync(tenant);
        Assert.Equal((3L, 1L), (view.ItemsThisMinute, view.Rejections));
        Assert.Contains("5 items per minute", view.LastRejection, StringComparison.Ordinal);

        factory.Clock.Advance(TimeSpan.FromSeconds(40));
        using var again = await client.PostAsync("/api/v1/monitoring/logs", Logs("second", 3));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, await StoredAsync(tenant, "second"));
    }

    [Fact]
    public async Task NativeJson_OverBytesPerDay_429UntilUtcMidnight_ChunkedBodiesCountToo()
    {
        var body = Logs("bytes", 2);
        var size = (await body.ReadAsByteArrayAsync()).Length;
        var (tenant, client) = await TenantAsync(itemsPerMinute: null, bytesPerDay: size + 10);
        using var _ = client;

        using var first = await client.PostAsync("/api/v1/monitoring/logs", body);
        // Sent chunked (no Content-Length): still counted.
        var chunked = Logs("chunked", 2);
        chunked.Headers.ContentLength = null;
        using var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, "/api/v1/monitoring/logs") { Content = chunked };
        chunkedRequest.Headers.TransferEncodingChunked = true;
        using var refused = await client.SendAsync(chunkedRequest);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var now = factory.Clock.GetUtcNow();
        var untilMidnight = (long)Math.Ceiling((now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime).TotalSeconds);
        Assert.Equal(untilMidnight.ToString(CultureInfo.InvariantCulture), refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("bytes per UTC day", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredAsync(tenant, "chunked"));
        Assert.Equal(size, (await ViewAsync(tenant)).BytesToday);
    }

    [Fact]
    public async Task OtlpHttp_OverQuota_429WithRetryAfterAndStatus_NothingStored_RaisingTheQuotaLetsItIn()
    {
        var (tenant, client) = await TenantAsync(itemsPerMinute: 0, bytesPerDay: null); // 0: refuse everything
        using var _ = client;
        var seen = new List<IngestQuotaRejection>();
        void Record(IngestQuotaRejection r)
        {
            if (r.TenantId == tenant)
            {
                lock (seen)
                {
                    seen.Add(r);
                }
            }
        }

        var ledger = factory.Services.GetRequiredService<IngestQuotaLedger>();
        ledger.Rejected += Record;
        try
        {
            using var refused = await client.PostAsync("/v1/logs", OtlpLogs("otlp-refused"));

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(long.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) is >= 1 and <= 60);
            var status = Status.Parser.ParseFrom(await refused.Content.ReadAsByteArrayAsync());
            Assert.Equal(8, status.Code); // RESOURCE_EXHAUSTED, as OTLP/HTTP answers carry it
            Assert.Contains("0 items per minute", status.Message, StringComparison.Ordinal);
            Assert.Equal(0, await StoredAsync(tenant, "otlp-refused"));
            Assert.Single(seen);

            using var admin = factory.CreateAdminClient();
            using var raise = await admin.PutAsJsonAsync($"/api/v1/admin/tenants/{tenant}", new { displayName = tenant, plan = "free", ingestItemsPerMinute = 100 });
            Assert.Equal(HttpStatusCode.OK, raise.StatusCode);
            using var accepted = await client.PostAsync("/v1/logs", OtlpLogs("otlp-accepted"));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.Equal(1, await StoredAsync(tenant, "otlp-accepted"));
        }
        finally
        {
            ledger.Rejected -= Record;
        }
    }

    private static ByteArrayContent OtlpLogs(string message)
    {
        var request = new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    ScopeLogs = { new ScopeLogs { LogRecords = { new LogRecord { Body = new AnyValue { StringValue = message }, SeverityText = "INFO" } } } },
                },
            },
        };
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
