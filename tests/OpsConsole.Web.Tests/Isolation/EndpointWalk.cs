using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Web.Tests.Isolation;

/// <summary>One request of the walk and what came back (the body with any echo of the request's own values removed).</summary>
public sealed record Visit(string Route, string Request, int Status, string Body)
{
    public bool Shows(string marker) => Body.Contains(marker, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether any of the tenant's markers (text or usage number) is in the body.</summary>
    public bool ShowsAny(IsolationTenant tenant) => tenant.Markers.Any(Shows);

    /// <summary>The first of the tenant's markers in the body, with text around it.</summary>
    public string AroundAny(IsolationTenant tenant) => Around(tenant.Markers.First(Shows));

    /// <summary>Where the marker is, with some text around it, for the failure message.</summary>
    public string Around(string marker)
    {
        var at = Body.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        var from = Math.Max(0, at - 80);
        return Body.Substring(from, Math.Min(Body.Length - from, marker.Length + 160)).ReplaceLineEndings(" ");
    }
}

/// <summary>
/// Calls every route endpoint the host registers (API and pages, every method) from the endpoint data source, so a route
/// added later is walked with no change here. Route parameters are filled with what the seeders recorded for a parameter
/// of that name (both tenants' trace ids, alert ids, log ids, dashboard uids, tenant ids), and each call is made with
/// several query strings that ask for the other tenant (<c>tenant=globex</c>, PromQL <c>{tenant_id="globex"}</c> and
/// <c>{__name__=~".+"}</c>, log/trace search terms, a time range around the seeded data). Writes are sent with an empty
/// JSON body and with the same parameters as a form.
/// </summary>
public sealed class EndpointWalk(IsolationConsole console)
{
    /// <summary>Routes the walk does not call, and why.</summary>
    private static readonly Dictionary<string, string> Skipped = new(StringComparer.Ordinal)
    {
        ["/account/logout"] = "signs the walking session out; it returns no data",
    };

    private IsolationSeedContext Seeded => console.Seeded;

    public static bool IsStaticOrTransport(RouteEndpoint endpoint)
    {
        var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
        return endpoint.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor")
            || raw.StartsWith("/_framework/", StringComparison.Ordinal) || raw.StartsWith("/_content/", StringComparison.Ordinal)
            || raw.StartsWith("/_blazor", StringComparison.Ordinal)
            || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>() is not null;
    }

    public IReadOnlyList<RouteEndpoint> Endpoints()
    {
        var sources = console.Factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        return [.. sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => !IsStaticOrTransport(e))
            .Where(e => !e.DisplayName?.StartsWith("gRPC - Unimplemented", StringComparison.Ordinal) ?? true)
            .Where(e => !Skipped.ContainsKey(Raw(e)))];
    }

