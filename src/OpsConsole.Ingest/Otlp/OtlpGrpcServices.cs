using Google.Protobuf;
using Grpc.Core;
using OpsConsole.Core.Ingestion;
using OpsConsole.Ingest.Otlp.Proto.Collector.Logs;
using OpsConsole.Ingest.Otlp.Proto.Collector.Metrics;
using OpsConsole.Ingest.Otlp.Proto.Collector.Trace;
using GrpcStatus = Grpc.Core.Status;

namespace OpsConsole.Ingest.Otlp;

/// <summary>OTLP/gRPC <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>.</summary>
[BindServiceMethod(typeof(OtlpGrpcBinding), nameof(OtlpGrpcBinding.BindTraceService))]
internal sealed class OtlpTraceGrpcService(OtlpIntake intake, IngestContextResolver tenants) : TraceService.TraceServiceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        var result = await intake.ExportAsync(request, OtlpGrpc.ContextOf(tenants, context), request.CalculateSize(), context.CancellationToken);
        OtlpGrpc.ThrowIfRefused(result);
        return OtlpResponses.Traces(result);
    }
}

/// <summary>OTLP/gRPC <c>opentelemetry.proto.collector.logs.v1.LogsService/Export</c>.</summary>
[BindServiceMethod(typeof(OtlpGrpcBinding), nameof(OtlpGrpcBinding.BindLogsService))]
internal sealed class OtlpLogsGrpcService(OtlpIntake intake, IngestContextResolver tenants) : LogsService.LogsServiceBase
{
    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        var result = await intake.ExportAsync(request, OtlpGrpc.ContextOf(tenants, context), request.CalculateSize(), context.CancellationToken);
        OtlpGrpc.ThrowIfRefused(result);
        return OtlpResponses.Logs(result);
    }
}

/// <summary>OTLP/gRPC <c>opentelemetry.proto.collector.metrics.v1.MetricsService/Export</c>.</summary>
[BindServiceMethod(typeof(OtlpGrpcBinding), nameof(OtlpGrpcBinding.BindMetricsService))]
internal sealed class OtlpMetricsGrpcService(OtlpIntake intake, IngestContextResolver tenants) : MetricsService.MetricsServiceBase
{
    public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        var result = await intake.ExportAsync(request, OtlpGrpc.ContextOf(tenants, context), request.CalculateSize(), context.CancellationToken);
        OtlpGrpc.ThrowIfRefused(result);
        return OtlpResponses.Metrics(result);
    }
}

/// <summary>
/// Binds the services' Export methods like the generated <c>BindService</c> does (same service and method
/// names, so the same gRPC paths), but with marshallers that answer a request that does not decode with
/// INVALID_ARGUMENT and a message, where the generated ones would make gRPC answer UNKNOWN.
/// </summary>
internal static class OtlpGrpcBinding
{
    private static readonly Method<ExportTraceServiceRequest, ExportTraceServiceResponse> TraceExport =
        Export(TraceService.Descriptor.FullName, ExportTraceServiceRequest.Parser, ExportTraceServiceResponse.Parser);

    private static readonly Method<ExportLogsServiceRequest, ExportLogsServiceResponse> LogsExport =
        Export(LogsService.Descriptor.FullName, ExportLogsServiceRequest.Parser, ExportLogsServiceResponse.Parser);

    private static readonly Method<ExportMetricsServiceRequest, ExportMetricsServiceResponse> MetricsExport =
        Export(MetricsService.Descriptor.FullName, ExportMetricsServiceRequest.Parser, ExportMetricsServiceResponse.Parser);

    // gRPC finds these through the attribute on our service classes, with the generated base class as the
    // second parameter: it then binds the base class's virtual Export, which our classes override. The instance
    // parameter is only part of that signature; gRPC activates a service per call.
    public static void BindTraceService(ServiceBinderBase binder, TraceService.TraceServiceBase _) =>
        binder.AddMethod(TraceExport, (UnaryServerMethod<ExportTraceServiceRequest, ExportTraceServiceResponse>?)null);

    public static void BindLogsService(ServiceBinderBase binder, LogsService.LogsServiceBase _) =>
        binder.AddMethod(LogsExport, (UnaryServerMethod<ExportLogsServiceRequest, ExportLogsServiceResponse>?)null);

    public static void BindMetricsService(ServiceBinderBase binder, MetricsService.MetricsServiceBase _) =>
        binder.AddMethod(MetricsExport, (UnaryServerMethod<ExportMetricsServiceRequest, ExportMetricsServiceResponse>?)null);

    private static Method<TRequest, TResponse> Export<TRequest, TResponse>(string serviceName, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => new(MethodType.Unary, serviceName, "Export", Marshaller(requestParser), Marshaller(responseParser));

    private static Marshaller<T> Marshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T> => Marshallers.Create<T>(
        static (message, context) =>
        {
            context.SetPayloadLength(message.CalculateSize());
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        context =>
        {
            try
            {
                return parser.ParseFrom(context.PayloadAsReadOnlySequence());
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(new GrpcStatus(StatusCode.InvalidArgument, $"The request is not a valid protobuf {typeof(T).Name}: {ex.Message}"));
            }
        });
}

/// <summary>Tenant resolution and refusals in gRPC terms.</summary>
internal static class OtlpGrpc
{
    /// <summary>The trailer gRPC clients (the OpenTelemetry exporters among them) read google.rpc.Status details from.</summary>
    public const string StatusDetailsTrailer = "grpc-status-details-bin";

    public static IngestContext ContextOf(IngestContextResolver tenants, ServerCallContext context)
    {
        var resolution = tenants.Resolve(context.GetHttpContext().User);
        return resolution.Context ?? throw new RpcException(new GrpcStatus(StatusCode.Unauthenticated, resolution.Failure ?? "Not authenticated."));
    }

    /// <summary>Throttled → RESOURCE_EXHAUSTED, unavailable → UNAVAILABLE, both with a RetryInfo detail.</summary>
    public static void ThrowIfRefused(OtlpExportResult result)
    {
        if (result.Outcome == IngestOutcome.Accepted)
        {
            return;
        }

        var (code, rpcCode) = result.Outcome == IngestOutcome.Throttled
            ? (StatusCode.ResourceExhausted, OtlpResponses.ResourceExhausted)
            : (StatusCode.Unavailable, OtlpResponses.Unavailable);
        var message = result.Message ?? "Retry later.";
        var details = OtlpResponses.Status(rpcCode, message, result.RetryAfter);
        throw new RpcException(new GrpcStatus(code, message), new Metadata { { StatusDetailsTrailer, details.ToByteArray() } });
    }
}
