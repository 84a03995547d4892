using OpsConsole.PrometheusHarness;

namespace OpsConsole.Conformance.Tests;

/// <summary>Calls a Prometheus-compatible query API and parses the answer.</summary>
public static class QueryApi
{
    public static async Task<PromAnswer> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return PromAnswer.Parse(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<PromAnswer> PostAsync(HttpClient client, string path, IReadOnlyDictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await client.PostAsync(path, content);
        return PromAnswer.Parse(response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
