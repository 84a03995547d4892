namespace OpsConsole.Web.Components.Charts;

/// <summary>The console's current theme, cascaded by the main layout to components that draw their own colours.</summary>
public sealed record ThemeState(bool Dark);
