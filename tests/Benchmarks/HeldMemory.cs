using System.Globalization;

namespace OpsConsole.Benchmarks;

/// <summary>Measures how much managed memory something keeps alive: the heap after a full collection, before and after.</summary>
public static class HeldMemory
{
    public static long Now() => GC.GetTotalMemory(forceFullCollection: true);

    public static void Report(string what, long bytes, long items, string unit) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// HeldMemory {what}: {bytes / (double)items:0.00} bytes/{unit} ({bytes:N0} bytes for {items:N0} {unit}s)"));
}
