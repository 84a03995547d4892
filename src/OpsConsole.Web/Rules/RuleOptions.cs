using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Rules;

namespace OpsConsole.Web.Rules;

/// <summary>The <c>Rules</c> section: where provisioned rule files are and the default group interval.</summary>
public sealed class RuleOptions
{
    public const string SectionName = "Rules";

    /// <summary>Folder of *.yml / *.yaml rule files loaded at start-up (relative paths are under the content root); missing means none.</summary>
    public string Directory { get; set; } = "rules";

    /// <summary>The interval of groups that name none, a Prometheus duration (Prometheus's global default: 1m).</summary>
    public string DefaultInterval { get; set; } = "1m";

    public bool TryGetDefaultIntervalMs(out long ms)
    {
        ms = PromQlDuration.TryParseMs(DefaultInterval.Trim()) ?? 0;
        return ms >= RuleFileParser.MinIntervalMs;
    }

    public string ResolveDirectory(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(Directory) ? Directory : Path.Combine(contentRoot, Directory));
}
