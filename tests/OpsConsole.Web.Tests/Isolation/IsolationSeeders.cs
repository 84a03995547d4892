using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>One of the two tenants of the isolation proof and the string that marks its data.</summary>
/// <param name="Id">The tenant id.</param>
/// <param name="Marker">Appears in this tenant's data and nowhere else (no request the walk makes contains it).</param>
/// <param name="Service">This tenant's service (its name carries the marker, so service lists are checked too).</param>
/// <param name="UsageMarker">A number found in this tenant's usage and nowhere else (usage rollups carry no text).</param>
public sealed record IsolationTenant(string Id, string Marker, string Service, long UsageMarker)
{
    /// <summary>The tenant whose admin walks every surface.</summary>
    public static IsolationTenant Acme { get; } = new("acme", "ACME_2b8d4e60", "storefront-ACME_2b8d4e60", 5_182_736);

    /// <summary>The tenant whose markers must never reach <see cref="Acme"/>'s admin.</summary>
    public static IsolationTenant Globex { get; } = new("globex", "GLOBEX_7f3a9c1e", "ledger-GLOBEX_7f3a9c1e", 7_391_846);

    /// <summary>Every way the tenant's markers can be written: the text, and the usage number plain or grouped.</summary>
    public IReadOnlyList<string> Markers => [Marker, UsageMarker.ToString(CultureInfo.InvariantCulture), UsageMarker.ToString("N0", CultureInfo.InvariantCulture)];

    public static IReadOnlyList<IsolationTenant> Both { get; } = [Acme, Globex];
}

/// <summary>
/// Seeds one kind of data for both tenants. The walk fills route parameters from what seeders record
/// (<see cref="IsolationSeedContext.Record"/>), so a seeder for a new kind of data (usage rollups, say) is added to
/// <see cref="IsolationSeeders.All"/> and its ids are walked with no other change.
/// </summary>
public interface IIsolationSeeder
{
    string Name { get; }

    Task SeedAsync(IsolationSeedContext context);
}

/// <summary>What seeders work with: the console, an Admin client, the time, and where ids are recorded.</summary>
public sealed class IsolationSeedContext(IsolationConsoleFactory factory, HttpClient admin, DateTimeOffset now)
{
    private readonly Dictionary<string, List<(IsolationTenant Tenant, string Value)>> _values = new(StringComparer.OrdinalIgnoreCase);

    public IsolationConsoleFactory Factory { get; } = factory;

    public HttpClient Admin { get; } = admin;

    public DateTimeOffset Now { get; } = now;

    /// <summary>Records a value for route/query parameters named <paramref name="parameter"/> (case-insensitive).</summary>
    public void Record(string parameter, IsolationTenant tenant, string value)
    {
        if (!_values.TryGetValue(parameter, out var list))
        {
            _values[parameter] = list = [];
        }

        if (!list.Contains((tenant, value)))
        {
            list.Add((tenant, value));
        }
    }

    public IReadOnlyDictionary<string, List<(IsolationTenant Tenant, string Value)>> Values => _values;

    public IEnumerable<string> ValuesFor(string parameter) =>
        _values.TryGetValue(parameter, out var list) ? list.Select(v => v.Value) : [];

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Seeding {what} failed: {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds (30 s at most).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}

/// <summary>The seeders of the isolation proof. Add one here for each new kind of tenant data.</summary>
public static class IsolationSeeders
{
    public static IReadOnlyList<IIsolationSeeder> All { get; } =
    [
        new TelemetrySeeder(),
        new HealthCheckSeeder(),
        new AlertSeeder(),
        new AuditSeeder(),
        new DashboardSeeder(),
        new UsageSeeder(),
    ];

    internal static string Nanos(DateTimeOffset t) => ((ulong)t.ToUnixTimeMilliseconds() * 1_000_000UL).ToString(CultureInfo.InvariantCulture);

    internal static string Hex(int bytes) => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
}

/// <summary>
/// Spans and logs over OTLP/HTTP (the marker in a resource attribute, the service name, the span name, a span attribute, the
/// log body and a log attribute) and series through the native API (a label value, a metric named with the marker with
/// the marker in its help text, and a default-tenant series labelled <c>tenant_id</c>, as scraped ones are).
/// </summary>
public sealed class TelemetrySeeder : IIsolationSeeder
{
    public string Name => "spans, logs and series";

