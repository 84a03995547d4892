using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Data;
using OpsConsole.Web.Observability;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

public sealed class SelfObservabilityTests(OpsConsoleFactory factory) : IClassFixture<OpsConsoleFactory>
{
    [Fact]
    public async Task Metrics_AfterSomeTraffic_PassPromtoolCheckMetrics()
    {
        using var client = factory.CreateBrowserClient();
        await BrowserSession.SignInAsync(client, "admin", DemoAccounts.Password);
        using var wrong = await BrowserSession.PostLoginAsync(factory.CreateBrowserClient(), "admin", "wrong-password-x");
        (await client.GetAsync("/api/v1/me")).Dispose();

        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("opsconsole_sign_ins_total{result=\"Succeeded\"}", metrics);
        Assert.Contains("opsconsole_sign_ins_total{result=\"InvalidCredentials\"}", metrics);
        Assert.Contains("http_requests_received_total", metrics);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(metrics);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Anonymous_AnswersHealthyJson(string path)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        if (path.EndsWith("ready", StringComparison.Ordinal))
        {
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task ReadinessCheck_DatabaseUnreachable_ReportsUnhealthyNamingTheProvider()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOpsConsoleData(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = "Host=127.0.0.1;Port=1;Timeout=2" }, Path.GetTempPath());
        services.AddSingleton<DatabaseHealthCheck>();
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<DatabaseHealthCheck>().CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("Postgres", result.Description);
        Assert.DoesNotContain("Host=", result.Description);
    }

    [Fact]
    public async Task Pages_CarrySecurityHeaders()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/account/login");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
