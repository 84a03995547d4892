using BenchmarkDotNet.Running;

// Run by hand, never in the test suite: dotnet run -c Release --project tests/Benchmarks -- --filter '*'
// Results go in the README's Performance section with the command and the machine.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point type (for BenchmarkSwitcher).</summary>
public partial class Program;
