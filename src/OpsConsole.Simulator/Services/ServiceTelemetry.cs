using System.Collections.Concurrent;
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
/// One simulated service's OpenTelemetry SDK. Its resource says service.name, service.version,
/// deployment.environment=demo and opsconsole.demo=true and, as TELEMETRY.md asks, <c>tenant.id</c> when the
/// telemetry belongs to one tenant's request. An SDK provider has one resource, so the service has one exporting
/// tracer provider and one logger provider per tenant it has served (and one for work of no tenant), created on
/// first use; a listening provider on the service's ActivitySource hands each finished span to its tenant's.
/// </summary>
internal sealed class ServiceTelemetry : IDisposable
{
    private const int ExportDelayMilliseconds = 5000;
    private const string TenantProperty = "opsconsole.demo.tenant";

    private readonly string _service;
    private readonly string _version;
    private readonly string _instanceId;
    private readonly DemoWorkloadOptions _options;
    private readonly TracerProvider? _listener;
    private readonly ConcurrentDictionary<string, TenantTelemetry> _tenants = new();

    public ServiceTelemetry(string service, string version, string instanceId, DemoWorkloadOptions options)
    {
        _service = service;
        _version = version;
        _instanceId = instanceId;
        _options = options;
        Source = new ActivitySource(service, version);
        IsExporting = options.OtlpEndpoint is not null || options.SpanProcessor is not null || options.LogProcessor is not null;
        if (IsExporting)
        {
            _listener = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(Resource(null))
                .AddSource(service)
                .AddProcessor(new TenantRouting(this))
                .Build();
        }
    }

    public ActivitySource Source { get; }

    /// <summary>Whether anything is listening: without an OTLP endpoint (or a test's processor) no span or log is made.</summary>
    public bool IsExporting { get; }

    /// <summary>Marks the activity as part of <paramref name="tenantId"/>'s request (null: of no tenant).</summary>
    public static void BelongsTo(Activity activity, string? tenantId) => activity.SetCustomProperty(TenantProperty, tenantId);

    /// <summary>The logger whose records carry the resource of <paramref name="tenantId"/> (null: of no tenant).</summary>
    public ILogger LoggerFor(string? tenantId) => For(tenantId).Logger;

    /// <summary>Exports what is buffered, then stops.</summary>
    public void Dispose()
    {
        _listener?.Dispose();
        foreach (var tenant in _tenants.Values)
        {
            tenant.Dispose();
        }

        Source.Dispose();
    }

    private TenantTelemetry For(string? tenantId) => _tenants.GetOrAdd(tenantId ?? "", id => new TenantTelemetry(this, id.Length == 0 ? null : id));

    private ResourceBuilder Resource(string? tenantId)
    {
        var attributes = new List<KeyValuePair<string, object>> { new("deployment.environment", "demo"), new("opsconsole.demo", true) };
        if (tenantId is not null)
        {
            attributes.Add(new("tenant.id", tenantId));
        }

        return ResourceBuilder.CreateEmpty()
            .AddService(_service, serviceVersion: _version, autoGenerateServiceInstanceId: false, serviceInstanceId: _instanceId)
            .AddTelemetrySdk()
            .AddAttributes(attributes);
    }

    private OtlpExporterOptions Exporter(string signalPath)
    {
        var exporter = new OtlpExporterOptions();
        Configure(exporter, signalPath);
        return exporter;
    }

    private void Configure(OtlpExporterOptions exporter, string signalPath)
    {
        var endpoint = _options.OtlpEndpoint!;
        if (_options.OtlpProtocol == OtlpProtocol.HttpProtobuf)
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
        }
        else
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = endpoint;
        }

        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            exporter.Headers = "Authorization=Bearer " + _options.ApiKey;
        }
    }

    /// <summary>Hands each finished span to the exporting provider of its request's tenant.</summary>
    private sealed class TenantRouting(ServiceTelemetry telemetry) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => telemetry.For(data.GetCustomProperty(TenantProperty) as string).Spans.OnEnd(data);
    }

    /// <summary>The exporting providers of one resource (the service, for one tenant or for none).</summary>
    private sealed class TenantTelemetry : IDisposable
    {
        private readonly TracerProvider _tracerProvider;
        private readonly ILoggerFactory _loggerFactory;

        public TenantTelemetry(ServiceTelemetry owner, string? tenantId)
        {
            var options = owner._options;
            var resource = owner.Resource(tenantId);
            var processors = new List<BaseProcessor<Activity>>();
            if (options.SpanProcessor is { } extra)
            {
                processors.Add(extra(owner._service));
            }

            if (options.OtlpEndpoint is not null)
            {
                processors.Add(new BatchActivityExportProcessor(new OtlpTraceExporter(owner.Exporter("v1/traces")), scheduledDelayMilliseconds: ExportDelayMilliseconds));
            }

            Spans = new CompositeProcessor<Activity>(processors);
            _tracerProvider = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddProcessor(Spans).Build();

            _loggerFactory = LoggerFactory.Create(logging => logging
                .SetMinimumLevel(LogLevel.Information)
                .AddOpenTelemetry(o =>
                {
                    o.SetResourceBuilder(resource);
                    o.IncludeFormattedMessage = false;
                    o.IncludeScopes = false;
                    o.AddProcessor(new SimulatedLogTime());
                    if (options.LogProcessor is { } extraLogs)
                    {
                        o.AddProcessor(extraLogs(owner._service));
                    }

                    if (options.OtlpEndpoint is not null)
                    {
                        o.AddOtlpExporter((exporter, processor) =>
                        {
                            owner.Configure(exporter, "v1/logs");
                            processor.BatchExportProcessorOptions.ScheduledDelayMilliseconds = ExportDelayMilliseconds;
                        });
                    }
                }));
            Logger = _loggerFactory.CreateLogger(owner._service);
        }

        public BaseProcessor<Activity> Spans { get; }

        public ILogger Logger { get; }

        public void Dispose()
        {
            _tracerProvider.ForceFlush(5000);
            _tracerProvider.Dispose();
            _loggerFactory.Dispose();
        }
    }
}
