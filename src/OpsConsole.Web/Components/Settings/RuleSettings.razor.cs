using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpsConsole.Core.Query.PromQl;
using OpsConsole.Core.Rules;
using OpsConsole.Web.Api;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Rules;

namespace OpsConsole.Web.Components.Settings;

/// <summary>
/// Rule groups with each rule's health and last evaluation; admins create, edit (YAML, validated with positioned
/// errors, each rule's expression previewed over the last hour) and delete the groups made through the API.
/// </summary>
public sealed partial class RuleSettings
{
    private const string Template = "groups:\n  - name: my-group\n    interval: 1m\n    rules:\n      - alert: HighErrorRate\n        expr: sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m])) > 1\n        for: 5m\n        labels:\n          severity: warning\n        annotations:\n          summary: \"{{ $labels.service }} returns errors\"\n";

    private Dictionary<string, RuleGroupStatus> _statuses = [];
    private string? _editing;
    private string _yaml = "";
    private List<RuleFileError> _errors = [];
    private string? _validated;
    private List<Rule> _previewRules = [];
    private int _previewIndex;
    private ChartSpec? _preview;
    private string? _previewError;
    private bool _busy;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;

    [Parameter] public bool CanEdit { get; set; }

    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = default!;

    [Inject] private RuleGroupCatalog Catalog { get; set; } = default!;

    [Inject] private RuleScheduler Scheduler { get; set; } = default!;

    [Inject] private PromQlQueries Queries { get; set; } = default!;

    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override void OnInitialized() => RefreshStatuses();

    private void RefreshStatuses() =>
        _statuses = Scheduler.Statuses().GroupBy(s => s.Loaded.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static string Interval(RuleGroupStatus? status) =>
        status is null ? "—" : PromQlDuration.Format(status.IntervalMs);

    private static Color HealthColor(RuleHealth? health) => health switch
    {
        RuleHealth.Ok => Color.Success,
        RuleHealth.Err => Color.Error,
        _ => Color.Default,
    };

    private void NewGroup() => Open("", Template);

    private void Edit(LoadedRuleGroup group) => Open(group.Name, group.Group.ToYaml());

    private void Open(string name, string yaml)
    {
        _editing = name;
        _yaml = yaml;
        _errors = [];
        _validated = null;
        _previewRules = [];
        _preview = null;
        _previewError = null;
    }

    private void Cancel() => _editing = null;

    /// <summary>Checks the YAML as saving would (nothing is stored), then previews the first rule's expression.</summary>
    private async Task ValidateAsync()
    {
        if (!CanEdit)
        {
            return;
        }

        var result = await Catalog.ImportAsync(_yaml ?? "", User, dryRun: true, null, CancellationToken.None);
        Show(result, dryRun: true);
        if (result.IsValid && result.Conflicts.Count == 0)
        {
            _previewRules = [.. RuleFileParser.ParseValid(_yaml ?? "").SelectMany(g => g.Rules)];
            await PreviewAsync(0);
        }
    }

    private async Task SaveAsync()
    {
        if (!CanEdit)
        {
            return;
        }

        _busy = true;
        try
        {
            var result = await Catalog.ImportAsync(_yaml ?? "", User, dryRun: false, null, CancellationToken.None);
            Show(result, dryRun: false);
            if (result.IsValid && result.Conflicts.Count == 0)
            {
                _editing = null;
                _message = "Saved: " + string.Join(", ", result.Changes.Select(c => $"{c.Name} ({c.Action}, {c.Rules} rule(s))")) + ".";
                _messageSeverity = Severity.Success;
                RefreshStatuses();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private void Show(RuleImportResult result, bool dryRun)
    {
        _errors = [.. result.Errors, .. result.Conflicts.Select(c => new RuleFileError($"group {c} is provisioned from a file and cannot be changed here; edit the file"))];
        _validated = _errors.Count == 0 && dryRun
            ? "Valid: " + string.Join(", ", result.Changes.Select(c => $"{c.Name} would be {(c.Action == "create" ? "created" : c.Action == "replace" ? "replaced" : "unchanged")} ({c.Rules} rule(s))")) + "."
            : null;
        if (_errors.Count > 0)
        {
            _previewRules = [];
        }
    }

    /// <summary>The chosen rule's expression over the last hour, in the viewer's tenant scope.</summary>
    private async Task PreviewAsync(int index)
    {
        _previewIndex = index;
        _preview = null;
        _previewError = null;
        if (index < 0 || index >= _previewRules.Count)
        {
            return;
        }

        var rule = _previewRules[index];
        var (query, threshold, op) = Alerting.AlertGraph.Split(rule.Expr);
        var to = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = to - 3_600_000;
        var engine = Queries.Engine(User);
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var matrix = await Task.Run(() => engine.Range(query, from, to, 15_000, null, limit.Token), limit.Token);
            if (matrix.Series.Count > 0)
            {
                _preview = new ChartSpec
                {
                    Kind = ChartKind.Line,
                    Series = [.. matrix.Series.Take(10).Select(s => new ChartSeries(s.Labels.ToString(), [.. s.Points.Select(p => ChartPoint.Of(p.TimestampMs, p.Value))]))],
                    XMin = from,
                    XMax = to,
                    Thresholds = threshold is { } t ? [new ChartThreshold(t, "#f44336", $"threshold {Core.Query.PromQl.BinaryExpr.Symbol(op)} {t:G6}")] : [],
                    Height = 220,
                    Legend = matrix.Series.Count > 1,
                };
            }
        }
        catch (OperationCanceledException)
        {
            _previewError = "The preview's query took too long and was stopped.";
        }
        catch (Exception e) when (e is PromQlParseException or PromQlUnsupportedException or PromQlEvaluationException or PromQlBadQueryException)
        {
            _previewError = "The expression cannot be previewed: " + e.Message;
        }
    }

    private async Task DeleteAsync(LoadedRuleGroup group)
    {
        if (!CanEdit)
        {
            return;
        }

        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete rule group",
            $"Delete the rule group {group.Name} and its {group.Group.Rules.Count} rule(s)? Its alerts resolve.", yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        var result = await Catalog.DeleteAsync(group.Name, User, null, CancellationToken.None);
        (_message, _messageSeverity) = result switch
        {
            RuleGroupDeleteResult.Deleted => ($"Deleted the rule group {group.Name}.", Severity.Success),
            RuleGroupDeleteResult.Provisioned => ($"{group.Name} is provisioned from {group.File}; delete the file instead.", Severity.Warning),
            _ => ($"There is no rule group {group.Name} any more.", Severity.Warning),
        };
        RefreshStatuses();
    }
}
