using Prometheus;

namespace OpsConsole.Web.Observability;

/// <summary>The console's own Prometheus metrics (exposed on /metrics), beyond prometheus-net's HTTP metrics.</summary>
public static class SelfMetrics
{
    public static readonly Gauge Circuits = Metrics.CreateGauge(
        "opsconsole_blazor_circuits_active", "Blazor Server circuits (open browser tabs) currently connected.");

    public static readonly Counter SignIns = Metrics.CreateCounter(
        "opsconsole_sign_ins_total", "Password sign-in attempts by result.", new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter AuditEntries = Metrics.CreateCounter(
        "opsconsole_audit_entries_total", "Audit log entries written.");
}
