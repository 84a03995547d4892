using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Simulator;

/// <summary>The simulator as its own process: parses the command line, runs the workload until Ctrl+C or SIGTERM.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var (options, error, help) = DemoCommandLine.Parse(args);
        if (help)
        {
            Console.WriteLine(DemoCommandLine.Usage);
            return 0;
        }

        if (options is null)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine("Run with --help for the options.");
            return 2;
        }

        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        await using var workload = new DemoWorkload(options, TimeProvider.System, loggers.CreateLogger<DemoWorkload>());
        try
        {
            await workload.StartAsync(stop.Token);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }

        Console.WriteLine("Scrape targets (job = service name):");
        foreach (var target in workload.ScrapeTargets)
        {
            Console.WriteLine($"  {target.Job,-16} {target.Url}");
        }

        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await workload.StopAsync(CancellationToken.None);
        return 0;
    }
}
