using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Simulator.Catalog;

namespace OpsConsole.Simulator.Tests;

/// <summary>Running the demo workload inside another host, as the console does when <c>Demo:Enabled</c> is true.</summary>
public sealed class HostingTests
{
    [Fact]
    public void Options_FromADemoSection_BindEverySetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Demo:Enabled"] = "true",
            ["Demo:OtlpEndpoint"] = "http://localhost:4318",
            ["Demo:OtlpProtocol"] = "HttpProtobuf",
            ["Demo:ApiKey"] = "oc_demo",
            ["Demo:Rate"] = "5",
            ["Demo:MetricsPortBase"] = "9401",
            ["Demo:Incidents"] = "false",
            ["Demo:IncidentInterval"] = "00:20:00",
        }).Build();

        var options = configuration.GetSection(DemoWorkloadOptions.SectionName).Get<DemoWorkloadOptions>()!;

        Assert.True(options.Enabled);
        Assert.Equal(new Uri("http://localhost:4318"), options.OtlpEndpoint);
        Assert.Equal(OtlpProtocol.HttpProtobuf, options.OtlpProtocol);
        Assert.Equal("oc_demo", options.ApiKey);
        Assert.Equal(5, options.Rate);
        Assert.Equal(9401, options.MetricsPortBase);
        Assert.False(options.Incidents);
        Assert.Equal(TimeSpan.FromMinutes(20), options.IncidentInterval);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public async Task AddDemoWorkload_InAHost_ServesMetricsWhileTheHostRunsAndStopsWithIt()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddDemoWorkload(new DemoWorkloadOptions { OtlpEndpoint = null, MetricsPortBase = 0, Incidents = false });
        using var host = builder.Build();
        using var http = new HttpClient();

        await host.StartAsync();
        var workload = host.Services.GetRequiredService<DemoWorkload>();
        var gateway = workload.ScrapeTargets.Single(t => t.Job == ServiceNames.ApiGateway).Url;
        time.Advance(TimeSpan.FromSeconds(30));
        workload.Tick();
        var page = await http.GetStringAsync(gateway);
        await host.StopAsync();

        Assert.Same(workload, host.Services.GetServices<IHostedService>().OfType<DemoWorkload>().Single());
        Assert.Contains("api_requests_total{tenant_id=\"acme\"}", page);
        Assert.False(workload.IsRunning);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(gateway));
    }
}
