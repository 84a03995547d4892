namespace OpsConsole.Web.Hosting;

/// <summary>
/// Finds the directory that holds the host's base configuration (<c>appsettings.json</c>) and <c>wwwroot/</c>:
/// the repository root when run from source (found by walking up to <c>OpsConsole.sln</c>), else the
/// application's own directory (a published build, where both are copied beside the binaries).
/// <c>OPSCONSOLE_CONTENT_ROOT</c> overrides both.
/// </summary>
internal static class ContentRoot
{
    /// <summary>Makes physical file providers poll watched files instead of watching their whole root (Program.cs says why).</summary>
    public const string PollingFileWatcherVariable = "DOTNET_USE_POLLING_FILE_WATCHER";

    public static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("OPSCONSOLE_CONTENT_ROOT");
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Path.GetFullPath(overridden);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return AppContext.BaseDirectory;
    }
}
