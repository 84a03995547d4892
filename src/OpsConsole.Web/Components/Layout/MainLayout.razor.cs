using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Layout;

public partial class MainLayout : IAsyncDisposable
{
    private const string ThemeModule = "./js/theme.js";
    private MudThemeProvider? _themeProvider;
    private IJSObjectReference? _module;
    private bool _isDarkMode;
    private bool _drawerOpen = true;

    [Inject] private IJSRuntime JS { get; set; } = default!;

    /// <summary>Whether the dark theme is on (for tests and for children that draw their own colours).</summary>
    public bool IsDarkMode => _isDarkMode;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        // The user's saved choice wins; otherwise follow the operating system.
        _module = await JS.InvokeAsync<IJSObjectReference>("import", ThemeModule);
        var saved = await _module.InvokeAsync<string?>("getTheme");
        var dark = saved switch
        {
            "dark" => true,
            "light" => false,
            _ => _themeProvider is not null && await _themeProvider.GetSystemDarkModeAsync(),
        };
        if (dark != _isDarkMode)
        {
            _isDarkMode = dark;
            StateHasChanged();
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private async Task ToggleThemeAsync()
    {
        _isDarkMode = !_isDarkMode;
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("setTheme", _isDarkMode ? "dark" : "light");
        }
    }

    private static string RoleLabel(ClaimsPrincipal user)
    {
        var role = user.GetRole()?.ToString() ?? "No role";
        return user.GetTenantId() is { } tenant ? $"{role} · {tenant}" : role;
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone; nothing to release.
            }
        }

        GC.SuppressFinalize(this);
    }
}