    public static string Raw(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');

    /// <summary>Query strings (name, value pairs) each call is made with.</summary>
    public IReadOnlyList<(string Name, List<KeyValuePair<string, string>> Values)> Variants()
    {
        var now = Seeded.Now;
        var globex = IsolationTenant.Globex;
        var globexTrace = Seeded.Values["traceId"].First(v => v.Tenant == globex).Value;
        var globexAlert = Seeded.Values.TryGetValue("alert", out var alerts) ? alerts.FirstOrDefault(v => v.Tenant == globex).Value : null;
        string Unix(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string Rfc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        List<KeyValuePair<string, string>> Range() =>
        [
            new("start", Unix(now.AddMinutes(-15))), new("end", Unix(now.AddMinutes(1))), new("step", "15"), new("time", Unix(now)),
            new("from", Rfc(now.AddMinutes(-15))), new("to", Rfc(now.AddMinutes(1))),
        ];
        List<KeyValuePair<string, string>> Promql(string query) =>
            [new("query", query), new("match[]", query.StartsWith('{') ? query : "{__name__=~\".+\"}"), .. Range()];
        return
        [
            ("no parameters", []),
            ("tenant=globex", [new("tenant", globex.Id), new("tenant_id", globex.Id), new("tenantId", globex.Id)]),
            ("globex's service and range", [new("service", globex.Service), new("tenant", globex.Id), .. Range()]),
            ("PromQL tenant_id=globex", Promql($"{{tenant_id=\"{globex.Id}\"}}")),
            ("PromQL every series", Promql("{__name__=~\".+\"}")),
            ("PromQL aggregated by marker", Promql("sum by (marker, tenant_id, job) ({__name__=~\".+\"})")),
            ("search tenant:globex", [new("q", "tenant:" + globex.Id), new("tenant", globex.Id), new("limit", "100"), .. Range()]),
            ("search by globex's trace", [new("traceId", globexTrace), new("q", "level:error"), .. Range()]),
            ("alert filters", [new("filter", $"tenant_id=\"{globex.Id}\""), new("state", "firing"), .. (globexAlert is null ? Array.Empty<KeyValuePair<string, string>>() : [new("alert", globexAlert)])]),
            ("names", [new("name", "marker"), new("actor", "admin"), new("action", "apikey.created"), new("limit", "1000")]),
        ];
    }

    /// <summary>Concrete paths for an endpoint: each combination of recorded values for its route parameters.</summary>
    public IEnumerable<string> Paths(RouteEndpoint endpoint)
    {
        var options = endpoint.RoutePattern.Parameters.Select(Candidates).ToList();
        IEnumerable<Dictionary<string, string>> combinations = [new Dictionary<string, string>()];
        for (var i = 0; i < options.Count; i++)
        {
            var name = endpoint.RoutePattern.Parameters[i].Name;
            var values = options[i];
            combinations = combinations.SelectMany(c => values.Select(v => new Dictionary<string, string>(c) { [name] = v }));
        }

        foreach (var values in combinations)
        {
            yield return "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart l => l.Content,
                RoutePatternSeparatorPart s => s.Content,
                RoutePatternParameterPart p => Uri.EscapeDataString(values[p.Name]),
                _ => "",
            }))));
        }
    }

    private List<string> Candidates(RoutePatternParameterPart parameter)
    {
        if (parameter.ParameterPolicies.Any(x => x.Content is "int" or "long"))
        {
            return [.. Seeded.ValuesFor(parameter.Name).DefaultIfEmpty("1").Distinct()];
        }

        if (parameter.ParameterPolicies.Any(x => x.Content == "guid"))
        {
            return [.. Seeded.ValuesFor(parameter.Name).Concat(Seeded.ValuesFor("id")).Where(v => Guid.TryParse(v, out _)).Distinct()];
        }

        var recorded = Seeded.ValuesFor(parameter.Name).ToList();
        if (recorded.Count == 0 && parameter.Name.Equals("name", StringComparison.OrdinalIgnoreCase))
        {
            recorded = ["marker", "tenant_id", "__name__", "job", "isolation", "default"];
        }

        if (recorded.Count == 0 && parameter.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase))
        {
            recorded = [.. Seeded.ValuesFor("id"), .. Seeded.ValuesFor("traceId")];
        }

        if (recorded.Count == 0 && parameter.Name.Contains("tenant", StringComparison.OrdinalIgnoreCase))
        {
            recorded = [.. IsolationTenant.Both.Select(t => t.Id)];
        }

        return [.. recorded.Append(IsolationTenant.Globex.Id).Distinct()];
    }

    /// <summary>Every request of the walk, made with <paramref name="client"/>; writes too unless <paramref name="readOnly"/>.</summary>
    public async Task<List<Visit>> RunAsync(HttpClient client, bool readOnly)
    {
        var visits = new List<Visit>();
        var variants = Variants();
        foreach (var endpoint in Endpoints())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods.Where(m => !readOnly || m == "GET"))
            {
                var paths = Paths(endpoint).ToList();
                // Routes with parameters already ask for specific things: fewer query variations.
                var used = endpoint.RoutePattern.Parameters.Count == 0 ? variants : variants.Take(2).ToList();
                foreach (var path in paths)
                {
                    foreach (var (name, values) in used)
                    {
                        var query = values.Count == 0 ? "" : "?" + string.Join('&', values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));
                        if (method is "GET" or "DELETE" or "HEAD")
                        {
                            visits.Add(await SendAsync(client, endpoint, new HttpRequestMessage(new HttpMethod(method), path + query), $"{method} {path} [{name}]", values.Select(v => v.Value)));
                            continue;
                        }

                        var json = new HttpRequestMessage(new HttpMethod(method), path + query) { Content = new StringContent(JsonBody(values), Encoding.UTF8, "application/json") };
                        visits.Add(await SendAsync(client, endpoint, json, $"{method} {path} [{name}, JSON body]", values.Select(v => v.Value)));
                        var form = new HttpRequestMessage(new HttpMethod(method), path) { Content = new FormUrlEncodedContent(values) };
                        visits.Add(await SendAsync(client, endpoint, form, $"{method} {path} [{name}, form]", values.Select(v => v.Value)));
                    }
                }
            }
        }

        return visits;
    }

    private static string JsonBody(List<KeyValuePair<string, string>> values) =>
        System.Text.Json.JsonSerializer.Serialize(values.GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.First().Value));

    private static async Task<Visit> SendAsync(HttpClient client, RouteEndpoint endpoint, HttpRequestMessage request, string display, IEnumerable<string> sent)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Set-Cookie"))
            {
                body += $"\n{header.Key}: {string.Join(", ", header.Value)}";
            }

            // What the request itself carried may come back (an echoed parameter, an error naming it): not a leak.
            var echoes = sent.Append(Uri.UnescapeDataString(request.RequestUri!.OriginalString)).Where(s => s.Length > 0).ToList();
            foreach (var echo in echoes.OrderByDescending(e => e.Length))
            {
                foreach (var form in new[] { echo, WebUtility.HtmlEncode(echo), Uri.EscapeDataString(echo), System.Text.Json.JsonEncodedText.Encode(echo).ToString() })
                {
                    body = body.Replace(form, "", StringComparison.OrdinalIgnoreCase);
                }
            }

            return new Visit(Raw(endpoint), display, (int)response.StatusCode, body);
        }
    }
}