    public async Task SeedAsync(IsolationSeedContext context)
    {
        foreach (var tenant in IsolationTenant.Both)
        {
            var traceId = IsolationSeeders.Hex(16);
            var root = IsolationSeeders.Hex(8);
            var child = IsolationSeeders.Hex(8);
            var start = context.Now.AddSeconds(-90);
            string Resource(string service) => $$$"""
                {"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}},{"key":"tenant.id","value":{"stringValue":"{{{tenant.Id}}}"}},
                  {"key":"host.name","value":{"stringValue":"host-{{{tenant.Marker}}}"}}]}
                """;
            string Span(string id, string? parent, string name, int kind, int offsetMs, int durationMs, int status) => $$$"""
                {"traceId":"{{{traceId}}}","spanId":"{{{id}}}"{{{(parent is null ? "" : $",\"parentSpanId\":\"{parent}\"")}}},"name":"{{{name}}}","kind":{{{kind}}},
                 "startTimeUnixNano":"{{{IsolationSeeders.Nanos(start.AddMilliseconds(offsetMs))}}}","endTimeUnixNano":"{{{IsolationSeeders.Nanos(start.AddMilliseconds(offsetMs + durationMs))}}}",
                 "attributes":[{"key":"marker","value":{"stringValue":"{{{tenant.Marker}}}"}},{"key":"http.route","value":{"stringValue":"/pay/{{{tenant.Marker}}}"}}],
                 "status":{"code":{{{status}}}}}
                """;
            var traces = $$$"""
                {"resourceSpans":[
                  {"resource":{{{Resource(tenant.Service)}}},"scopeSpans":[{"spans":[{{{Span(root, null, "POST /pay " + tenant.Marker, 2, 0, 400, 2)}}},
                    {{{Span(child, root, "call store " + tenant.Marker, 3, 50, 300, 0)}}}]}]},
                  {"resource":{{{Resource("store-" + tenant.Marker)}}},"scopeSpans":[{"spans":[{{{Span(IsolationSeeders.Hex(8), child, "store write " + tenant.Marker, 2, 60, 250, 0)}}}]}]}
                ]}
                """;
            await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync("/v1/traces", Json(traces)), $"{tenant.Id}'s spans");
            context.Record("traceId", tenant, traceId);
            context.Record("spanId", tenant, root);

            var logs = $$$"""
                {"resourceLogs":[{"resource":{{{Resource(tenant.Service)}}},"scopeLogs":[{"logRecords":[
                  {"timeUnixNano":"{{{IsolationSeeders.Nanos(start.AddMilliseconds(100))}}}","severityNumber":17,"severityText":"ERROR",
                   "body":{"stringValue":"payment failed for {{{tenant.Marker}}}"},"traceId":"{{{traceId}}}","spanId":"{{{root}}}",
                   "attributes":[{"key":"marker","value":{"stringValue":"{{{tenant.Marker}}}"}}]},
                  {"timeUnixNano":"{{{IsolationSeeders.Nanos(start.AddMilliseconds(200))}}}","severityNumber":9,"severityText":"INFO",
                   "body":{"stringValue":"payment retried {{{tenant.Marker}}}"},"attributes":[{"key":"marker","value":{"stringValue":"{{{tenant.Marker}}}"}}]}
                ]}]}]}
                """;
            await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync("/v1/logs", Json(logs)), $"{tenant.Id}'s logs");

            // Ten samples, 15 s apart, up to now: enough for rate() over the default windows.
            var samples = new List<string>();
            for (var i = 9; i >= 0; i--)
            {
                var at = context.Now.AddSeconds(-15 * i).ToUnixTimeMilliseconds();
                samples.Add($$"""{"name":"isolation_probe","labels":{"job":"{{tenant.Service}}","marker":"{{tenant.Marker}}"},"value":{{10 - i}},"timestamp":{{at}}}""");
                samples.Add($$"""{"name":"{{tenant.Marker}}_payments_total","labels":{"job":"{{tenant.Service}}"},"value":{{(10 - i) * 3}},"timestamp":{{at}},"type":"counter","help":"payments of {{tenant.Marker}}"}""");
            }

