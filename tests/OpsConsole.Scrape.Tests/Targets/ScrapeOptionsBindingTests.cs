using System.Text;
using Microsoft.Extensions.Configuration;
using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Scrape.Tests.Targets;

/// <summary>The <c>Scrape</c> section as the web host binds it from appsettings.json and environment variables.</summary>
public sealed class ScrapeOptionsBindingTests
{
    [Fact]
    public void Bind_ScrapeSection_GivesARegistryWithTheStaticTargets()
    {
        // Arrange
        const string json = """
            {
              "Scrape": {
                "DefaultInterval": "30s",
                "SampleLimit": 50000,
                "Targets": [
                  { "Job": "rag-service", "Url": "http://localhost:9101/metrics", "Interval": "15s", "Timeout": "5s",
                    "Tenant": "acme", "Labels": { "env": "demo", "team": "search" } },
                  { "Job": "ml-engine", "Url": "http://localhost:9102/metrics" }
                ]
              }
            }
            """;
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Scrape:Targets:1:Interval"] = "1m" })
            .Build();
        var options = new ScrapeOptions();

        // Act
        configuration.GetSection(ScrapeOptions.SectionName).Bind(options);
        var registry = new ScrapeTargetRegistry(options);

        // Assert
        Assert.Empty(options.Validate());
        Assert.Equal(50_000, options.SampleLimit);
        var rag = registry.Find("rag-service", "localhost:9101")!;
        Assert.Equal(("acme", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5)), (rag.TenantId, rag.Interval, rag.Timeout));
        Assert.Equal("""{env="demo", instance="localhost:9101", job="rag-service", team="search"}""", rag.TargetLabels.ToString());
        var ml = registry.Find("ml-engine", "localhost:9102")!;
        Assert.Equal(("default", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)), (ml.TenantId, ml.Interval, ml.Timeout));
    }
}
