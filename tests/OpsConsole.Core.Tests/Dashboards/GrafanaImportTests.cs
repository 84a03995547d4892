using OpsConsole.Core.Dashboards;

namespace OpsConsole.Core.Tests.Dashboards;

/// <summary>Grafana dashboards (written by us in Grafana's export format, see Dashboards/Grafana/) mapped to the console's model.</summary>
public sealed class GrafanaImportTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Dashboards", "Grafana", name));

    private static GrafanaImportResult ServiceOverview()
    {
        var result = GrafanaImport.Import(Fixture("service-overview.json"));
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result;
    }

    private static DashboardPanel Panel(Dashboard d, string title) => d.Panels.Single(p => p.Title == title);

    [Fact]
    public void ModernExport_MapsTitleUidTimeTagsAndRows()
    {
        var d = ServiceOverview().Dashboard!;

        Assert.Equal("Service overview", d.Title);
        Assert.Equal("svc-overview_01", d.Uid);
        Assert.Equal(["red", "service"], d.Tags);
        Assert.Equal(("now-6h", "now"), (d.Time.From, d.Time.To));
        Assert.Equal("live", d.Refresh);
        Assert.Equal(["Golden signals", "Details", "Notes and logs"], d.Rows.Select(r => r.Title));
        Assert.Equal(["Request rate", "Error ratio", "Availability", "Slowest endpoints"], d.Rows[0].Panels.Select(p => p.Title));
        Assert.Equal(["Status codes", "Endpoints", "Latency heatmap"], d.Rows[1].Panels.Select(p => p.Title)); // the collapsed row's panels
        Assert.Equal(["Runbook"], d.Rows[2].Panels.Select(p => p.Title));
        Assert.Empty(DashboardValidator.Validate(d));
    }

    [Fact]
    public void ModernExport_MapsPanelTypesGridTargetsUnitsThresholdsAndOptions()
    {
        var d = ServiceOverview().Dashboard!;

        var rate = Panel(d, "Request rate");
        Assert.Equal("timeseries", rate.Type);
        Assert.Equal(new GridPos(0, 0, 12, 8), rate.GridPos); // y is relative to its row (the row header sat at y 0)
        Assert.Equal("Requests per second by endpoint.", rate.Description);
        var target = Assert.Single(rate.Targets);
        Assert.Equal("sum by (endpoint) (rate(http_requests_total{service=~\"$service\"}[$__rate_interval]))", target.Expr);
        Assert.Equal(("{{endpoint}}", "A"), (target.LegendFormat, target.RefId));
        Assert.Equal(("reqps", 0.0), (rate.Unit, rate.Min));
        Assert.True(rate.Options.Stacked);
        Assert.Equal("area", rate.Options.Style);

        var errors = Panel(d, "Error ratio");
        Assert.Equal(("stat", "percent", 2), (errors.Type, errors.Unit, errors.Decimals));
        Assert.Null(Assert.Single(errors.Targets).LegendFormat); // "__auto"
        Assert.Equal([new PanelThreshold(null, "green"), new PanelThreshold(1, "#EAB839"), new PanelThreshold(5, "red")], errors.Thresholds);
        Assert.True(errors.Options.Sparkline);
        Assert.Equal(new GridPos(12, 0, 6, 4), errors.GridPos);

        var availability = Panel(d, "Availability");
        Assert.Equal(("gauge", 0.0, 100.0, "mean"), (availability.Type, availability.Min, availability.Max, availability.Options.Reduce));
        Assert.Equal([new PanelThreshold(null, "red"), new PanelThreshold(99, "green")], availability.Thresholds);

        var slowest = Panel(d, "Slowest endpoints");
        Assert.Equal(("bar", "s", true), (slowest.Type, slowest.Unit, slowest.Options.Horizontal));
        Assert.Equal(new GridPos(12, 4, 12, 4), slowest.GridPos);

        var status = Panel(d, "Status codes");
        Assert.Equal(("pie", true, "{{status}}"), (status.Type, status.Options.Donut, status.Targets[0].LegendFormat));
        Assert.Equal(new GridPos(0, 0, 8, 8), status.GridPos);
        Assert.Equal("table", Panel(d, "Endpoints").Type);
        Assert.Equal(("heatmap", "{{le}}"), (Panel(d, "Latency heatmap").Type, Panel(d, "Latency heatmap").Targets[0].LegendFormat));
        var runbook = Panel(d, "Runbook");
        Assert.Equal("text", runbook.Type);
        Assert.Contains("Page the on-call engineer", runbook.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void ModernExport_MapsQueryCustomAndConstantVariables()
    {
        var d = ServiceOverview().Dashboard!;

        Assert.Equal(["service", "tenant", "quantile", "cluster"], d.Variables.Select(v => v.Name));
        var service = d.Variables[0];
        Assert.Equal(("query", "label_values(http_requests_total, service)", "Service", true, ".+", "rag-service"),
            (service.Type, service.Query, service.Label, service.IncludeAll, service.AllValue, service.Default));
        Assert.Equal(("tenant", true), (d.Variables[1].Type, d.Variables[1].IncludeAll)); // label_values(tenant_id): the tenant variable
        Assert.Equal(("custom", "0.95"), (d.Variables[2].Type, d.Variables[2].Default));
        Assert.Equal(["0.5", "0.95", "0.99"], d.Variables[2].Options);
        Assert.Equal(("constant", "eu-west-1"), (d.Variables[3].Type, Assert.Single(d.Variables[3].Options)));
    }

    [Fact]
    public void ModernExport_ListsEverythingThatWasNotCarriedOver()
    {
        var warnings = ServiceOverview().Warnings;

        string[] expected =
        [
            "The uid \"svc-Overview_01\" becomes \"svc-overview_01\" (lower-case letters, digits, '-' and '_').",
            "Variable $DS_PROMETHEUS of type \"datasource\" is not supported (only query, custom and constant are); it is left out, and panels using it are left out too.",
            "Variable $tenant allowed several values at once; here it takes one value (or All).",
            "Variable $interval of type \"interval\" is not supported (only query, custom and constant are); it is left out, and panels using it are left out too.",
            "Variable $pod uses the query \"query_result(up)\"; only label_values(…) queries are supported, so it is left out, and panels using it are left out too.",
            "Panel \"Error ratio\" has 2 queries; a stat shows one, so only query A is kept.",
            "Panel \"Error ratio\": 1 field override(s) are not applied.",
            "Panel \"Endpoints\": its 1 transformation(s) are not applied; the table shows each query's series and latest value.",
            "Panel \"Runbook\": its markdown is shown as plain text.",
            "Panel \"Error logs\" is a \"logs\" panel, which the console does not draw; it is left out.",
            "Panel \"Mixed sources\" query A reads the \"loki\" data source, not Prometheus; it is left out.",
            "Panel \"Mixed sources\" query B was hidden in Grafana; it is left out.",
            "Grafana refreshed every 30s; here the server pushes new points as they arrive (live), so there is no refresh interval.",
            "Annotation queries are not imported (alert annotations come from the console's own alerts).",
        ];
        foreach (var w in expected)
        {
            Assert.Contains(w, warnings);
        }

        // The panel whose only usable query needs $pod is left out, saying why.
        Assert.Contains(warnings, w => w.StartsWith("Panel \"Mixed sources\" is left out:", StringComparison.Ordinal) && w.Contains("$pod", StringComparison.Ordinal));
        Assert.Equal(expected.Length + 1, warnings.Count);
    }

    [Fact]
    public void LegacyRowsInTheApiWrapper_AreLaidOutFromSpansAndHeights()
    {
        var result = GrafanaImport.Import(Fixture("legacy-rows.json"));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var d = result.Dashboard!;
        Assert.Equal(("legacy-api", "Legacy API", "now-1h"), (d.Uid, d.Title, d.Time.From));
        var row = Assert.Single(d.Rows);
        Assert.Equal("Traffic", row.Title);
        var requests = Panel(d, "Requests");
        Assert.Equal(("timeseries", "reqps", new GridPos(0, 0, 16, 8)), (requests.Type, requests.Unit, requests.GridPos));
        Assert.True(requests.Options.Stacked);
        Assert.Equal("area", requests.Options.Style);
        var up = Panel(d, "Up");
        Assert.Equal(("stat", "none", new GridPos(16, 0, 8, 8), true), (up.Type, up.Unit, up.GridPos, up.Options.Sparkline));
        Assert.Equal([new PanelThreshold(null, "#f53636"), new PanelThreshold(1, "#ed8128"), new PanelThreshold(2, "#32ac2d")], up.Thresholds);
        Assert.Contains("The dashboard has no uid; it gets \"legacy-api\" from its title.", result.Warnings);
        Assert.Contains("The time range 2024-01-01T00:00:00Z to 2024-01-02T00:00:00Z is not \"the last …\" up to now; the dashboard opens on the last hour.", result.Warnings);
        Assert.Contains("Panel \"World map\" is a \"grafana-worldmap-panel\" panel, which the console does not draw; it is left out.", result.Warnings);
        Assert.Contains("Panel \"Requests\": 1 series override(s) are not applied.", result.Warnings);
        Assert.Contains("Panel \"Requests\" query A: the setting(s) intervalFactor are not imported.", result.Warnings);
    }

    [Fact]
    public void Imported_RoundTripsThroughTheConsolesJson()
    {
        var d = ServiceOverview().Dashboard!;

        var again = DashboardJson.Parse(DashboardJson.Serialize(d), "round-trip");

        Assert.Equal(DashboardJson.Serialize(d), DashboardJson.Serialize(again));
        Assert.Equal(d.Panels.Select(p => p.Id), again.Panels.Select(p => p.Id));
    }

    [Theory]
    [InlineData("{ not json", "The file is not valid JSON:")]
    [InlineData("[1, 2]", "A Grafana dashboard is a JSON object with a title and panels.")]
    [InlineData("{\"title\": \"x\", \"schemaVersion\": 39}", "This is not a Grafana dashboard: it has neither \"panels\" nor \"rows\".")]
    public void NotAGrafanaDashboard_IsRefusedWithAReason(string json, string reason)
    {
        var result = GrafanaImport.Import(json);

        Assert.False(result.Succeeded);
        Assert.Null(result.Dashboard);
        Assert.StartsWith(reason, Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void APanelWithABadQuery_IsLeftOutWithTheParserMessage_AndTheRestImports()
    {
        var json = """
            {"title": "Bad", "uid": "bad", "panels": [
              {"id": 1, "type": "timeseries", "title": "Broken", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "targets": [{"refId": "A", "expr": "sum(rate(x[5m])"}]},
              {"id": 2, "type": "stat", "title": "Fine", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8}, "targets": [{"refId": "A", "expr": "sum(up)"}]}
            ]}
            """;

        var result = GrafanaImport.Import(json);

        Assert.True(result.Succeeded);
        Assert.Equal(["Fine"], result.Dashboard!.Panels.Select(p => p.Title));
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("Panel \"Broken\" is left out: query A:", warning, StringComparison.Ordinal);
    }
}
