using System.Runtime.CompilerServices;
using Bunit;

namespace OpsConsole.Web.Tests.Infrastructure;

/// <summary>
/// bUnit's waits give up after one second by default. The suite runs on a 2-core machine next to the database and the
/// browser tests, where a render can take longer; waiting up to 10 s for a condition costs nothing when it holds sooner.
/// </summary>
internal static class BunitDefaults
{
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
