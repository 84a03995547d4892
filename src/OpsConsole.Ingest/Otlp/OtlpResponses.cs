using Google.Protobuf.WellKnownTypes;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using OpsConsole.Ingest.Otlp.Proto.Rpc;
using RpcStatus = OpsConsole.Ingest.Otlp.Proto.Rpc.Status;

namespace OpsConsole.Ingest.Otlp;

/// <summary>The OTLP answers: export responses with partial success, and google.rpc.Status error bodies.</summary>
internal static class OtlpResponses
{
    /// <summary>gRPC status codes as google.rpc.Code numbers.</summary>
    public const int InvalidArgument = 3;
    public const int ResourceExhausted = 8;
    public const int Unavailable = 14;
    public const int Unauthenticated = 16;

    public static ExportTraceServiceResponse Traces(OtlpExportResult result) => result.HasPartialSuccess
        ? new ExportTraceServiceResponse { PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = result.RejectedItems, ErrorMessage = result.Message ?? "" } }
        : new ExportTraceServiceResponse();

    public static ExportLogsServiceResponse Logs(OtlpExportResult result) => result.HasPartialSuccess
        ? new ExportLogsServiceResponse { PartialSuccess = new ExportLogsPartialSuccess { RejectedLogRecords = result.RejectedItems, ErrorMessage = result.Message ?? "" } }
        : new ExportLogsServiceResponse();

    public static ExportMetricsServiceResponse Metrics(OtlpExportResult result) => result.HasPartialSuccess
        ? new ExportMetricsServiceResponse { PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = result.RejectedItems, ErrorMessage = result.Message ?? "" } }
        : new ExportMetricsServiceResponse();

    public static RpcStatus Status(int code, string message, TimeSpan? retryAfter = null)
    {
        var status = new RpcStatus { Code = code, Message = message };
        if (retryAfter is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        return status;
    }
}
