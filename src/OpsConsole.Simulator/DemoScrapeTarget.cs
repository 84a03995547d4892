namespace OpsConsole.Simulator;

/// <summary>A /metrics endpoint to scrape: <see cref="Job"/> is the service's name (so <c>up{job="rag-service"}</c> works).</summary>
public sealed record DemoScrapeTarget(string Job, Uri Url);