            await IsolationSeedContext.OkJsonAsync(
                await context.Admin.PostAsync($"/api/v1/monitoring/metrics?tenant={tenant.Id}", Json($"{{\"metrics\":[{string.Join(',', samples)}]}}")),
                $"{tenant.Id}'s series");
            // As a scrape would: the default tenant, with the tenant named by a tenant_id label.
            var scraped = $$"""{"metrics":[{"name":"isolation_scraped","labels":{"job":"scraper","tenant_id":"{{tenant.Id}}","marker":"{{tenant.Marker}}"},"value":1,"timestamp":{{context.Now.ToUnixTimeMilliseconds()}}}]}""";
            await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync("/api/v1/monitoring/metrics", Json(scraped)), $"{tenant.Id}'s scraped series");
            context.Record("service", tenant, tenant.Service);
        }

        // Log ids, for /logs/{id}/context: as the Admin sees them.
        foreach (var tenant in IsolationTenant.Both)
        {
            var found = await IsolationSeedContext.EventuallyAsync(
                async () => await context.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/monitoring/logs/search?q={Uri.EscapeDataString("tenant:" + tenant.Id)}&from={Uri.EscapeDataString(context.Now.AddMinutes(-10).ToString("O", CultureInfo.InvariantCulture))}"),
                body => body.GetRawText().Contains(tenant.Marker, StringComparison.Ordinal),
                $"{tenant.Id}'s logs to be searchable");
            foreach (var id in Ids(found, "id"))
            {
                context.Record("id", tenant, id);
            }
        }
    }

    internal static IEnumerable<string> Ids(JsonElement element, string property)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    if (p.NameEquals(property) && p.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return p.Value.GetString()!;
                    }

                    foreach (var nested in Ids(p.Value, property))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var nested in Ids(item, property))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}

/// <summary>Health checks reported for each tenant: the marker in the service, the check and the message.</summary>
public sealed class HealthCheckSeeder : IIsolationSeeder
{
    public string Name => "health checks";

    public async Task SeedAsync(IsolationSeedContext context)
    {
        foreach (var tenant in IsolationTenant.Both)
        {
            await ReportAsync(context, tenant, "unhealthy", context.Now);
        }
    }

    internal static async Task ReportAsync(IsolationSeedContext context, IsolationTenant tenant, string status, DateTimeOffset at)
    {
        var body = $$"""
            {"checks":[{"service":"{{tenant.Service}}","check":"db-{{tenant.Marker}}","status":"{{status}}","message":"database of {{tenant.Marker}} is {{status}}",
              "durationMs":12,"timestamp":{{at.ToUnixTimeMilliseconds()}}}]}
            """;
        await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync($"/api/v1/monitoring/health-checks?tenant={tenant.Id}", Json(body)), $"{tenant.Id}'s health check");
    }
}

/// <summary>
/// A rule group evaluated every second: a recording rule that keeps each tenant's marker and <c>tenant_id</c>, and an
/// alert that fires for every tenant's <c>isolation_probe</c>, each alert carrying its tenant's marker in a label (from the
/// series) and in an annotation. Waits until both fire and records their ids.
/// </summary>
public sealed class AlertSeeder : IIsolationSeeder
{
    public string Name => "alerts";

    public async Task SeedAsync(IsolationSeedContext context)
    {
        var rules = """
            groups:
              - name: isolation
                interval: 1s
                rules:
                  - record: isolation:probe:by_marker
                    expr: sum by (marker, tenant_id) (isolation_probe)
                  - alert: IsolationProbeHigh
                    expr: isolation_probe > 0
                    labels:
                      severity: critical
                    annotations:
                      summary: "probe of {{ $labels.marker }} is {{ $value }}"
            """;
        await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync("/api/v1/rules", new StringContent(rules, Encoding.UTF8, "application/yaml")), "the alert rule");
        var alerts = await IsolationSeedContext.EventuallyAsync(
            () => context.Admin.GetFromJsonAsync<JsonElement>("/api/v1/monitoring/alerts?state=firing"),
            body => IsolationTenant.Both.All(t => body.GetRawText().Contains(t.Marker, StringComparison.Ordinal)),
            "the isolation alert to fire for both tenants");
        foreach (var alert in alerts.EnumerateArray())
        {
            var text = alert.GetRawText();
            var tenant = IsolationTenant.Both.FirstOrDefault(t => text.Contains(t.Marker, StringComparison.Ordinal));
            if (tenant is null)
            {
                continue;
            }

            foreach (var id in TelemetrySeeder.Ids(alert, "id").Concat(TelemetrySeeder.Ids(alert, "fingerprint")))
            {
                context.Record("id", tenant, id);
                context.Record("fingerprint", tenant, id);
                context.Record("alert", tenant, id);
            }
        }
    }
}

