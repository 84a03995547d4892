using OpsConsole.Core.Dashboards;

namespace OpsConsole.Core.Tests.Dashboards;

public sealed class DashboardVariablesTests
{
    private static readonly Dashboard Dashboard = new()
    {
        Uid = "d",
        Title = "D",
        Variables =
        [
            new DashboardVariable { Name = "tenant", Type = "tenant", IncludeAll = true },
            new DashboardVariable { Name = "service", Type = "query", Query = "label_values(http_requests_total{tenant_id=\"acme\"}, service)" },
            new DashboardVariable { Name = "q", Type = "custom", Options = ["0.5", "0.95"], Default = "0.95" },
        ],
    };

    private static Dictionary<string, string> Asked(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    [Fact]
    public void Resolve_Defaults_ComeFromTheDataAndTheDocument()
    {
        var vars = DashboardVariables.Resolve(Dashboard, PanelEvaluatorTests.Store(), tenantId: null, Asked());

        Assert.Equal(["acme", "globex"], vars[0].Options);
        Assert.True(vars[0].IsAll);
        Assert.Equal(["api-gateway", "rag-service"], vars[1].Options);
        Assert.Equal("api-gateway", vars[1].Selected);
        Assert.Equal("0.95", vars[2].Selected);
        Assert.All(vars, v => Assert.Null(v.Problem));
    }

    [Fact]
    public void Resolve_ValuesFromTheUrl_AreUsedWhenTheyAreChoices()
    {
        var vars = DashboardVariables.Resolve(Dashboard, PanelEvaluatorTests.Store(), null, Asked(("tenant", "globex"), ("service", "rag-service"), ("q", "0.5")));

        Assert.Equal(["globex", "rag-service", "0.5"], vars.Select(v => v.Selected));
        var values = DashboardVariables.ToValues(vars);
        Assert.Equal("globex", values.Values["tenant"]);
        Assert.Empty(values.Raw);
    }

    [Fact]
    public void Resolve_AValueThatIsNoChoice_IsNotUsedAndSaysSo()
    {
        var vars = DashboardVariables.Resolve(Dashboard, PanelEvaluatorTests.Store(), null, Asked(("service", "\"} or vector(1)")));

        Assert.Equal("api-gateway", vars[1].Selected);
        Assert.Equal("'\"} or vector(1)' is not a value of $service; showing 'api-gateway' instead.", vars[1].Problem);
    }

    [Fact]
    public void Resolve_ForATenantsUser_FixesTheTenantToTheirs()
    {
        var vars = DashboardVariables.Resolve(Dashboard, PanelEvaluatorTests.Store(), tenantId: "acme", Asked(("tenant", "globex")));

        Assert.True(vars[0].Fixed);
        Assert.Equal("acme", vars[0].Selected);
        Assert.Equal(["acme"], vars[0].Options);
        Assert.Contains("fixed to yours (acme)", vars[0].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ToValues_All_IsTheAllValueInsertedRaw()
    {
        var vars = DashboardVariables.Resolve(Dashboard, PanelEvaluatorTests.Store(), null, Asked(("tenant", "All")));

        var values = DashboardVariables.ToValues(vars);

        Assert.Equal(".*", values.Values["tenant"]);
        Assert.Contains("tenant", values.Raw);
    }
}
