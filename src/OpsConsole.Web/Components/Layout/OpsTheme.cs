using MudBlazor;

namespace OpsConsole.Web.Components.Layout;

/// <summary>The console's palette: calm chrome, strong status colours, WCAG AA contrast in both modes.</summary>
public static class OpsTheme
{
    /// <summary>Text on the dark palette's light status colours: 6.4:1 or better against each of them.</summary>
    private const string DarkText = "#111827";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fbf",
            Secondary = "#5b6478",
            AppbarBackground = "#14213d",
            AppbarText = "#ffffff",
            Background = "#f5f7fa",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            Success = "#1b7f3b",
            Warning = "#9a5b00",
            Error = "#c62828",
            Info = "#0b6aa2",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7aa7ff",
            Secondary = "#aab4c8",
            AppbarBackground = "#0d1424",
            Background = "#111827",
            Surface = "#1a2233",
            DrawerBackground = "#151d2c",
            Success = "#4cc38a",
            Warning = "#f0b429",
            Error = "#ff6b6b",
            Info = "#5cc8ff",

            // These light colours need dark text on top (filled chips, buttons, alerts): white on them is 1.9-2.8:1.
            PrimaryContrastText = DarkText,
            SecondaryContrastText = DarkText,
            SuccessContrastText = DarkText,
            WarningContrastText = DarkText,
            ErrorContrastText = DarkText,
            InfoContrastText = DarkText,
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "232px" },
    };
}
