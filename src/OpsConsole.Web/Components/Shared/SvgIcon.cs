using System.Net;
using Microsoft.AspNetCore.Components;

namespace OpsConsole.Web.Components.Shared;

/// <summary>
/// A MudBlazor SVG icon (one of <c>Icons.Material.*</c>) as static markup, styled with MudBlazor's icon classes. For
/// places repeated many times in every circuit (dashboard panels), where a <c>MudIcon</c> component per use would cost
/// server memory per circuit for a picture that never changes.
/// </summary>
public static class SvgIcon
{
    /// <param name="icon">The icon's SVG content, e.g. <c>Icons.Material.Outlined.Info</c>.</param>
    /// <param name="cssClasses">Extra classes, e.g. <c>mud-icon-size-small mud-secondary-text</c>.</param>
    public static MarkupString Decorative(string icon, string cssClasses) =>
        new($"<svg class=\"mud-icon-root mud-svg-icon {WebUtility.HtmlEncode(cssClasses)}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{icon}</svg>");
}
