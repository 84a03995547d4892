using Microsoft.Extensions.Logging;

namespace OpsConsole.Core.Dashboards;

/// <summary>A document that could not be provisioned, and why.</summary>
public sealed record DashboardProblem(string Source, IReadOnlyList<string> Errors);

/// <summary>
/// A dashboard and where it came from (a provisioned file, a save in the console), with its stored version: 1 for the
/// first, one more for each save. <paramref name="Edited"/>: a provisioned dashboard an administrator has saved since.
/// </summary>
public sealed record DashboardEntry(
    Dashboard Dashboard, string Source, int Version = 1, bool Provisioned = false, bool Edited = false, string? UpdatedBy = null, DateTimeOffset? UpdatedAt = null);

/// <summary>
/// The dashboards the console knows: the database-backed, versioned store in the console, or
/// <see cref="InMemoryDashboardCatalog"/> (provisioned files only; used by tests of the pages).
/// </summary>
public interface IDashboardCatalog
{
    /// <summary>Every dashboard, by title.</summary>
    IReadOnlyList<DashboardEntry> List();

    /// <summary>The dashboard with this uid, or null.</summary>
    DashboardEntry? Find(string uid);

    /// <summary>Documents that were refused, each with its reasons (shown to administrators).</summary>
    IReadOnlyList<DashboardProblem> Problems { get; }
}

/// <summary>Dashboards held in memory, filled from the provisioning directory at start-up.</summary>
public sealed class InMemoryDashboardCatalog : IDashboardCatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DashboardEntry> _byUid = new(StringComparer.Ordinal);
    private readonly List<DashboardProblem> _problems = [];

    public IReadOnlyList<DashboardProblem> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    public IReadOnlyList<DashboardEntry> List()
    {
        lock (_gate)
        {
            return [.. _byUid.Values.OrderBy(e => e.Dashboard.Title, StringComparer.OrdinalIgnoreCase)];
        }
    }

    public DashboardEntry? Find(string uid)
    {
        lock (_gate)
        {
            return _byUid.GetValueOrDefault(uid);
        }
    }

    /// <summary>Adds a validated dashboard; a uid that is taken is refused (recorded as a problem) and false returned.</summary>
    public bool Add(Dashboard dashboard, string source)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        lock (_gate)
        {
            if (_byUid.TryGetValue(dashboard.Uid, out var existing))
            {
                _problems.Add(new DashboardProblem(source, [$"uid '{dashboard.Uid}' is already used by {existing.Source}; this one was not loaded"]));
                return false;
            }

            _byUid[dashboard.Uid] = new DashboardEntry(dashboard, source);
            return true;
        }
    }

    /// <summary>Adds an imported dashboard unless its uid is taken (then nothing changes and false is returned).</summary>
    public bool TryAdd(Dashboard dashboard, string source)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        lock (_gate)
        {
            return _byUid.TryAdd(dashboard.Uid, new DashboardEntry(dashboard, source));
        }
    }

    /// <summary>Records a document that could not be loaded.</summary>
    public void AddProblem(DashboardProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        lock (_gate)
        {
            _problems.Add(problem);
        }
    }

    /// <summary>
    /// Loads every <c>*.json</c> in <paramref name="directory"/> (sorted by name). A file that is not a valid dashboard is
    /// logged with every reason and skipped; the others still load. A missing directory loads nothing.
    /// </summary>
    public int LoadDirectory(string directory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(logger);
        if (!Directory.Exists(directory))
        {
            logger.LogWarning("No dashboards provisioned: the directory {Directory} (Dashboards:Directory) does not exist", directory);
            return 0;
        }

        var loaded = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var source = Path.GetFileName(file);
            try
            {
                var dashboard = DashboardJson.Parse(File.ReadAllText(file), source);
                if (Add(dashboard, source))
                {
                    loaded++;
                }
                else
                {
                    logger.LogError("Dashboard {File} was not loaded: uid {Uid} is taken", source, dashboard.Uid);
                }
            }
            catch (DashboardValidationException e)
            {
                AddProblem(new DashboardProblem(source, e.Errors));
                logger.LogError("Dashboard {File} was not loaded: {Errors}", source, string.Join("; ", e.Errors));
            }
            catch (IOException e)
            {
                AddProblem(new DashboardProblem(source, [$"could not be read: {e.Message}"]));
                logger.LogError(e, "Dashboard {File} could not be read", source);
            }
        }

        logger.LogInformation("Provisioned {Count} dashboard(s) from {Directory}", loaded, directory);
        return loaded;
    }
}
