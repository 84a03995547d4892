// The demo SaaS (TELEMETRY.md) arrives with the telemetry-in work: it will send real OTLP and serve real
// Prometheus endpoints. Until then it says so instead of pretending.
Console.Error.WriteLine("OpsConsole.Simulator: the demo workload is not built yet; it arrives with OTLP ingestion.");
return 2;
