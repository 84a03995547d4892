using OpsConsole.Core.Dashboards;

namespace OpsConsole.Core.Tests.Dashboards;

public sealed class DashboardJsonTests
{
    /// <summary>A small valid dashboard; tests change one thing in it.</summary>
    internal const string Minimal = """
        {
          "uid": "svc",
          "title": "Service",
          "time": { "from": "now-6h", "to": "now" },
          "variables": [
            { "name": "service", "type": "query", "query": "label_values(http_requests_total, service)" },
            { "name": "q", "type": "custom", "options": ["0.5", "0.95"], "default": "0.95" }
          ],
          "rows": [
            {
              "title": "Traffic",
              "panels": [
                { "title": "Rate", "type": "timeseries", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
                  "targets": [{ "expr": "sum by (endpoint) (rate(http_requests_total{service=\"$service\"}[$__rate_interval]))", "legendFormat": "{{endpoint}}" }],
                  "unit": "reqps" },
                { "id": "p", "title": "Latency", "type": "stat", "gridPos": { "x": 12, "y": 0, "w": 6, "h": 4 },
                  "targets": [{ "expr": "histogram_quantile($q, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"${service}\"}[5m])))" }],
                  "unit": "s", "thresholds": [{ "value": null, "color": "green" }, { "value": 1, "color": "red" }] }
              ]
            }
          ]
        }
        """;

