using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpsConsole.Web.Tests;

/// <summary>
/// Walks every endpoint the host registers (pages, API, hubs) — so a route added later is covered without
/// touching this file — and checks: anonymous callers are challenged, callers with the wrong role are
/// forbidden, callers with the right role get through. Anonymous endpoints must be on a short public list.
/// </summary>
public sealed class AuthorizationWalkTests(OpsConsoleFactory factory, ITestOutputHelper output) : IClassFixture<OpsConsoleFactory>
{
    /// <summary>What may be reached without signing in. Anything else anonymous fails the walk.</summary>
    /// OTLP intake is public here because this host runs in Development, where Ingest:RequireApiKey is false.
    private static readonly string[] PublicPrefixes =
        ["/health/", "/metrics", "/account/login", "/account/logout", "/account/access-denied", "/status/", "/not-found-page",
         "/v1/traces", "/v1/logs", "/v1/metrics", "/opentelemetry.proto.collector."];

    // Expects200: a plain GET of a page or API resource (no route values, not a hub transport).
    private sealed record Probe(string Method, string Path, string? Policy, bool IsApi, bool Expects200, string Display);

    private List<Probe> DiscoverProbes()
    {
        // Building the client starts the host, so the endpoint data sources are complete.
        using var _ = factory.CreateClient();
        var sources = factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var probes = new List<Probe>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (IsStaticAsset(raw, endpoint))
            {
                continue;
            }

            var path = Concrete(endpoint);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            // gRPC's catch-alls for unknown services/methods answer UNIMPLEMENTED and reveal nothing.
            if (anonymous && endpoint.DisplayName?.StartsWith("gRPC - Unimplemented", StringComparison.Ordinal) == true)
            {
                continue;
            }

            if (anonymous)
            {
                Assert.True(PublicPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)),
                    $"{endpoint.DisplayName} ({raw}) allows anonymous access but is not on the public list.");
                continue;
            }

            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            Assert.True(policy is null || Policies.RolesByPolicy.ContainsKey(policy), $"{raw} names unknown policy '{policy}'.");
            foreach (var method in methods)
            {
                var isApi = ProblemResponses.IsApiRequest(new DefaultHttpContext { Request = { Path = path } }.Request);
                var isHubTransport = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>() is not null || path.StartsWith("/_blazor/", StringComparison.Ordinal);
                var needsParameters = endpoint.Metadata.GetMetadata<OpsConsole.Web.Api.RequiresQueryParametersAttribute>() is not null;
                var expects200 = method == "GET" && endpoint.RoutePattern.Parameters.Count == 0 && !isHubTransport && !needsParameters;
                probes.Add(new Probe(method, path, policy, isApi, expects200, $"{method} {raw}"));
            }
        }

        Assert.True(probes.Count >= 20, $"Only {probes.Count} protected endpoints found; the walk is not seeing the routes.");
        // The live hub (negotiate and transport) is walked like any other endpoint: dashboard roles only.
        Assert.All(new[] { "/hubs/live/negotiate", "/hubs/live" }, hub => Assert.Contains(probes, p => p.Path == hub && p.Policy == Policies.ViewDashboards));
        return probes;
    }

    private static bool IsStaticAsset(string raw, RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor")
        || raw.StartsWith("/_framework/", StringComparison.Ordinal) || raw.StartsWith("/_content/", StringComparison.Ordinal);

    private static string Concrete(RouteEndpoint endpoint)
    {
        var segments = endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart s => s.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p => SampleValue(p),
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    private static string SampleValue(Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p) =>
        p.ParameterPolicies.Any(x => x.Content == "guid") ? Guid.NewGuid().ToString()
        : p.ParameterPolicies.Any(x => x.Content is "int" or "long") ? "404"
        : p.Name == "tenant" ? "acme" // the walk's tenant admin belongs to acme: its own tenant is what it may read
        : "sample";

    private static HttpRequestMessage Request(Probe probe)
    {
        var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path);
        if (probe.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    [Fact]
    public async Task EveryEndpoint_Anonymous_IsChallenged()
    {
        var probes = DiscoverProbes();
        using var client = factory.CreateBrowserClient();
        var failures = new List<string>();
        foreach (var probe in probes)
        {
            using var response = await client.SendAsync(Request(probe));
            var ok = probe.IsApi
                ? response.StatusCode == HttpStatusCode.Unauthorized && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                : response.StatusCode == HttpStatusCode.Unauthorized
                  || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.PathAndQuery().StartsWith(AuthenticationSetup.LoginPath, StringComparison.Ordinal));
            if (!ok)
            {
                failures.Add($"{probe.Display}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            }
        }

        output.WriteLine($"{probes.Count} protected endpoint/method pairs probed anonymously.");
        Assert.True(failures.Count == 0, "Reachable without signing in:\n" + string.Join('\n', failures));
    }

    [Fact]
    public async Task EveryEndpoint_EachRole_IsForbiddenOrAdmittedExactlyAsItsPolicySays()
    {
        var probes = DiscoverProbes();
        var keys = new Dictionary<string, string>
        {
            [Roles.Admin] = await factory.CreateKeyAsync("walk-admin", "role", Roles.Admin),
            [Roles.Operator] = await factory.CreateKeyAsync("walk-operator", "role", Roles.Operator),
            [Roles.Executive] = await factory.CreateKeyAsync("walk-exec", "role", Roles.Executive),
            [Roles.TenantAdmin] = await factory.CreateKeyAsync("walk-tenant", "role", Roles.TenantAdmin, "acme"),
            ["ingest"] = await factory.CreateKeyAsync("walk-ingest", "ingest", tenantId: "acme"),
        };
        var failures = new List<string>();
        foreach (var (who, key) in keys)
        {
            using var client = factory.CreateApiClient(key);
            foreach (var probe in probes)
            {
                var allowed = probe.Policy is null
                    ? who != "ingest"
                    : Policies.RolesByPolicy[probe.Policy].Any(r => r.ToString() == who) || (who == "ingest" && probe.Policy == Policies.Ingest);
                using var response = await client.SendAsync(Request(probe));
                var status = (int)response.StatusCode;
                var ok = allowed
                    ? status is not (401 or 403) && status < 500 && (!probe.Expects200 || status == 200)
                    : status == 403;
                if (!ok)
                {
                    failures.Add($"{who} {probe.Display} (policy {probe.Policy ?? "any role"}): expected {(allowed ? "admitted" : "403")}, got {status}");
                }
            }
        }

        output.WriteLine($"{probes.Count} endpoint/method pairs x {keys.Count} principals probed.");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
