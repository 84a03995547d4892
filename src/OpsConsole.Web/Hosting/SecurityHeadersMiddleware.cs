namespace OpsConsole.Web.Hosting;

/// <summary>Headers every response carries: no sniffing, no framing, no referrer leaks, a content security policy.</summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    // Blazor Server needs its WebSocket (connect-src) and MudBlazor sets inline styles; no third-party origins.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return next(context);
    }
}
