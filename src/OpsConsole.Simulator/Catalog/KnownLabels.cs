namespace OpsConsole.Simulator.Catalog;

/// <summary>
/// Label values of counters that count rare events. Their series are created at zero when a service starts, as
/// Prometheus's instrumentation guidelines advise, so that rate() over them is 0 rather than absent.
/// </summary>
internal static class KnownLabels
{
    public static readonly IReadOnlyList<string> EtlJobs = ["events_to_warehouse", "document_stats", "billing_rollup"];
    public static readonly IReadOnlyList<string> EtlFailureReasons = ["consumer_timeout", "db_error"];
    public static readonly IReadOnlyList<string> TrainingFailureReasons = ["oom", "data_validation", "timeout"];
    public static readonly IReadOnlyList<string> RegistrationMethods = ["email", "google", "github", "sso"];

    public static readonly IReadOnlyList<(string ErrorType, string Stage)> UploadErrors =
        [("parse_error", "parse"), ("embedding_timeout", "embed"), ("embedding_unavailable", "embed"), ("db_error", "index")];
}
