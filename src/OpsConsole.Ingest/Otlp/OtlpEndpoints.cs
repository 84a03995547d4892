using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OpsConsole.Ingest.Otlp;

/// <summary>Registration and endpoint mapping of the OTLP receivers.</summary>
public static class OtlpEndpoints
{
    public const string TracesPath = "/v1/traces";
    public const string LogsPath = "/v1/logs";
    public const string MetricsPath = "/v1/metrics";

    /// <summary>
    /// Registers OTLP intake: <see cref="IngestLimits"/> bound to the <c>Ingest</c> section, gRPC (with the
    /// OTLP services' receive limit set to <see cref="IngestLimits.MaxRequestBytes"/>), the receivers, and the
    /// shared <see cref="DeltaToCumulative"/> state. The host registers the <see cref="Core.Ingestion.ITelemetrySink"/>.
    /// </summary>
    public static IServiceCollection AddOtlpIngest(this IServiceCollection services, IConfiguration configuration, Action<OtlpIngestOptions>? configure = null)
    {
        services.AddOptions<IngestLimits>().Bind(configuration.GetSection(IngestLimits.SectionName))
            .Validate(l => l.MaxRequestBytes > 0 && l.MaxAttributesPerItem >= 0 && l.MaxSeriesPerMetric > 0 && l.MaxLogBodyBytes > 0,
                "Ingest:MaxRequestBytes, MaxSeriesPerMetric and MaxLogBodyBytes must be positive; MaxAttributesPerItem must not be negative.")
            .ValidateOnStart();
        var options = services.AddOptions<OtlpIngestOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeltaToCumulative>();
        services.TryAddSingleton(sp =>
        {
            var limits = sp.GetRequiredService<IOptionsMonitor<IngestLimits>>();
            return new IngestContextResolver(() => limits.CurrentValue.RequireApiKey, sp.GetRequiredService<IOptions<OtlpIngestOptions>>().Value.TenantClaimType);
        });
        services.TryAddSingleton<OtlpIntake>();
        services.TryAddSingleton<OtlpHttpReceiver>();

        services.AddGrpc();
        ConfigureReceiveLimit<OtlpTraceGrpcService>(services);
        ConfigureReceiveLimit<OtlpLogsGrpcService>(services);
        ConfigureReceiveLimit<OtlpMetricsGrpcService>(services);
        return services;
    }

    /// <summary>
    /// Maps OTLP/HTTP: <c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>. With an
    /// <paramref name="authorizationPolicy"/> the endpoints require it; with null they allow anonymous senders.
    /// Returns a builder for further conventions (e.g. <c>RequireHost("*:4318")</c>).
    /// </summary>
    public static IEndpointConventionBuilder MapOtlpHttp(this IEndpointRouteBuilder endpoints, string? authorizationPolicy)
    {
        var group = endpoints.MapGroup("");
        group.MapPost(TracesPath, static (HttpContext context, OtlpHttpReceiver receiver) => receiver.HandleAsync(context, OtlpSignal.Traces));
        group.MapPost(LogsPath, static (HttpContext context, OtlpHttpReceiver receiver) => receiver.HandleAsync(context, OtlpSignal.Logs));
        group.MapPost(MetricsPath, static (HttpContext context, OtlpHttpReceiver receiver) => receiver.HandleAsync(context, OtlpSignal.Metrics));
        Authorize(group, authorizationPolicy);
        return group;
    }

    /// <summary>
    /// Maps OTLP/gRPC: the TraceService, LogsService and MetricsService Export methods. With an
    /// <paramref name="authorizationPolicy"/> they require it; with null they allow anonymous senders. gRPC
    /// needs HTTP/2: serve these on an Http2-only endpoint (e.g. <c>RequireHost("*:4317")</c> on the result).
    /// </summary>
    public static IEndpointConventionBuilder MapOtlpGrpc(this IEndpointRouteBuilder endpoints, string? authorizationPolicy)
    {
        var builder = new CompositeConventionBuilder(
        [
            endpoints.MapGrpcService<OtlpTraceGrpcService>(),
            endpoints.MapGrpcService<OtlpLogsGrpcService>(),
            endpoints.MapGrpcService<OtlpMetricsGrpcService>(),
        ]);
        Authorize(builder, authorizationPolicy);
        return builder;
    }

    private static void Authorize(IEndpointConventionBuilder builder, string? policy)
    {
        if (policy is null)
        {
            builder.AllowAnonymous();
        }
        else
        {
            builder.RequireAuthorization(policy);
        }
    }

    private static void ConfigureReceiveLimit<TService>(IServiceCollection services)
        where TService : class =>
        services.AddOptions<GrpcServiceOptions<TService>>().Configure<IOptions<IngestLimits>>((grpc, limits) =>
            grpc.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, limits.Value.MaxRequestBytes));

    private sealed class CompositeConventionBuilder(IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
