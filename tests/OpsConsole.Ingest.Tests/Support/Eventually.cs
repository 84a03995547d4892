using System.Diagnostics;

namespace OpsConsole.Ingest.Tests.Support;

/// <summary>Waits for a condition that another thread makes true, failing with a message after a timeout.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public static async Task TrueAsync(Func<bool> condition, string because)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > DefaultTimeout)
            {
                Assert.Fail($"Timed out after {DefaultTimeout.TotalSeconds:0.#}s waiting until {because}.");
            }

            // Polling, not synchronisation: the loop exits as soon as the condition holds.
            await Task.Delay(PollInterval);
        }
    }
}
