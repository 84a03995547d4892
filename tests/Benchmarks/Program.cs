using BenchmarkDotNet.Running;
using OpsConsole.Benchmarks.PromQl;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Run by hand, never in the test suite: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>.
/// Results go in the README's Performance section with the command and the machine. Other modes:
/// <c>-- load --signal traces|logs …</c> (the ingest load harness, see <see cref="LoadHarness"/>) and <c>-- promql …</c>
/// (PromQL side by side with a real Prometheus, see <see cref="PromQlSideBySide"/>), <c>-- rules</c> (1,000 alerting rules
/// per cycle, see <see cref="RuleCycleBenchmark"/>), <c>-- circuits [--count 100]</c> (signed-in circuits on a live
/// dashboard, see <see cref="Circuits.CircuitsBenchmark"/>), <c>-- explorers</c> (log and trace queries over 10 M lines and
/// 5 M spans next to PostgreSQL, see <see cref="ExplorerBenchmark"/>) and <c>-- triage</c> (10,000 alerts in the Alerts page,
/// see <see cref="TriageBenchmark"/>). A named class rather than
/// top-level statements, so the console's own global <c>Program</c> (hosted by the promql mode) is unambiguous.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "load")
        {
            return await LoadHarness.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "rules")
        {
            return await RuleCycleBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "circuits")
        {
            return await Circuits.CircuitsBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "promql")
        {
            return await PromQlSideBySide.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "explorers")
        {
            return await ExplorerBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "triage")
        {
            return await TriageBenchmark.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
