using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Security;
using OpsConsole.Web.Tests.Components;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>
/// Renders every routable component (found by reflection over <see cref="RouteAttribute"/>) that a principal may open,
/// with bUnit over the seeded console's own services, and keeps rendering while the page loads after its first render
/// (searches, live dashboard panels): the visit's text is the final markup plus every argument the page handed to
/// JavaScript (chart series travel that way, not in the markup).
/// </summary>
public sealed class PageRenderWalk(IsolationConsole console)
{
    /// <summary>How long a page is given to show its tenant's data after the first render (the wait ends as soon as it does).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary>The same for the pages that are expected to show it (generous, for a loaded machine).</summary>
    private static readonly TimeSpan SettleExpected = TimeSpan.FromSeconds(20);

    private static readonly JsonSerializerOptions Arguments = new() { ReferenceHandler = ReferenceHandler.IgnoreCycles, MaxDepth = 32 };

    public static IReadOnlyList<(Type Component, string Template)> RoutableComponents() =>
        [.. typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (t, r.Template)))];

    /// <param name="role">Whom the pages are rendered for.</param>
    /// <param name="tenantId">Their tenant, if bound to one.</param>
    /// <param name="expected">The tenant whose marker pages are given time to show.</param>
    /// <param name="showing">Route templates expected to show it (given longer).</param>
    public async Task<List<Visit>> RunAsync(Role role, string? tenantId, IsolationTenant expected, IReadOnlyCollection<string> showing)
    {
        var principal = ComponentTestContext.Principal(role, tenantId, "Isolation walker");
        var visits = new List<Visit>();
        var own = console.Seeded.Values.Values.SelectMany(v => v).Where(v => v.Tenant == expected).Select(v => v.Value).ToHashSet(StringComparer.Ordinal);
        var foreign = console.Seeded.Values.Values.SelectMany(v => v).Where(v => v.Tenant != expected && !own.Contains(v.Value)).Select(v => v.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var (component, template) in RoutableComponents())
        {
            var policy = component.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            if (component.GetCustomAttribute<AuthorizeAttribute>() is null || (policy is not null && !Policies.Admits(policy, principal)))
            {
                continue; // public pages (sign-in, errors) and pages the router refuses this principal: the HTTP walk covers those
            }

            foreach (var (url, parameters) in Urls(component, template))
            {
                // Only the plain URL with the expected tenant's own ids is sure to show its data: the others get the short wait.
                var expectData = showing.Contains(template) && !url.Contains('?', StringComparison.Ordinal) && !foreign.Any(f => url.Contains(f, StringComparison.Ordinal));
                visits.Add(await RenderAsync(component, template, url, parameters, role, tenantId, expected, expectData ? SettleExpected : Settle));
            }
        }

        return visits;
    }

    private IEnumerable<(string Url, Dictionary<string, object> Parameters)> Urls(Type component, string template)
    {
        var segments = template.Trim('/').Split('/');
        IEnumerable<(string Path, Dictionary<string, object> Parameters)> paths = [("", new Dictionary<string, object>())];
        foreach (var segment in segments)
        {
            if (!segment.StartsWith('{'))
            {
                paths = paths.Select(p => (p.Path + "/" + segment, p.Parameters));
                continue;
            }

            var name = segment.Trim('{', '}').Split(':')[0];
            var property = component.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)!;
            var values = console.Seeded.ValuesFor(name)
                .Concat(name.Contains("trace", StringComparison.OrdinalIgnoreCase) ? console.Seeded.ValuesFor("traceId") : [])
                .DefaultIfEmpty(property.PropertyType == typeof(int) ? "404" : IsolationTenant.Globex.Id)
                .Distinct()
                .ToList();
            paths = paths.SelectMany(p => values.Select(v => (p.Path + "/" + Uri.EscapeDataString(v),
                new Dictionary<string, object>(p.Parameters) { [property.Name] = Convert.ChangeType(v, property.PropertyType, CultureInfo.InvariantCulture) })));
        }

        foreach (var (path, parameters) in paths)
        {
            var url = path.Length == 0 ? "/" : path;
            yield return (url, parameters);
            yield return ($"{url}?tenant={IsolationTenant.Globex.Id}&service={Uri.EscapeDataString(IsolationTenant.Globex.Service)}", parameters);
        }
    }

    private async Task<Visit> RenderAsync(Type component, string template, string url, Dictionary<string, object> parameters, Role role, string? tenantId, IsolationTenant expected, TimeSpan settle)
    {
        await using var scope = console.Factory.Services.CreateAsyncScope();
        await using var ctx = ComponentTestContext.Create(role, tenantId, "Isolation walker");
        ctx.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        ctx.Services.AddFallbackServiceProvider(scope.ServiceProvider);
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        string text;
        try
        {
            var cut = ctx.Render<DynamicComponent>(p => p.Add(d => d.Type, component).Add(d => d.Parameters, parameters));
            try
            {
                cut.WaitForState(() => Text(cut, ctx).Contains(expected.Marker, StringComparison.OrdinalIgnoreCase), settle);
            }
            catch (Bunit.Extensions.WaitForHelpers.WaitForFailedException)
            {
                // This page shows none of the tenant's data (or not for this URL); what it did show is still checked.
            }

            text = Text(cut, ctx);
        }
#pragma warning disable CA1031 // a page that cannot render here is reported with what it threw, which is checked too
        catch (Exception e)
#pragma warning restore CA1031
        {
            text = "render failed: " + e;
        }

        // The URL's own values (globex's service name) may be echoed into links and fields: not a leak.
        text = text.Replace(IsolationTenant.Globex.Service, "", StringComparison.OrdinalIgnoreCase)
            .Replace(Uri.EscapeDataString(IsolationTenant.Globex.Service), "", StringComparison.OrdinalIgnoreCase);
        return new Visit(template, $"render {component.Name} at {url} as {role}{(tenantId is null ? "" : " of " + tenantId)}", text.StartsWith("render failed", StringComparison.Ordinal) ? 500 : 200, text);
    }

    /// <summary>A copy of the JS interop calls so far. The page may still be rendering on the renderer's thread and add
    /// one while they are copied (bUnit's list then throws "Collection was modified"); copying again is enough.</summary>
    private static List<JSRuntimeInvocation> Invocations(BunitContext ctx)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return [.. ctx.JSInterop.Invocations];
            }
            catch (InvalidOperationException) when (attempt < 1000)
            {
            }
        }
    }

    private static string Text(IRenderedComponent<DynamicComponent> cut, BunitContext ctx)
    {
        var text = new StringBuilder(cut.Markup);
        foreach (var invocation in Invocations(ctx))
        {
            text.Append('\n').Append(invocation.Identifier);
            foreach (var argument in invocation.Arguments.Where(a => a is not null && !a.GetType().Name.StartsWith("DotNetObjectReference", StringComparison.Ordinal)))
            {
                try
                {
                    text.Append(' ').Append(JsonSerializer.Serialize(argument, Arguments));
                }
                catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
                {
                    text.Append(' ').Append(argument);
                }
            }
        }

        return text.ToString();
    }
}
