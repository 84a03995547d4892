using System.Security.Claims;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

/// <summary>The service registry: scrape targets from configuration plus those registered here.</summary>
public static class ServiceDiscoveryEndpoints
{
    public static IEndpointRouteBuilder MapServiceDiscovery(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/monitoring/service-discovery", (ScrapeTargetRegistry registry, ScrapeLoop loop, ClaimsPrincipal user) =>
                registry.List()
                    .Where(t => user.GetTenantId() is not { } tenant || t.TenantId == tenant)
                    .Select(t => ServiceDiscoveryTarget.From(t, loop.GetStatus(t.Key))))
            .RequireAuthorization(Policies.ViewDashboards).WithTags("Service discovery");

        app.MapPost("/api/v1/monitoring/service-discovery", async (ServiceDiscoveryRequest body, ScrapeTargetRegistry registry, AuditTrail audit, HttpContext http) =>
            {
                var tenant = http.User.GetTenantId() ?? TenantIds.Default;
                var registration = registry.Register(body, tenant);
                if (registration.IsConflict)
                {
                    return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                        detail: registration.Errors.Values.SelectMany(e => e).FirstOrDefault() ?? "This target is already registered.");
                }

                if (!registration.Succeeded)
                {
                    return Results.ValidationProblem(registration.Errors.ToDictionary(e => e.Key, e => e.Value));
                }

                var view = ServiceDiscoveryTarget.From(registration.Target!, null);
                await audit.RecordAsync(http.User, "scrape-target.register", "scrape-target", registration.Target!.Key.ToString(), tenant,
                    after: view, remoteAddress: http.Connection.RemoteIpAddress?.ToString(), ct: http.RequestAborted);
                return Results.Created("/api/v1/monitoring/service-discovery", view);
            })
            .RequireAuthorization(Policies.Ingest).WithTags("Service discovery");
        return app;
    }
}

/// <summary>Runs the scrape loop for the life of the host.</summary>
public sealed class ScrapeWorker(ScrapeLoop loop) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loop.RunAsync(stoppingToken);
}
