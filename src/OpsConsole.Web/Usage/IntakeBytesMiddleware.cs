using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Api;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Usage;

/// <summary>
/// Counts the body bytes of accepted intake requests (OTLP/HTTP, OTLP/gRPC and the native JSON intake) into the usage
/// meter: under the sender's tenant when its key (or tenant admin) is bound to one or an admin named it with
/// <c>?tenant=</c>, else shared out by the tenants' items of the hour (see <see cref="UsageMeter.RecordIntakeBytes"/>).
/// </summary>
public sealed class IntakeBytesMiddleware(RequestDelegate next, UsageMeter meter, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !IsIntake(context.Request.Path))
        {
            await next(context);
            return;
        }

        var counting = new RequestBodyCounter(context.Request.Body);
        context.Request.Body = counting;
        context.Features.Set(counting); // the byte quota reads it for bodies without Content-Length
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Body = counting.Inner;
        }

        if (context.Response.StatusCode is >= 200 and < 300)
        {
            var tenant = context.User.GetTenantId();
            if (tenant is null && context.Request.Query["tenant"] is [{ } named] && TenantIds.IsValid(named))
            {
                tenant = named;
            }

            meter.RecordIntakeBytes(tenant, counting.BytesRead, time.GetUtcNow());
        }
    }

    internal static bool IsIntake(PathString path) =>
        path.StartsWithSegments("/v1/traces") || path.StartsWithSegments("/v1/metrics") || path.StartsWithSegments("/v1/logs")
        || path.StartsWithSegments("/opentelemetry.proto.collector")
        || path.StartsWithSegments("/api/v1/monitoring/traces") || path.StartsWithSegments("/api/v1/monitoring/metrics")
        || path.StartsWithSegments("/api/v1/monitoring/logs") || path.StartsWithSegments("/api/v1/monitoring/health-checks");
}
