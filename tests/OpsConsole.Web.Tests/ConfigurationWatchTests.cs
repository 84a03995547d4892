using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Web.Tests.Infrastructure;

namespace OpsConsole.Web.Tests;

/// <summary>
/// The configuration files stay reloadable, but are watched by polling: the default watcher is a recursive inotify
/// watch of the content root, which holds the SQLite database, so every WAL write woke it and cost a quarter of span
/// intake under load (README → Performance).
/// </summary>
public sealed class ConfigurationWatchTests
{
    [Fact]
    public void Start_ConfigurationFilesReloadOnChange_WatchedByPollingNotByARecursiveWatch()
    {
        using var factory = new OpsConsoleFactory();
        using var client = factory.CreateClient();

        var configuration = (IConfigurationRoot)factory.Services.GetRequiredService<IConfiguration>();
        var jsonFiles = configuration.Providers.OfType<FileConfigurationProvider>().Select(p => p.Source).ToList();

        Assert.Equal("true", Environment.GetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER"));
        Assert.Contains(jsonFiles, s => s.Path == "appsettings.json");
        Assert.All(jsonFiles, s => Assert.True(s.ReloadOnChange, $"{s.Path} no longer reloads on change"));
    }
}
