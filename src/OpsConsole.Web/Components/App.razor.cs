using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace OpsConsole.Web.Components;

public partial class App
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    /// <summary>
    /// Sign-in pages and status pages render statically (they post plain forms and need no circuit); everything
    /// else is interactive on the server so it can be updated live.
    /// </summary>
    private IComponentRenderMode? PageRenderMode =>
        HttpContext.Request.Path.StartsWithSegments("/account") || HttpContext.Request.Path.StartsWithSegments("/status")
            ? null
            : RenderMode.InteractiveServer;
}