    private static string Repo(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir!.FullName, relative);
    }

    private static IReadOnlyList<string> ErrorsOf(string json) =>
        Assert.Throws<DashboardValidationException>(() => DashboardJson.Parse(json, "test.json")).Errors;

    [Fact]
    public void Parse_MinimalDashboard_ReadsEveryPartAndNamesPanelsFromTheirTitles()
    {
        var d = DashboardJson.Parse(Minimal, "test.json");

        Assert.Equal("svc", d.Uid);
        Assert.Equal("now-6h", d.Time.From);
        Assert.True(d.IsLive);
        Assert.Equal(["service", "q"], d.Variables.Select(v => v.Name));
        var panels = d.Panels.ToList();
        Assert.Equal(["rate", "p"], panels.Select(p => p.Id));
        Assert.Equal(PanelType.Stat, panels[1].Kind);
        Assert.Equal(new GridPos(12, 0, 6, 4), panels[1].GridPos);
        Assert.Equal("{{endpoint}}", panels[0].Targets[0].LegendFormat);
        Assert.Equal([null, 1.0], panels[1].Thresholds.Select(t => t.Value));
    }

    [Fact]
    public void RoundTrip_TheProvisionedExecutiveDashboard_SerializesToTheSameDocument()
    {
        var first = DashboardJson.Parse(File.ReadAllText(Repo("dashboards/executive.json")), "executive.json");

        var json = DashboardJson.Serialize(first);
        var second = DashboardJson.Parse(json, "round trip");

        Assert.Equal(json, DashboardJson.Serialize(second));
        Assert.Equal("Executive", second.Title);
        Assert.Equal(first.Panels.Count(), second.Panels.Count());
        Assert.Contains(second.Panels, p => p.Kind == PanelType.Gauge && p.Max == 100);
        Assert.DoesNotContain("isLive", json, StringComparison.Ordinal); // computed properties stay out of the document
    }

    [Fact]
    public void Parse_MisspelledField_SaysWhichFieldAndWhere()
    {
        var errors = ErrorsOf(Minimal.Replace("\"gridPos\": { \"x\": 12", "\"gridpos\": { \"x\": 12", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.Contains("unknown field 'gridpos'", error, StringComparison.Ordinal);
        Assert.Contains("rows[0].panels[1]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BrokenJson_SaysItIsNotJsonAndWhere()
    {
        var error = Assert.Single(ErrorsOf("{ \"uid\": \"x\", \"title\": }"));

        Assert.Contains("not valid dashboard JSON", error, StringComparison.Ordinal);
        Assert.Contains("line 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralMistakes_ListsEveryOneNamingThePanel()
    {
        var json = Minimal
            .Replace("\"type\": \"timeseries\"", "\"type\": \"graph\"", StringComparison.Ordinal)
            .Replace("\"x\": 12, \"y\": 0, \"w\": 6", "\"x\": 20, \"y\": 0, \"w\": 6", StringComparison.Ordinal);

        var errors = ErrorsOf(json);

        Assert.Contains(errors, e => e.StartsWith("panel 'Rate' (rows[0].panels[0]): type 'graph' must be one of timeseries, stat", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("panel 'Latency' (rows[0].panels[1]): gridPos.x + gridPos.w is 26, beyond the 24 columns", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"uid\": \"svc\"", "\"uid\": \"Has Spaces\"", "uid 'Has Spaces' must be")]
    [InlineData("\"title\": \"Service\"", "\"title\": \"\"", "title is required")]
    [InlineData("\"from\": \"now-6h\"", "\"from\": \"yesterday\"", "time.from 'yesterday' must be 'now-' and a duration")]
    [InlineData("\"options\": [\"0.5\", \"0.95\"], \"default\": \"0.95\"", "\"options\": [], \"default\": \"0.95\"", "variable 'q': a custom variable needs at least one entry")]
    [InlineData("\"default\": \"0.95\"", "\"default\": \"0.99\"", "variable 'q': default '0.99' is not one of its options")]
    [InlineData("label_values(http_requests_total, service)", "values_of(service)", "variable 'service': query 'values_of(service)' must be label_values")]
    [InlineData("\"name\": \"q\"", "\"name\": \"service\"", "variable 'service' is defined twice")]
    [InlineData("\"value\": 1, \"color\": \"red\"", "\"value\": 1, \"color\": \"crimson\"", "panel 'Latency' (rows[0].panels[1]): thresholds[1] colour 'crimson' must be one of")]
    [InlineData("{ \"value\": null, \"color\": \"green\" }, { \"value\": 1,", "{ \"value\": 5, \"color\": \"green\" }, { \"value\": 1,", "panel 'Latency' (rows[0].panels[1]): thresholds must ascend; 1 follows 5")]
    [InlineData("\"x\": 12, \"y\": 0, \"w\": 6", "\"x\": 6, \"y\": 0, \"w\": 6", "panel 'Latency' (rows[0].panels[1]) overlaps panel 'Rate' (rows[0].panels[0]) on the grid")]
    [InlineData("\"id\": \"p\"", "\"id\": \"rate\"", "id 'rate' is also the id of panel 'Rate'")]
    [InlineData("\"h\": 4", "\"h\": 0", "panel 'Latency' (rows[0].panels[1]): gridPos.h 0 must be 1–60")]
    [InlineData("\"unit\": \"s\",", "\"unit\": \"s\", \"decimals\": 12,", "panel 'Latency' (rows[0].panels[1]): decimals 12 must be 0–10")]
    [InlineData("[5m]", "[$window]", "panel 'Latency' (rows[0].panels[1]) query A: uses $window, which is not a variable of this dashboard")]
    [InlineData("sum by (endpoint) (rate(", "sum by (endpoint) (rate((", "panel 'Rate' (rows[0].panels[0]) query A: ")]
    [InlineData("\"refresh\": \"live\"", "\"refresh\": \"live\"", null)]
    public void Parse_OneMistake_IsReportedClearly(string find, string replace, string? expected)
    {
        var json = Minimal.Replace(find, replace, StringComparison.Ordinal);
        Assert.True(find == replace || json != Minimal, $"the test's text '{find}' is not in the document");
        if (expected is null)
        {
            DashboardJson.Parse(json, "test.json");
            return;
        }

        var errors = ErrorsOf(json);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BadPromQl_GivesTheParsersPosition()
    {
        var json = Minimal.Replace("histogram_quantile($q,", "histogram_quantile($q,,", StringComparison.Ordinal);

        var error = Assert.Single(ErrorsOf(json));

        Assert.StartsWith("panel 'Latency' (rows[0].panels[1]) query A: ", error, StringComparison.Ordinal);
        Assert.Contains("position", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PanelWithoutQueries_IsRefused()
    {
        const string json = """
            { "uid": "a", "title": "A", "rows": [{ "panels": [
              { "title": "Empty", "type": "stat", "gridPos": { "x": 0, "y": 0, "w": 6, "h": 4 }, "targets": [] },
              { "title": "Note", "type": "text", "gridPos": { "x": 6, "y": 0, "w": 6, "h": 4 } } ] }] }
            """;

        var errors = ErrorsOf(json);

        Assert.Equal(
            ["panel 'Empty' (rows[0].panels[0]): needs at least one target with a PromQL expr", "panel 'Note' (rows[0].panels[1]): a text panel needs content"],
            errors);
    }

    [Fact]
    public void Parse_TextPanel_NeedsContentButNoQuery()
    {
        const string json = """
            { "uid": "a", "title": "A", "rows": [{ "panels": [
              { "title": "Note", "type": "text", "gridPos": { "x": 0, "y": 0, "w": 24, "h": 3 }, "content": "Hello" } ] }] }
            """;

        var panel = Assert.Single(DashboardJson.Parse(json, "t").Panels);

        Assert.Equal(PanelType.Text, panel.Kind);
        Assert.Equal("note", panel.Id);
    }
}
