using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Data.Telemetry;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>
/// The OTLP exporter sends synchronously (HttpClient.Send); the in-process test server only answers SendAsync,
/// so this bridges the two. Over a real socket no bridge is needed.
/// </summary>
internal sealed class SynchronousBridge : DelegatingHandler
{
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();
}

/// <summary>A real OpenTelemetry SDK exporting OTLP/HTTP protobuf into the whole console host.</summary>
public sealed class OtlpIntoConsoleTests
{
    private sealed class KeyRequiredFactory : OpsConsoleFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Ingest:RequireApiKey"] = "true" };
    }

    private static TracerProvider Exporter(OpsConsoleFactory factory, string? apiKey, string service, ActivitySource source) =>
        Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service).AddAttributes([new("tenant.id", "globex")]))
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri("http://localhost/v1/traces");
                o.ExportProcessorType = ExportProcessorType.Simple;
                o.Headers = apiKey is null ? null : $"Authorization=Bearer {apiKey}";
                o.HttpClientFactory = () => factory.CreateDefaultClient(new SynchronousBridge());
            })
            .Build();

    [Fact]
    public async Task OtlpHttpExport_WithTheDemoIngestKey_StoredUnderTheKeysTenantNotThePayloads()
    {
        using var factory = new KeyRequiredFactory();
        using var source = new ActivitySource("opsconsole.tests.otlp." + Guid.NewGuid().ToString("N"));
        string traceId;
        using (var provider = Exporter(factory, DemoAccounts.IngestKey, "checkout", source))
        {
            using (var parent = source.StartActivity("POST /checkout", ActivityKind.Server))
            {
                parent!.SetTag("order.total", 99.5);
                using var child = source.StartActivity("charge card", ActivityKind.Client);
                traceId = parent.TraceId.ToHexString();
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        TraceId.TryParse(traceId, out var id);
        var everywhere = await factory.Services.GetRequiredService<TelemetryReader>().GetTraceAsync(null, id);
        Assert.True(everywhere.Count == 2, $"{everywhere.Count} spans stored: " + string.Join(", ", everywhere.Select(s => s.TenantId)));
        var spans = await factory.Services.GetRequiredService<TelemetryReader>().GetTraceAsync("acme", id);
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal("checkout", s.ServiceName));
        Assert.Equal(spans.Single(s => s.Name == "POST /checkout").SpanId, spans.Single(s => s.Name == "charge card").ParentSpanId);
        Assert.Contains(new Domain.Telemetry.Attribute("order.total", AttributeValue.Of(99.5)), spans.Single(s => s.Name == "POST /checkout").Attributes);
        Assert.Empty(await factory.Services.GetRequiredService<TelemetryReader>().GetTraceAsync("globex", id));
    }

    [Fact]
    public async Task OtlpHttpExport_KeysRequiredButNoneSent_Answers401AndStoresNothing()
    {
        using var factory = new KeyRequiredFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/v1/traces", new ByteArrayContent([]) { Headers = { { "Content-Type", "application/x-protobuf" } } });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
