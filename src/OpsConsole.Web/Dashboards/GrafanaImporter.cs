using System.Security.Claims;
using OpsConsole.Core.Dashboards;
using OpsConsole.Web.Auditing;

namespace OpsConsole.Web.Dashboards;

/// <summary>How an import ended.</summary>
public enum DashboardImportOutcome
{
    Imported,
    Invalid,
    UidTaken,
}

/// <summary>The outcome, the dashboard added (when imported) and what Grafana had that was not carried over.</summary>
public sealed record DashboardImport(DashboardImportOutcome Outcome, Dashboard? Dashboard, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors);

/// <summary>
/// Imports a Grafana dashboard into the catalog (the admin API and the Dashboards page both use it): maps it with
/// <see cref="GrafanaImport"/> and creates it through <see cref="DashboardStore"/> (stored as version 1, audited as
/// <c>dashboard.create</c> and <c>dashboard.import</c>); a uid that is taken is refused.
/// </summary>
public sealed class GrafanaImporter(DashboardStore store, AuditTrail audit)
{
    /// <summary>The largest Grafana file accepted.</summary>
    public const int MaxBytes = 5 * 1024 * 1024;

    public async Task<DashboardImport> ImportAsync(string json, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(user);
        var result = GrafanaImport.Import(json);
        if (result.Dashboard is not { } dashboard)
        {
            return new DashboardImport(DashboardImportOutcome.Invalid, null, result.Warnings, result.Errors);
        }

        var saved = await store.CreateAsync(dashboard, "Imported from Grafana", user, remoteAddress, ct);
        if (saved.Outcome == DashboardChangeOutcome.UidTaken)
        {
            return new DashboardImport(DashboardImportOutcome.UidTaken, null, result.Warnings,
                [$"A dashboard with the uid '{dashboard.Uid}' already exists; change the uid in the Grafana JSON and import again. Nothing was changed."]);
        }

        if (saved.Outcome != DashboardChangeOutcome.Saved)
        {
            return new DashboardImport(DashboardImportOutcome.Invalid, null, result.Warnings, saved.Errors);
        }

        await audit.RecordAsync(user, "dashboard.import", "dashboard", dashboard.Uid,
            after: new { dashboard.Title, Panels = dashboard.Panels.Count(), Warnings = result.Warnings.Count }, remoteAddress: remoteAddress, ct: ct);
        return new DashboardImport(DashboardImportOutcome.Imported, dashboard, result.Warnings, []);
    }
}
