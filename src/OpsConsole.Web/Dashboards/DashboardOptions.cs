namespace OpsConsole.Web.Dashboards;

/// <summary>The <c>Dashboards</c> section: where provisioned dashboard JSON files are read from at start-up.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboards";

    /// <summary>A directory of <c>*.json</c> dashboards; relative paths are under the content root.</summary>
    public string Directory { get; set; } = "dashboards";
}
