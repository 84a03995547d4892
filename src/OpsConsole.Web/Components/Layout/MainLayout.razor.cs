using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using OpsConsole.Web.Components.Charts;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Components.Layout;

public partial class MainLayout : IAsyncDisposable
{
    private const string ThemeModule = "./js/theme.js";
    private static readonly ThemeState DarkTheme = new(true);
    private static readonly ThemeState LightTheme = new(false);
    private static readonly MarkupString UserIcon = Shared.SvgIcon.Decorative(Icons.Material.Filled.AccountCircle, "mud-icon-size-small");
    private MudThemeProvider? _themeProvider;
    private Task<IJSObjectReference>? _module;
    private bool _isDarkMode;
    private bool _userChoseTheme;
    private bool _drawerOpen = true;

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private Hosting.DemoMode Demo { get; set; } = default!;

    /// <summary>Whether the dark theme is on (for tests and for children that draw their own colours).</summary>
    public bool IsDarkMode => _isDarkMode;

    /// <summary>Cascaded to charts; a new instance on each switch so that they see the change.</summary>
    private ThemeState CurrentTheme => _isDarkMode ? DarkTheme : LightTheme;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        // The user's saved choice wins; otherwise follow the operating system.
        var module = await ThemeModuleAsync();
        var saved = await module.InvokeAsync<string?>("getTheme");
        var dark = saved switch
        {
            "dark" => true,
            "light" => false,
            _ => _themeProvider is not null && await _themeProvider.GetSystemDarkModeAsync(),
        };

        // A click on the toggle while this was loading is the newer choice; do not undo it.
        if (!_userChoseTheme && dark != _isDarkMode)
        {
            _isDarkMode = dark;
            StateHasChanged();
        }
    }

    private Task<IJSObjectReference> ThemeModuleAsync() =>
        _module ??= JS.InvokeAsync<IJSObjectReference>("import", ThemeModule).AsTask();

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private async Task ToggleThemeAsync()
    {
        // Before the module had loaded, this used to change the theme without saving it, and the first render's
        // "saved or system theme" then switched it straight back.
        _userChoseTheme = true;
        _isDarkMode = !_isDarkMode;
        var module = await ThemeModuleAsync();
        await module.InvokeVoidAsync("setTheme", _isDarkMode ? "dark" : "light");
    }

    private static string RoleLabel(ClaimsPrincipal user)
    {
        var role = user.GetRole()?.ToString() ?? "No role";
        return user.GetTenantId() is { } tenant ? $"{role} · {tenant}" : role;
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true })
        {
            try
            {
                await (await _module).DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone; nothing to release.
            }
        }

        GC.SuppressFinalize(this);
    }
}
