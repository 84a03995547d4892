using Microsoft.AspNetCore.Mvc;

namespace OpsConsole.Web.Security;

/// <summary>RFC 7807 problem+json responses written outside endpoint code (authentication, status codes).</summary>
public static class ProblemResponses
{
    /// <summary>Requests answered with problem+json rather than HTML: the REST, OTLP (HTTP and gRPC) and hub paths.</summary>
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/v1")
        || request.Path.StartsWithSegments("/opentelemetry.proto.collector");

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