/// <summary>
/// Audit entries of each tenant: an ingest key and a tenant-admin user created for it, each named with its marker.
/// </summary>
public sealed class AuditSeeder : IIsolationSeeder
{
    public string Name => "audit entries";

    public async Task SeedAsync(IsolationSeedContext context)
    {
        foreach (var tenant in IsolationTenant.Both)
        {
            var key = await IsolationSeedContext.OkJsonAsync(
                await context.Admin.PostAsJsonAsync("/api/v1/admin/api-keys", new { name = "ingest " + tenant.Marker, scope = "ingest", tenantId = tenant.Id }),
                $"{tenant.Id}'s ingest key");
            context.Record("id", tenant, key.GetProperty("apiKey").GetProperty("id").GetString()!);
            await IsolationSeedContext.OkJsonAsync(
                await context.Admin.PostAsJsonAsync("/api/v1/admin/users", new
                {
                    userName = "admin-" + tenant.Marker.ToLowerInvariant().Replace('_', '-'),
                    displayName = "Admin of " + tenant.Marker,
                    password = "isolation-walk-password-1",
                    role = "TenantAdmin",
                    tenantId = tenant.Id,
                }),
                $"{tenant.Id}'s tenant admin");
        }
    }
}

/// <summary>
/// A dashboard whose panels show <c>isolation_probe</c> by its marker label (so each tenant's panel values carry its
/// marker) and each tenant's own metric; its definition names no marker.
/// </summary>
public sealed class DashboardSeeder : IIsolationSeeder
{
    public const string Uid = "isolation-walk";

    public string Name => "dashboards";

    public async Task SeedAsync(IsolationSeedContext context)
    {
        var dashboard = $$$"""
            { "dashboard": {
              "schemaVersion": 1, "uid": "{{{Uid}}}", "title": "Isolation walk", "time": { "from": "now-15m", "to": "now" }, "refresh": "live",
              "rows": [ { "title": "Probe", "panels": [
                { "title": "Probe by marker", "type": "timeseries", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 6 },
                  "targets": [ { "expr": "sum by (marker) (isolation_probe)", "legendFormat": "{{marker}}" } ] },
                { "title": "Probe table", "type": "table", "gridPos": { "x": 12, "y": 0, "w": 12, "h": 6 },
                  "targets": [ { "expr": "isolation_probe" } ] },
                { "title": "Probe now", "type": "stat", "gridPos": { "x": 0, "y": 6, "w": 12, "h": 4 },
                  "targets": [ { "expr": "max by (marker) (isolation_scraped)", "legendFormat": "{{marker}}" } ] } ] } ] } }
            """;
        await IsolationSeedContext.OkJsonAsync(await context.Admin.PostAsync("/api/v1/dashboards", Json(dashboard)), "the dashboard");
        foreach (var tenant in IsolationTenant.Both)
        {
            context.Record("uid", tenant, Uid);
        }

        context.Record("version", IsolationTenant.Acme, "1");
    }
}

/// <summary>
/// Usage rollups: each tenant's quota refusals of a distinctive number of items (its <see cref="IsolationTenant.UsageMarker"/>)
/// in the current hour, written by a metering pass, and read back as the Admin.
/// </summary>
public sealed class UsageSeeder : IIsolationSeeder
{
    public string Name => "usage";

    public async Task SeedAsync(IsolationSeedContext context)
    {
        var meter = context.Factory.Services.GetRequiredService<OpsConsole.Web.Usage.UsageMeter>();
        foreach (var tenant in IsolationTenant.Both)
        {
            meter.RecordQuotaRejection(tenant.Id, tenant.UsageMarker, context.Now);
        }

        await meter.RunPassAsync();
        foreach (var tenant in IsolationTenant.Both)
        {
            using var response = await context.Admin.GetAsync($"/api/v1/monitoring/tenants/{tenant.Id}/usage?step=hour");
            var body = await IsolationSeedContext.OkJsonAsync(response, $"{tenant.Id}'s usage");
            Assert.Contains(tenant.UsageMarker.ToString(CultureInfo.InvariantCulture), body.GetRawText(), StringComparison.Ordinal);
        }
    }
}
