using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using OpsConsole.Core.Dashboards;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Dashboards;

namespace OpsConsole.Web.Components.Pages;

/// <summary>
/// The dashboard editor (Admin): the title and the JSON document, checked as it is typed (every problem listed, naming
/// the panel or field) with a live preview; save with a message (a new version; a save over a newer version is refused
/// and the edits stay), the version history with restore, reset to the provisioned file, delete, and new dashboards.
/// </summary>
public sealed partial class DashboardEditor
{
    private const string NewTemplate = """
        {
          "schemaVersion": 1,
          "uid": "new-dashboard",
          "title": "New dashboard",
          "time": { "from": "now-1h", "to": "now" },
          "refresh": "live",
          "variables": [],
          "rows": [
            {
              "title": "Overview",
              "panels": [
                {
                  "title": "Services up",
                  "type": "timeseries",
                  "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 },
                  "targets": [ { "expr": "sum(up)", "legendFormat": "up" } ]
                }
              ]
            }
          ]
        }
        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private DashboardEntry? _entry;
    private string _savedTitle = "";
    private string _title = "";
    private string _json = "";
    private string? _message;
    private int _version;
    private Dashboard? _parsed;
    private IReadOnlyList<string> _errors = [];
    private IReadOnlyList<DashboardVersionInfo> _versions = [];
    private bool _notFound;
    private bool _busy;
    private (Severity Severity, string Text)? _outcome;

    /// <summary>The dashboard edited; null on <c>/dashboards/new</c>.</summary>
    [Parameter] public string? Uid { get; set; }

    [Inject] private DashboardStore Store { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private bool IsNew => Uid is null;

    protected override async Task OnParametersSetAsync()
    {
        _outcome = null;
        if (IsNew)
        {
            SetJson(NewTemplate);
            return;
        }

        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        _entry = Store.Find(Uid!);
        _notFound = _entry is null;
        if (_entry is null)
        {
            return;
        }

        _version = _entry.Version;
        _savedTitle = _entry.Dashboard.Title;
        SetJson(DashboardJson.Serialize(_entry.Dashboard));
        _versions = await Store.VersionsAsync(Uid!, CancellationToken.None);
    }

    private string Describe()
    {
        if (_entry is null)
        {
            return "";
        }

        var origin = _entry.Provisioned
            ? _entry.Edited
                ? $"Provisioned from {_entry.Source}, edited here: this version is kept over the file until it is reset to the provisioned file."
                : $"Provisioned from {_entry.Source}; a save here is kept over the file from then on."
            : "Created in the console.";
        var when = _entry.UpdatedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"Version {_entry.Version}, saved by {_entry.UpdatedBy} at {when} UTC. {origin}";
    }

    private void SetJson(string json)
    {
        _json = json ?? "";
        var (dashboard, errors) = DashboardStore.Validate(_json);
        _parsed = dashboard;
        _errors = errors;
        if (dashboard is not null)
        {
            _title = dashboard.Title;
        }
    }

    /// <summary>Writes the title into the JSON document (which must parse) and checks it again.</summary>
    private void SetTitle(string title)
    {
        _title = title ?? "";
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(_json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            node = null;
        }

        if (node is not JsonObject document)
        {
            _errors = ["the JSON below is not valid yet, so the title could not be written into it: fix the JSON first"];
            _parsed = null;
            return;
        }

        document["title"] = _title;
        SetJson(document.ToJsonString(Indented));
    }

    private async Task<System.Security.Claims.ClaimsPrincipal> UserAsync() =>
        AuthenticationState is null ? new System.Security.Claims.ClaimsPrincipal() : (await AuthenticationState).User;

    private async Task SaveAsync()
    {
        if (_parsed is null)
        {
            return;
        }

        _busy = true;
        try
        {
            var user = await UserAsync();
            if (IsNew)
            {
                var created = await Store.CreateAsync(_parsed, _message, user, null, CancellationToken.None);
                if (created.Outcome == DashboardChangeOutcome.Saved)
                {
                    Navigation.NavigateTo($"/dashboards/{Uri.EscapeDataString(created.Entry!.Dashboard.Uid)}");
                    return;
                }

                Show(created);
                return;
            }

            var saved = await Store.SaveAsync(Uid!, _parsed, _version, _message, user, null, CancellationToken.None);
            if (saved.Outcome == DashboardChangeOutcome.Saved)
            {
                _message = null;
                await ReloadAsync();
                _outcome = (Severity.Success, $"Saved as version {saved.Entry!.Version}.");
                return;
            }

            Show(saved);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RestoreAsync(int version)
    {
        _busy = true;
        try
        {
            var restored = await Store.RestoreAsync(Uid!, version, await UserAsync(), null, CancellationToken.None);
            if (restored.Outcome == DashboardChangeOutcome.Saved)
            {
                await ReloadAsync();
                _outcome = (Severity.Success, $"Version {version} restored as version {restored.Entry!.Version}.");
                return;
            }

            Show(restored);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ResetAsync()
    {
        _busy = true;
        try
        {
            var reset = await Store.ResetToProvisionedAsync(Uid!, await UserAsync(), null, CancellationToken.None);
            if (reset.Outcome == DashboardChangeOutcome.Saved)
            {
                await ReloadAsync();
                _outcome = (Severity.Success, $"Reset to the provisioned file as version {reset.Entry!.Version}; changes to the file apply again at the next start.");
                return;
            }

            Show(reset);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Delete dashboard", $"Delete \"{_savedTitle}\" ({Uid}) and its {_versions.Count} version(s)? This cannot be undone.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _busy = true;
        try
        {
            var deleted = await Store.DeleteAsync(Uid!, await UserAsync(), null, CancellationToken.None);
            if (deleted.Outcome == DashboardChangeOutcome.Deleted)
            {
                Navigation.NavigateTo("/dashboards");
                return;
            }

            Show(deleted);
        }
        finally
        {
            _busy = false;
        }
    }

    private void Show(DashboardChange change)
    {
        if (change.Outcome == DashboardChangeOutcome.Invalid)
        {
            _errors = change.Errors;
            _outcome = (Severity.Error, "Not saved: the dashboard has problems (listed above). Nothing was changed.");
            return;
        }

        _outcome = (Severity.Error, change.Detail ?? change.Outcome.ToString());
    }
}
