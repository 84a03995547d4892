using BenchmarkDotNet.Running;

// Run by hand, never in the test suite: dotnet run -c Release --project tests/Benchmarks -- --filter '*'
// Results go in the README's Performance section with the command and the machine.
// The ingest load harness: dotnet run -c Release --project tests/Benchmarks -- load --signal traces|logs ...
if (args.Length > 0 && args[0] == "load")
{
    return await OpsConsole.Benchmarks.LoadHarness.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point type (for BenchmarkSwitcher).</summary>
public partial class Program;
