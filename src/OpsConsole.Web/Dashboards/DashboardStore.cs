using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Dashboards;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Dashboards;

/// <summary>How a change to a dashboard ended.</summary>
public enum DashboardChangeOutcome
{
    Saved,
    Deleted,

    /// <summary>The document is not a valid dashboard (<see cref="DashboardChange.Errors"/> name the field or panel).</summary>
    Invalid,
    NotFound,

    /// <summary>The dashboard was saved by someone else since the version the change was made on.</summary>
    Conflict,
    UidTaken,

    /// <summary>A provisioned dashboard cannot be deleted here (its file would bring it back).</summary>
    Provisioned,

    /// <summary>Reset asked of a dashboard that has no (readable, valid) provisioning file.</summary>
    NotProvisioned,
}

/// <summary>The outcome, the dashboard as it now is (when saved), and the errors or the reason (otherwise).</summary>
public sealed record DashboardChange(DashboardChangeOutcome Outcome, DashboardEntry? Entry, IReadOnlyList<string> Errors)
{
    public string? Detail => Errors.Count > 0 ? Errors[0] : null;

    public static DashboardChange Fail(DashboardChangeOutcome outcome, params string[] errors) => new(outcome, null, errors);
}

/// <summary>
/// The console's dashboards, stored in the database with every version (<see cref="DashboardRepository"/>) and served from
/// memory. At start-up the provisioning folder is applied: a new file adds its dashboard, a changed file a new version —
/// unless an administrator has edited that dashboard in the console: then the database wins until it is reset to the
/// provisioned file. Saves name the version they were made on (optimistic concurrency); every change is audited.
/// </summary>
public sealed partial class DashboardStore(
    DashboardRepository repository, AuditTrail audit, AuditLog auditLog, IOptions<DashboardOptions> options, IHostEnvironment environment,
    TimeProvider time, ILogger<DashboardStore> logger) : IDashboardCatalog
{
    public const string ProvisioningActor = "provisioning";
    private static readonly JsonSerializerOptions AuditJson = new(JsonSerializerDefaults.Web);

    private readonly SemaphoreSlim _changes = new(1, 1);
    private Dictionary<string, DashboardEntry> _byUid = new(StringComparer.Ordinal);
    private List<DashboardProblem> _problems = [];

    public IReadOnlyList<DashboardProblem> Problems => Volatile.Read(ref _problems);

    /// <summary>The provisioning folder (Dashboards:Directory under the content root).</summary>
    public string Directory => Path.Combine(environment.ContentRootPath, options.Value.Directory);

    public IReadOnlyList<DashboardEntry> List() =>
        [.. Volatile.Read(ref _byUid).Values.OrderBy(e => e.Dashboard.Title, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.Dashboard.Uid, StringComparer.Ordinal)];

    public DashboardEntry? Find(string uid) => Volatile.Read(ref _byUid).GetValueOrDefault(uid);

    /// <summary>Parses and validates a dashboard document: the dashboard, or every reason it is refused.</summary>
    public static (Dashboard? Dashboard, IReadOnlyList<string> Errors) Validate(string json)
    {
        try
        {
            var dashboard = DashboardJson.Parse(json, "the dashboard");
            if (dashboard.Title.Length > DashboardRepository.MaxTitleLength)
            {
                return (null, [$"title is {dashboard.Title.Length} characters; at most {DashboardRepository.MaxTitleLength}"]);
            }

            return (dashboard, []);
        }
        catch (DashboardValidationException e)
        {
            return (null, e.Errors);
        }
    }

    /// <summary>Loads the stored dashboards and applies the provisioning folder (see the class summary).</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        await _changes.WaitAsync(ct);
        try
        {
            var problems = new List<DashboardProblem>();
            var rows = (await repository.ListAsync(ct)).ToDictionary(r => r.Uid, StringComparer.Ordinal);
            var (files, badFiles) = ReadFolder(problems);
            var now = time.GetUtcNow();
            foreach (var (dashboard, file) in files)
            {
                var json = DashboardJson.Serialize(dashboard);
                if (!rows.TryGetValue(dashboard.Uid, out var row))
                {
                    var created = Row(dashboard, json, 1, provisioned: true, file, edited: false, ProvisioningActor, now);
                    if (await repository.SaveVersionAsync(created, 0, $"Provisioned from {file}", ct))
                    {
                        rows[created.Uid] = created;
                        await AuditProvisioningAsync(now, "dashboard.create", created.Uid, null, created, file, ct);
                    }

                    continue;
                }

                if (!row.Provisioned)
                {
                    problems.Add(new DashboardProblem(file,
                        [$"uid '{dashboard.Uid}' is a dashboard created in the console (by {row.UpdatedBy}); the file was not applied. Change the uid in the file."]));
                    continue;
                }

                if (row.Edited)
                {
                    LogEditedKept(logger, dashboard.Uid, file, row.Version);
                    continue;
                }

                if (row.Json != json || row.File != file)
                {
                    var next = Row(dashboard, json, row.Version + 1, provisioned: true, file, edited: false, ProvisioningActor, now);
                    if (await repository.SaveVersionAsync(next, row.Version, $"Provisioned file {file} changed", ct))
                    {
                        await AuditProvisioningAsync(now, "dashboard.save", next.Uid, row, next, file, ct);
                        rows[next.Uid] = next;
                    }
                }
            }

            var provisionedUids = files.Select(f => f.Dashboard.Uid).ToHashSet(StringComparer.Ordinal);
            foreach (var row in rows.Values.Where(r => r.Provisioned && !provisionedUids.Contains(r.Uid)).ToList())
            {
                if (row.File is not null && badFiles.Contains(row.File))
                {
                    continue; // its file has errors this time: the last good version stays
                }

                if (row.Edited)
                {
                    // Edited in the console and its file is gone: it stays, as a console dashboard.
                    await repository.UnprovisionAsync(row.Uid, ct);
                    row.Provisioned = false;
                    row.File = null;
                }
                else
                {
                    await repository.DeleteAsync(row.Uid, ct);
                    await AuditProvisioningAsync(now, "dashboard.delete", row.Uid, row, null, row.File ?? "", ct);
                    rows.Remove(row.Uid);
                }
            }

            var loaded = new Dictionary<string, DashboardEntry>(StringComparer.Ordinal);
            foreach (var row in rows.Values)
            {
                var (dashboard, errors) = Validate(row.Json);
                if (dashboard is null)
                {
                    problems.Add(new DashboardProblem($"stored dashboard '{row.Uid}' version {row.Version}", errors));
                    continue;
                }

                loaded[row.Uid] = Entry(dashboard, row);
            }

            foreach (var problem in problems)
            {
                LogProblem(logger, problem.Source, string.Join("; ", problem.Errors));
            }

            Volatile.Write(ref _problems, problems);
            Volatile.Write(ref _byUid, loaded);
            LogLoaded(logger, loaded.Count, loaded.Values.Count(e => e.Provisioned), Directory);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Creates a dashboard (version 1); its uid must be free.</summary>
    public async Task<DashboardChange> CreateAsync(Dashboard dashboard, string? message, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(user);
        if (CheckMessage(message) is { } bad)
        {
            return bad;
        }

        if (dashboard.Uid == "new")
        {
            return DashboardChange.Fail(DashboardChangeOutcome.Invalid, "uid 'new' is reserved (/dashboards/new is the editor for a new dashboard); choose another uid");
        }

        await _changes.WaitAsync(ct);
        try
        {
            if (Find(dashboard.Uid) is not null || await repository.FindAsync(dashboard.Uid, ct) is not null)
            {
                return UidTaken(dashboard.Uid);
            }

            var row = Row(dashboard, DashboardJson.Serialize(dashboard), 1, provisioned: false, null, edited: false, user.GetActor(), time.GetUtcNow());
            if (!await repository.SaveVersionAsync(row, 0, message, ct))
            {
                return UidTaken(dashboard.Uid);
            }

            await audit.RecordAsync(user, "dashboard.create", "dashboard", row.Uid, after: Snapshot(row, message), remoteAddress: remoteAddress, ct: ct);
            return new DashboardChange(DashboardChangeOutcome.Saved, Publish(dashboard, row), []);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Saves <paramref name="dashboard"/> as the next version of <paramref name="uid"/>, made on
    /// <paramref name="expectedVersion"/>: a conflict (nothing changed) when the dashboard has been saved since.
    /// </summary>
    public Task<DashboardChange> SaveAsync(
        string uid, Dashboard dashboard, int expectedVersion, string? message, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        if (dashboard.Uid != uid)
        {
            return Task.FromResult(DashboardChange.Fail(DashboardChangeOutcome.Invalid,
                $"uid '{dashboard.Uid}' in the document differs from '{uid}' in the address; a dashboard's uid cannot change (create a new one instead)"));
        }

        return SaveNextAsync(uid, _ => dashboard, expectedVersion, message, "dashboard.save", edited: true, user, remoteAddress, ct);
    }

    /// <summary>Saves version <paramref name="version"/>'s document again, as the next version.</summary>
    public async Task<DashboardChange> RestoreAsync(string uid, int version, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        var old = await repository.VersionAsync(uid, version, ct);
        if (old is null)
        {
            return DashboardChange.Fail(DashboardChangeOutcome.NotFound, $"Dashboard '{uid}' has no version {version}.");
        }

        var (dashboard, errors) = Validate(old.Json);
        if (dashboard is null)
        {
            return new DashboardChange(DashboardChangeOutcome.Invalid, null, [$"version {version} is not a valid dashboard any more; nothing was changed", .. errors]);
        }

        return await SaveNextAsync(uid, _ => dashboard, null, $"Restored version {version}", "dashboard.restore", edited: true, user, remoteAddress, ct);
    }

    /// <summary>Replaces an edited provisioned dashboard by its file again (as a new version); later file changes apply again.</summary>
    public async Task<DashboardChange> ResetToProvisionedAsync(string uid, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        var entry = Find(uid);
        if (entry is null)
        {
            return DashboardChange.Fail(DashboardChangeOutcome.NotFound, $"There is no dashboard '{uid}'.");
        }

        if (!entry.Provisioned || entry.Source is not { } file)
        {
            return DashboardChange.Fail(DashboardChangeOutcome.NotProvisioned, $"Dashboard '{uid}' is not provisioned from a file; there is nothing to reset it to.");
        }

        var (files, _) = ReadFolder([]);
        if (files.FirstOrDefault(f => f.Dashboard.Uid == uid) is not { Dashboard: not null } found)
        {
            return DashboardChange.Fail(DashboardChangeOutcome.NotProvisioned,
                $"No valid file in the dashboards folder defines '{uid}' any more (it was {file}); nothing was changed.");
        }

        return await SaveNextAsync(uid, _ => found.Dashboard, null, $"Reset to the provisioned file {found.File}", "dashboard.reset", edited: false, user, remoteAddress, ct);
    }

    /// <summary>Deletes a dashboard created in the console, with its history. Provisioned ones are refused (their file would bring them back).</summary>
    public async Task<DashboardChange> DeleteAsync(string uid, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        await _changes.WaitAsync(ct);
        try
        {
            if (Find(uid) is not { } entry)
            {
                return DashboardChange.Fail(DashboardChangeOutcome.NotFound, $"There is no dashboard '{uid}'.");
            }

            if (entry.Provisioned)
            {
                return DashboardChange.Fail(DashboardChangeOutcome.Provisioned,
                    $"Dashboard '{uid}' is provisioned from {entry.Source} and would come back at the next start: remove the file to delete it. Nothing was changed.");
            }

            await repository.DeleteAsync(uid, ct);
            await audit.RecordAsync(user, "dashboard.delete", "dashboard", uid,
                before: new { entry.Version, entry.Dashboard.Title, json = DashboardJson.Serialize(entry.Dashboard) }, remoteAddress: remoteAddress, ct: ct);
            var next = new Dictionary<string, DashboardEntry>(_byUid, StringComparer.Ordinal);
            next.Remove(uid);
            Volatile.Write(ref _byUid, next);
            return new DashboardChange(DashboardChangeOutcome.Deleted, entry, []);
        }
        finally
        {
            _changes.Release();
        }
    }

    public Task<IReadOnlyList<DashboardVersionInfo>> VersionsAsync(string uid, CancellationToken ct) => repository.VersionsAsync(uid, ct);

    public Task<DashboardVersionEntity?> VersionAsync(string uid, int version, CancellationToken ct) => repository.VersionAsync(uid, version, ct);

    private async Task<DashboardChange> SaveNextAsync(
        string uid, Func<DashboardEntry, Dashboard> next, int? expectedVersion, string? message, string action, bool edited,
        ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (CheckMessage(message) is { } bad)
        {
            return bad;
        }

        await _changes.WaitAsync(ct);
        try
        {
            if (Find(uid) is not { } current)
            {
                return DashboardChange.Fail(DashboardChangeOutcome.NotFound, $"There is no dashboard '{uid}'.");
            }

            var expected = expectedVersion ?? current.Version;
            if (expected != current.Version)
            {
                return Conflict(current, expected);
            }

            var dashboard = next(current);
            var row = Row(dashboard, DashboardJson.Serialize(dashboard), expected + 1, current.Provisioned, current.Provisioned ? current.Source : null,
                edited && current.Provisioned, user.GetActor(), time.GetUtcNow());
            if (!await repository.SaveVersionAsync(row, expected, message, ct))
            {
                // Another replica saved it: take what is stored now and say so.
                var stored = await repository.FindAsync(uid, ct);
                if (stored is not null && Validate(stored.Json).Dashboard is { } theirs)
                {
                    return Conflict(Publish(theirs, stored), expected);
                }

                return DashboardChange.Fail(DashboardChangeOutcome.Conflict, $"Dashboard '{uid}' was changed or deleted meanwhile; reload it. Nothing was changed.");
            }

            await audit.RecordAsync(user, action, "dashboard", uid,
                before: new { current.Version, current.Dashboard.Title }, after: Snapshot(row, message), remoteAddress: remoteAddress, ct: ct);
            return new DashboardChange(DashboardChangeOutcome.Saved, Publish(dashboard, row), []);
        }
        finally
        {
            _changes.Release();
        }
    }

    private static DashboardChange? CheckMessage(string? message) =>
        message is { Length: > DashboardRepository.MaxMessageLength }
            ? DashboardChange.Fail(DashboardChangeOutcome.Invalid, $"message is {message.Length} characters; at most {DashboardRepository.MaxMessageLength}")
            : null;

    private static DashboardChange Conflict(DashboardEntry current, int expected) => new(DashboardChangeOutcome.Conflict, current,
        [$"Dashboard '{current.Dashboard.Uid}' is at version {current.Version} (saved by {current.UpdatedBy} at "
            + $"{current.UpdatedAt?.ToString("u", CultureInfo.InvariantCulture)}), but this change was made on version {expected}. "
            + "Reload it, make the change again and save. Nothing was changed."]);

    private static DashboardChange UidTaken(string uid) => DashboardChange.Fail(DashboardChangeOutcome.UidTaken,
        $"A dashboard with the uid '{uid}' already exists; choose another uid. Nothing was changed.");

    private DashboardEntry Publish(Dashboard dashboard, DashboardEntity row)
    {
        var entry = Entry(dashboard, row);
        var next = new Dictionary<string, DashboardEntry>(_byUid, StringComparer.Ordinal) { [row.Uid] = entry };
        Volatile.Write(ref _byUid, next);
        return entry;
    }

    private static DashboardEntry Entry(Dashboard dashboard, DashboardEntity row) =>
        new(dashboard, row.Provisioned ? row.File ?? "provisioned" : $"saved in the console by {row.UpdatedBy}", row.Version, row.Provisioned, row.Edited,
            row.UpdatedBy, row.UpdatedAt);

    private static DashboardEntity Row(Dashboard d, string json, int version, bool provisioned, string? file, bool edited, string by, DateTimeOffset at) => new()
    {
        Uid = d.Uid,
        Title = d.Title,
        Json = json,
        Version = version,
        Provisioned = provisioned,
        File = provisioned ? file : null,
        Edited = edited,
        UpdatedBy = by,
        UpdatedAt = at,
    };

    private static object Snapshot(DashboardEntity row, string? message) => new { row.Version, row.Title, message, json = row.Json };

    private async Task AuditProvisioningAsync(DateTimeOffset at, string action, string uid, DashboardEntity? before, DashboardEntity? after, string file, CancellationToken ct) =>
        await auditLog.WriteAsync(new AuditLogEntryEntity
        {
            At = at,
            Actor = ProvisioningActor,
            Action = action,
            TargetType = "dashboard",
            TargetId = uid,
            Before = before is null ? null : JsonSerializer.Serialize(new { before.Version, before.Title, file }, AuditJson),
            After = after is null ? null : JsonSerializer.Serialize(new { after.Version, after.Title, file }, AuditJson),
        }, ct);

    /// <summary>Every valid provisioning file's dashboard, and the names of the files that are not valid (their problems added).</summary>
    private (List<(Dashboard Dashboard, string File)> Files, HashSet<string> BadFiles) ReadFolder(List<DashboardProblem> problems)
    {
        var found = new List<(Dashboard, string)>();
        var bad = new HashSet<string>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(Directory))
        {
            LogNoFolder(logger, Directory);
            return (found, bad);
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            string json;
            try
            {
                json = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                bad.Add(file);
                problems.Add(new DashboardProblem(file, [$"could not be read: {e.Message}"]));
                continue;
            }

            var (dashboard, errors) = Validate(json);
            if (dashboard is null)
            {
                bad.Add(file);
                problems.Add(new DashboardProblem(file, errors));
                continue;
            }

            if (owners.TryGetValue(dashboard.Uid, out var owner))
            {
                bad.Add(file);
                problems.Add(new DashboardProblem(file, [$"uid '{dashboard.Uid}' is already used by {owner}; this one was not loaded"]));
                continue;
            }

            owners[dashboard.Uid] = file;
            found.Add((dashboard, file));
        }

        return (found, bad);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboards: {Count} loaded, {Provisioned} of them provisioned from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int count, int provisioned, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No dashboards provisioned: the directory {Directory} (Dashboards:Directory) does not exist")]
    private static partial void LogNoFolder(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dashboard {Source} was not loaded: {Errors}")]
    private static partial void LogProblem(ILogger logger, string source, string errors);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Dashboard {Uid} was edited in the console (version {Version}); {File} is not applied until it is reset to the provisioned file")]
    private static partial void LogEditedKept(ILogger logger, string uid, string file, int version);
}
