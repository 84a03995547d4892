using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Simulator;

/// <summary>Registers the demo workload as a hosted service of a host (the console, when <c>Demo:Enabled</c> is true).</summary>
public static class DemoWorkloadServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DemoWorkload"/> as a singleton (resolve it to read its scrape targets or stage an incident)
    /// and runs it as a hosted service, using the container's <see cref="TimeProvider"/> when there is one.
    /// </summary>
    public static IServiceCollection AddDemoWorkload(this IServiceCollection services, DemoWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new DemoWorkload(options, sp.GetService<TimeProvider>(), sp.GetService<ILogger<DemoWorkload>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DemoWorkload>());
        return services;
    }
}
