using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Rules;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Auditing;

namespace OpsConsole.Web.Rules;

/// <summary>What importing a rule file would do (or did) to one group.</summary>
public sealed record RuleGroupChange(string Name, string Action, int Rules);

/// <summary>The answer to an import: invalid (nothing changed), in conflict with provisioned groups (nothing changed), or done.</summary>
public sealed record RuleImportResult(IReadOnlyList<RuleFileError> Errors, IReadOnlyList<string> Conflicts, IReadOnlyList<RuleGroupChange> Changes)
{
    public bool IsValid => Errors.Count == 0;
}

public enum RuleGroupDeleteResult
{
    Deleted,
    NotFound,
    Provisioned,
}

/// <summary>
/// The console's rule groups: stored in the database, provisioned from the rules folder at start-up, imported and
/// deleted through the API, and handed to the <see cref="RuleScheduler"/>. Changes are all-or-nothing, serialized,
/// audited, and provisioned groups cannot be changed through the API.
/// </summary>
public sealed partial class RuleGroupCatalog(
    RuleGroupRepository repository, RuleScheduler scheduler, AuditTrail audit, AuditLog auditLog, IOptions<RuleOptions> options,
    IHostEnvironment environment, TimeProvider time, ILogger<RuleGroupCatalog> logger)
{
    public const string ProvisioningActor = "provisioning";
    private const string SourceProvisioned = "provisioned";
    private const string SourceApi = "api";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SemaphoreSlim _changes = new(1, 1);
    private List<LoadedRuleGroup> _groups = [];

    /// <summary>The groups by name.</summary>
    public IReadOnlyList<LoadedRuleGroup> Groups => Volatile.Read(ref _groups);

    public string Directory => options.Value.ResolveDirectory(environment.ContentRootPath);

    /// <summary>Loads the stored groups, then applies the rules folder (a bad file keeps its groups' last good version).</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        await _changes.WaitAsync(ct);
        try
        {
            var stored = new Dictionary<string, LoadedRuleGroup>(StringComparer.Ordinal);
            foreach (var row in await repository.ListAsync(ct))
            {
                if (FromRow(row) is { } loaded)
                {
                    stored[loaded.Name] = loaded;
                }
            }

            var (files, badFiles) = ReadFolder();
            var now = time.GetUtcNow();
            var upserts = new List<RuleGroupEntity>();
            var deletes = new List<string>();
            var entries = new List<AuditLogEntryEntity>();
            var provisioned = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (group, file) in files)
            {
                provisioned.Add(group.Name);
                var yaml = group.ToYaml();
                stored.TryGetValue(group.Name, out var existing);
                if (existing is { Source: RuleGroupSource.Provisioned } && existing.File == file && existing.Group.ToYaml() == yaml)
                {
                    continue;
                }

                if (existing is { Source: RuleGroupSource.Api })
                {
                    LogApiGroupReplaced(logger, group.Name, file);
                }

                upserts.Add(Row(group, SourceProvisioned, file, now, ProvisioningActor));
                entries.Add(Entry(now, existing is null ? "rules.group.create" : "rules.group.replace", group.Name, existing?.Group.ToYaml(), yaml, file));
                stored[group.Name] = new LoadedRuleGroup(group, RuleGroupSource.Provisioned, file, now, ProvisioningActor);
            }

            foreach (var old in stored.Values.Where(g => g.Source == RuleGroupSource.Provisioned && !provisioned.Contains(g.Name)).ToList())
            {
                if (badFiles.Contains(old.File))
                {
                    LogKeptLastGood(logger, old.Name, old.File);
                    continue;
                }

                deletes.Add(old.Name);
                entries.Add(Entry(now, "rules.group.delete", old.Name, old.Group.ToYaml(), null, old.File));
                stored.Remove(old.Name);
            }

            if (upserts.Count > 0 || deletes.Count > 0)
            {
                await repository.ApplyAsync(upserts, deletes, ct);
                foreach (var entry in entries)
                {
                    await auditLog.WriteAsync(entry, ct);
                }
            }

            Publish([.. stored.Values]);
            LogLoaded(logger, stored.Count, stored.Values.Count(g => g.Source == RuleGroupSource.Provisioned), Directory);
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Validates <paramref name="yaml"/> and, unless <paramref name="dryRun"/>, creates or replaces its groups.</summary>
    public async Task<RuleImportResult> ImportAsync(string yaml, ClaimsPrincipal user, bool dryRun, string? remoteAddress, CancellationToken ct)
    {
        var parsed = RuleFileParser.Parse(yaml);
        var errors = parsed.Errors.ToList();
        if (errors.Count == 0 && parsed.Groups.Count == 0)
        {
            errors.Add(new RuleFileError("the rule file has no groups: nothing to import"));
        }

        foreach (var group in parsed.Groups.Where(g => g.Name.Length > RuleGroupRepository.MaxNameLength))
        {
            errors.Add(new RuleFileError($"at most {RuleGroupRepository.MaxNameLength} characters") { Group = group.Name[..40] + "…", Field = "name" });
        }

        if (errors.Count > 0)
        {
            return new RuleImportResult(errors, [], []);
        }

        await _changes.WaitAsync(ct);
        try
        {
            var current = _groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
            var conflicts = parsed.Groups.Where(g => current.TryGetValue(g.Name, out var c) && c.Source == RuleGroupSource.Provisioned)
                .Select(g => $"{g.Name} (provisioned from {current[g.Name].File})").ToList();
            if (conflicts.Count > 0)
            {
                return new RuleImportResult([], conflicts, []);
            }

            var changes = parsed.Groups.Select(g => new RuleGroupChange(
                g.Name,
                !current.TryGetValue(g.Name, out var c) ? "create" : c.Group.ToYaml() == g.ToYaml() ? "unchanged" : "replace",
                g.Rules.Count)).ToList();
            if (dryRun)
            {
                return new RuleImportResult([], [], changes);
            }

            var now = time.GetUtcNow();
            var actor = user.Identity?.Name ?? "anonymous";
            var changed = parsed.Groups.Where((g, i) => changes[i].Action != "unchanged").ToList();
            await repository.ApplyAsync([.. changed.Select(g => Row(g, SourceApi, SourceApi, now, actor))], [], ct);
            foreach (var group in changed)
            {
                current.TryGetValue(group.Name, out var before);
                await audit.RecordAsync(user, before is null ? "rules.group.create" : "rules.group.replace", "rule_group", group.Name,
                    before: before is null ? null : new { yaml = before.Group.ToYaml() }, after: new { yaml = group.ToYaml() }, remoteAddress: remoteAddress, ct: ct);
                current[group.Name] = new LoadedRuleGroup(group, RuleGroupSource.Api, SourceApi, now, actor);
            }

            Publish([.. current.Values]);
            return new RuleImportResult([], [], changes);
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<RuleGroupDeleteResult> DeleteAsync(string name, ClaimsPrincipal user, string? remoteAddress, CancellationToken ct)
    {
        await _changes.WaitAsync(ct);
        try
        {
            var current = _groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
            if (!current.TryGetValue(name, out var group))
            {
                return RuleGroupDeleteResult.NotFound;
            }

            if (group.Source == RuleGroupSource.Provisioned)
            {
                return RuleGroupDeleteResult.Provisioned;
            }

            await repository.DeleteAsync(name, ct);
            await audit.RecordAsync(user, "rules.group.delete", "rule_group", name, before: new { yaml = group.Group.ToYaml() }, remoteAddress: remoteAddress, ct: ct);
            current.Remove(name);
            Publish([.. current.Values]);
            return RuleGroupDeleteResult.Deleted;
        }
        finally
        {
            _changes.Release();
        }
    }

    private void Publish(List<LoadedRuleGroup> groups)
    {
        groups.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        Volatile.Write(ref _groups, groups);
        scheduler.SetGroups(groups);
    }

    /// <summary>Every valid file's groups and the files that were not valid (named as Rules:Directory + file name, e.g. <c>rules/demo.yml</c>).</summary>
    private (List<(RuleGroup Group, string File)> Groups, HashSet<string> BadFiles) ReadFolder()
    {
        var groups = new List<(RuleGroup, string)>();
        var bad = new HashSet<string>(StringComparer.Ordinal);
        var directory = Directory;
        if (!System.IO.Directory.Exists(directory))
        {
            LogNoFolder(logger, directory);
            return (groups, bad);
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var paths = System.IO.Directory.EnumerateFiles(directory)
            .Where(p => p.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var file = Path.Combine(options.Value.Directory, Path.GetFileName(path)).Replace('\\', '/');
            RuleFileParseResult parsed;
            try
            {
                parsed = RuleFileParser.Parse(File.ReadAllText(path));
            }
            catch (IOException e)
            {
                parsed = new RuleFileParseResult([], [new RuleFileError("could not be read: " + e.Message)]);
            }
            catch (UnauthorizedAccessException e)
            {
                parsed = new RuleFileParseResult([], [new RuleFileError("could not be read: " + e.Message)]);
            }

            var errors = parsed.Errors.ToList();
            errors.AddRange(parsed.Groups.Where(g => owners.ContainsKey(g.Name))
                .Select(g => new RuleFileError($"group name \"{g.Name}\" is already provisioned by {owners[g.Name]}") { Group = g.Name, Field = "name" }));
            errors.AddRange(parsed.Groups.Where(g => g.Name.Length > RuleGroupRepository.MaxNameLength)
                .Select(g => new RuleFileError($"at most {RuleGroupRepository.MaxNameLength} characters") { Field = "name" }));
            if (errors.Count > 0)
            {
                bad.Add(file);
                foreach (var error in errors)
                {
                    LogFileError(logger, file, error.ToString());
                }

                LogFileRejected(logger, file, errors.Count);
                continue;
            }

            foreach (var group in parsed.Groups)
            {
                owners[group.Name] = file;
                groups.Add((group, file));
            }
        }

        return (groups, bad);
    }

    private LoadedRuleGroup? FromRow(RuleGroupEntity row)
    {
        var parsed = RuleFileParser.Parse(row.Yaml);
        if (!parsed.IsValid || parsed.Groups.Count != 1 || parsed.Groups[0].Name != row.Name)
        {
            LogStoredGroupInvalid(logger, row.Name, string.Join("; ", parsed.Errors));
            return null;
        }

        var source = row.Source == SourceProvisioned ? RuleGroupSource.Provisioned : RuleGroupSource.Api;
        return new LoadedRuleGroup(parsed.Groups[0], source, row.File, row.UpdatedAt, row.UpdatedBy);
    }

    private static RuleGroupEntity Row(RuleGroup group, string source, string file, DateTimeOffset at, string by) => new()
    {
        Name = group.Name,
        Source = source,
        File = file,
        Yaml = group.ToYaml(),
        UpdatedAt = at,
        UpdatedBy = by,
    };

    private static AuditLogEntryEntity Entry(DateTimeOffset at, string action, string name, string? before, string? after, string file) => new()
    {
        At = at,
        Actor = ProvisioningActor,
        Action = action,
        TargetType = "rule_group",
        TargetId = name,
        Before = before is null ? null : JsonSerializer.Serialize(new { yaml = before, file }, Json),
        After = after is null ? null : JsonSerializer.Serialize(new { yaml = after, file }, Json),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Rules: {Count} groups loaded, {Provisioned} of them provisioned from {Directory}")]
    private static partial void LogLoaded(ILogger logger, int count, int provisioned, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rules: no rules folder at {Directory}; nothing provisioned")]
    private static partial void LogNoFolder(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule file {File}: {Error}")]
    private static partial void LogFileError(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule file {File} was not loaded ({Count} errors above); the other files are; its groups keep their last good version")]
    private static partial void LogFileRejected(ILogger logger, string file, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group \"{Group}\" from {File} not loaded again: the file has errors; its last good version stays")]
    private static partial void LogKeptLastGood(ILogger logger, string group, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group \"{Group}\" added through the API is replaced by the provisioned group of the same name in {File}")]
    private static partial void LogApiGroupReplaced(ILogger logger, string group, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored rule group \"{Group}\" is not valid any more and is not run: {Errors}")]
    private static partial void LogStoredGroupInvalid(ILogger logger, string group, string errors);
}
