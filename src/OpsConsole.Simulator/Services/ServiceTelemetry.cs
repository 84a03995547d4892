using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Services;

/// <summary>
/// One simulated service's OpenTelemetry SDK: its own resource (service.name, service.version,
/// deployment.environment=demo, opsconsole.demo=true), its own tracer and logger providers, each exporting over OTLP.
/// </summary>
internal sealed class ServiceTelemetry : IDisposable
{
    private const int ExportDelayMilliseconds = 2000;

    private readonly TracerProvider _tracerProvider;
    private readonly ILoggerFactory _loggerFactory;

    public ServiceTelemetry(string service, string version, string instanceId, DemoWorkloadOptions options)
    {
        Source = new ActivitySource(service, version);
        var resource = ResourceBuilder.CreateEmpty()
            .AddService(service, serviceVersion: version, autoGenerateServiceInstanceId: false, serviceInstanceId: instanceId)
            .AddTelemetrySdk()
            .AddAttributes([
                new("deployment.environment", "demo"),
                new("opsconsole.demo", true),
            ]);

        var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(service);
        options.ConfigureTracing?.Invoke(service, tracing);
        if (options.OtlpEndpoint is { } endpoint)
        {
            tracing.AddOtlpExporter(o =>
            {
                Configure(o, options, endpoint, "v1/traces");
                o.BatchExportProcessorOptions.ScheduledDelayMilliseconds = ExportDelayMilliseconds;
            });
        }

        _tracerProvider = tracing.Build();

        _loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddOpenTelemetry(o =>
            {
                o.SetResourceBuilder(resource);
                o.IncludeFormattedMessage = false;
                o.IncludeScopes = false;
                o.AddProcessor(new SimulatedLogTime());
                options.ConfigureLogging?.Invoke(service, o);
                if (options.OtlpEndpoint is { } endpoint)
                {
                    o.AddOtlpExporter((exporter, processor) =>
                    {
                        Configure(exporter, options, endpoint, "v1/logs");
                        processor.BatchExportProcessorOptions.ScheduledDelayMilliseconds = ExportDelayMilliseconds;
                    });
                }
            }));
        Logger = _loggerFactory.CreateLogger(service);
    }

    public ActivitySource Source { get; }

    public ILogger Logger { get; }

    /// <summary>Exports what is buffered, then stops.</summary>
    public void Dispose()
    {
        _tracerProvider.ForceFlush(5000);
        _tracerProvider.Dispose();
        _loggerFactory.Dispose();
        Source.Dispose();
    }

    private static void Configure(OtlpExporterOptions exporter, DemoWorkloadOptions options, Uri endpoint, string signalPath)
    {
        if (options.OtlpProtocol == OtlpProtocol.HttpProtobuf)
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
        }
        else
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = endpoint;
        }

        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            exporter.Headers = "Authorization=Bearer " + options.ApiKey;
        }
    }
}
