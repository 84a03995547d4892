using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Incidents;
using OpsConsole.Simulator.Tests.Support;

namespace OpsConsole.Simulator.Tests;

/// <summary>The structured logs of TELEMETRY.md, captured from each service's own logger provider.</summary>
public sealed class LogTests
{
    [Fact]
    public async Task AccessLog_InsideARequest_CarriesItsTraceAndTheStructuredFields()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromSeconds(20));
        var telemetry = run.Telemetry!;

        var log = telemetry.Logs.First(l => l.Service == ServiceNames.ApiGateway && (string?)l["event_type"] == "http_request");
        var span = telemetry.Spans.Single(s => s.Activity.SpanId == log.SpanId);

        Assert.Equal(span.Activity.TraceId, log.TraceId);
        Assert.Equal(span.Tag("tenant.id"), log["tenant.id"]);
        Assert.Equal(span.Tag("user.id"), log["user.id"]);
        Assert.Equal(Math.Round(span.Activity.Duration.TotalMilliseconds, 1), (double)log["duration_ms"]!, 0.2);
        Assert.Equal("success", log["status"]);
        Assert.Equal(LogLevel.Information, log.Level);
        Assert.Matches(@"^(POST|GET) /v1/\w+ 20[01] \d+ms$", log.Body);
        Assert.Equal(ServiceNames.ApiGateway, log.Resource["service.name"]);
        Assert.Equal(true, log.Resource["opsconsole.demo"]);
        Assert.Equal(span.Tag("tenant.id"), log.Resource["tenant.id"]);
        Assert.InRange(log.Timestamp, span.Activity.StartTimeUtc, span.Activity.StartTimeUtc + span.Activity.Duration);
    }

    [Fact]
    public async Task Logs_AFewMinutesOfTraffic_CoverEveryEventTypeOfTheCatalogue()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Run(TimeSpan.FromMinutes(3));

        var types = run.Telemetry!.Logs.Select(l => (string?)l["event_type"]).ToHashSet();

        Assert.Superset(new HashSet<string?> { "http_request", "document_processing", "rag_query", "chat_message", "etl_batch", "auth" }, types);
    }

    [Fact]
    public async Task Messages_OnAGermanHost_WriteNumbersAsThePythonServicesWould()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            await using var run = await DemoRun.StartAsync(capture: true);
            run.Run(TimeSpan.FromSeconds(20));

            var answered = run.Telemetry!.Logs.First(l => l.Body.StartsWith("RAG query answered", StringComparison.Ordinal));

            Assert.Matches(@"quality \d\.\d\d$", answered.Body);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public async Task ErrorLogs_DuringAnErrorBurst_CarryExceptionTypeMessageAndStack()
    {
        await using var run = await DemoRun.StartAsync(capture: true);
        run.Workload.StartIncident(IncidentKind.ErrorBurst, ServiceNames.RagService);
        run.Run(TimeSpan.FromMinutes(1));

        var errors = run.Telemetry!.Logs.Where(l => l.Service == ServiceNames.RagService && l.Level == LogLevel.Error).ToList();

        Assert.NotEmpty(errors);
        Assert.All(errors, e =>
        {
            Assert.Equal("rag_query", e["event_type"]);
            Assert.Equal("error", e["status"]);
            Assert.False(string.IsNullOrEmpty(e["exception.type"] as string));
            Assert.False(string.IsNullOrEmpty(e["exception.message"] as string));
            Assert.Contains("Traceback (most recent call last)", (string)e["exception.stacktrace"]!);
            Assert.NotEqual(default, e.TraceId);
        });
    }
}
