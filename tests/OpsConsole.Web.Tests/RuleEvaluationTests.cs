using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Tests.Infrastructure;
using static OpsConsole.Web.Tests.Infrastructure.JsonBody;
using static OpsConsole.Web.Tests.RuleApiTests;

namespace OpsConsole.Web.Tests;

/// <summary>Recording rules evaluated on the console's clock and written back as series, queried through /api/v1/query.</summary>
public sealed class RuleEvaluationTests
{
    /// <summary>Sends samples for tenant <paramref name="tenant"/>: (name, labels, value, time).</summary>
    internal static async Task SendAsync(HttpClient admin, string tenant, IEnumerable<(string Name, string Labels, double Value, DateTimeOffset At)> samples)
    {
        var metrics = string.Join(",", samples.Select(s =>
            $"{{\"name\":\"{s.Name}\",\"labels\":{s.Labels},\"value\":{s.Value.ToString(CultureInfo.InvariantCulture)},\"timestamp\":{s.At.ToUnixTimeMilliseconds()}}}"));
        using var response = await admin.PostAsync($"/api/v1/monitoring/metrics?tenant={tenant}", Json($"{{\"metrics\":[{metrics}]}}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static Task<JsonElement> GroupAsync(HttpClient client, string name) =>
        GroupsAsync(client).ContinueWith(t => t.Result.Single(g => g.GetProperty("name").GetString() == name), TaskScheduler.Default);

    internal static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Steps the clock to the group's next slot (once its schedule is waiting for it) and waits for that evaluation.</summary>
    internal static async Task<JsonElement> RunNextCycleAsync(OpsConsoleFactory factory, HttpClient client, string group)
    {
        var slot = factory.Clock.GetUtcNow();
        slot = slot.AddTicks(-(slot.UtcTicks % TimeSpan.TicksPerMinute)).AddMinutes(1);
        await EventuallyAsync(() => GroupAsync(client, group), g => g.GetProperty("nextEvaluation").GetString() == Rfc3339(slot),
            $"group {group} waits for its slot at {slot:O}");
        factory.Clock.Advance(slot - factory.Clock.GetUtcNow());
        return await EventuallyAsync(() => GroupAsync(client, group), g => g.GetProperty("lastEvaluation").GetString() == Rfc3339(slot),
            $"group {group} has been evaluated at {slot:O}");
    }

    internal static async Task<JsonElement[]> QueryAsync(HttpClient client, string query, DateTimeOffset at)
    {
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={Uri.EscapeDataString(query)}&time={at.ToUnixTimeSeconds()}");
        Assert.Equal("success", body.GetProperty("status").GetString());
        return [.. body.GetProperty("data").GetProperty("result").EnumerateArray()];
    }

    [Fact]
    public async Task Schedule_ClockReachesTheSlot_RulesRunInOrderAndTheirSeriesAreQueryable()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();
        var t0 = factory.Clock.GetUtcNow(); // 09:00:00, on a minute
        await SendAsync(admin, "acme",
        [
            ("queue_depth", "{\"job\":\"api\",\"instance\":\"a\"}", 3, t0.AddSeconds(-30)),
            ("queue_depth", "{\"job\":\"api\",\"instance\":\"b\"}", 4, t0.AddSeconds(-30)),
            .. Enumerable.Range(0, 20).SelectMany(i => new[]
            {
                // Two counters growing by 1 per second, scraped every 15 s over the five minutes before t0 (neither near
                // zero, so rate() extrapolates to the whole window as Prometheus does: exactly 1 per second each).
                ("requests_total", "{\"job\":\"api\",\"instance\":\"a\"}", 500 + (15.0 * i), t0.AddSeconds(-285 + (15 * i))),
                ("requests_total", "{\"job\":\"api\",\"instance\":\"b\"}", 1000 + (15.0 * i), t0.AddSeconds(-285 + (15 * i))),
            }),
        ]);
        var rules = """
            groups:
              - name: queue
                interval: 1m
                query_offset: 1m
                rules:
                  - record: job:queue_depth:sum
                    expr: sum by (job) (queue_depth)
                  - record: queue_depth:without_instance
                    expr: queue_depth
                    labels:
                      instance: ""
                  - record: job:queue_depth:sum_doubled
                    expr: job:queue_depth:sum * 2
                    labels:
                      doubled: "yes"
                  - record: job:requests:rate5m
                    expr: sum by (job) (rate(requests_total[5m]))
            """;
        (await admin.PostAsync("/api/v1/rules", Yaml(rules))).EnsureSuccessStatusCode();

        var group = await RunNextCycleAsync(factory, admin, "queue");

        var slot = t0.AddMinutes(1);
        var statuses = group.GetProperty("rules").EnumerateArray().Select(r => (r.GetProperty("health").GetString(), r.GetProperty("lastEvaluation").GetString())).ToList();
        Assert.Equal([("ok", Rfc3339(slot)), ("err", Rfc3339(slot)), ("ok", Rfc3339(slot)), ("ok", Rfc3339(slot))], statuses);
        Assert.Contains("same labelset after applying rule labels", group.GetProperty("rules")[1].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("", group.GetProperty("rules")[0].GetProperty("lastError").GetString());

        // Written at the query time (the slot less query_offset), so visible from then on.
        var sum = Assert.Single(await QueryAsync(admin, "job:queue_depth:sum", slot));
        Assert.Equal("api", sum.GetProperty("metric").GetProperty("job").GetString());
        Assert.Equal("job:queue_depth:sum", sum.GetProperty("metric").GetProperty("__name__").GetString());
        Assert.Equal(7.0, Number(sum.GetProperty("value")[1]));
        Assert.Empty(await QueryAsync(admin, "job:queue_depth:sum", t0.AddSeconds(-1)));
        // The third rule read what the first wrote in this same cycle; the failing second rule stopped nothing.
        var doubled = Assert.Single(await QueryAsync(admin, "job:queue_depth:sum_doubled", slot));
        Assert.Equal(14.0, Number(doubled.GetProperty("value")[1]));
        Assert.Equal("yes", doubled.GetProperty("metric").GetProperty("doubled").GetString());
        var rate = Assert.Single(await QueryAsync(admin, "job:requests:rate5m", slot));
        Assert.Equal(2.0, Number(rate.GetProperty("value")[1]), 9);
        Assert.Empty(await QueryAsync(admin, "queue_depth:without_instance", slot));

        // Recorded under the tenant whose series they came from.
        using var acme = factory.CreateApiClient(await factory.CreateKeyAsync("rules-acme", "role", Roles.TenantAdmin, "acme"));
        using var globex = factory.CreateApiClient(await factory.CreateKeyAsync("rules-globex", "role", Roles.TenantAdmin, "globex"));
        Assert.Single(await QueryAsync(acme, "job:queue_depth:sum", slot));
        Assert.Empty(await QueryAsync(globex, "job:queue_depth:sum", slot));

        var metrics = await (await factory.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("opsconsole_rule_evaluations_total{rule_group=\"queue\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("opsconsole_rule_evaluation_failures_total{rule_group=\"queue\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_SeriesGoneFromTheResult_IsMarkedStaleAsInPrometheus()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();
        var t0 = factory.Clock.GetUtcNow();
        await SendAsync(admin, "default",
        [
            ("jobs_running", "{\"job\":\"etl\"}", 2, t0.AddSeconds(-10)),
            ("jobs_running", "{\"job\":\"ml\"}", 5, t0.AddSeconds(-10)),
        ]);
        (await admin.PostAsync("/api/v1/rules", Yaml("""
            groups:
              - name: busy
                interval: 1m
                rules:
                  - record: job:jobs_running:busy
                    expr: jobs_running > 3
            """))).EnsureSuccessStatusCode();
        await RunNextCycleAsync(factory, admin, "busy");
        Assert.Equal(["ml"], (await QueryAsync(admin, "job:jobs_running:busy", t0.AddMinutes(1))).Select(r => r.GetProperty("metric").GetProperty("job").GetString()));

        // ml calms down: the next cycle records nothing for it, and its recorded series ends at once (not after 5 minutes).
        await SendAsync(admin, "default", [("jobs_running", "{\"job\":\"ml\"}", 1, t0.AddSeconds(70))]);
        await RunNextCycleAsync(factory, admin, "busy");

        Assert.Empty(await QueryAsync(admin, "job:jobs_running:busy", t0.AddMinutes(2)));
        Assert.Single(await QueryAsync(admin, "job:jobs_running:busy", t0.AddMinutes(2).AddSeconds(-1)));
    }

    [Fact]
    public async Task Delete_GroupThatRecorded_ItsSeriesEndAtOnce()
    {
        using var factory = new OpsConsoleFactory();
        using var admin = factory.CreateAdminClient();
        var t0 = factory.Clock.GetUtcNow();
        (await admin.PostAsync("/api/v1/rules", Yaml("groups:\n  - name: constant\n    rules:\n      - record: answer:value\n        expr: vector(42)\n"))).EnsureSuccessStatusCode();
        await RunNextCycleAsync(factory, admin, "constant"); // the default interval, 1m
        Assert.Equal(42.0, Number(Assert.Single(await QueryAsync(admin, "answer:value", t0.AddMinutes(1).AddSeconds(30))).GetProperty("value")[1]));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/rules/groups/constant")).StatusCode);

        await EventuallyAsync(() => QueryAsync(admin, "answer:value", t0.AddMinutes(1).AddSeconds(30)), r => r.Length == 0,
            "the deleted group's series is marked stale");
    }
}
