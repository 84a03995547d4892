using System.Net;
using System.Text.RegularExpressions;

namespace OpsConsole.Web.Tests.Infrastructure;

/// <summary>Signs in through the real login form (antiforgery token and all), as a browser would.</summary>
public static partial class BrowserSession
{
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public static async Task<string> GetAntiforgeryTokenAsync(HttpClient client, string path = "/account/login")
    {
        var page = await client.GetStringAsync(path);
        var match = AntiforgeryField().Match(page);
        Assert.True(match.Success, $"No antiforgery token on {path}.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Posts the login form; returns the response (302 on success, 200 with an error otherwise).</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string userName, string password, string? returnUrl = null)
    {
        var token = await GetAntiforgeryTokenAsync(client, returnUrl is null ? "/account/login" : $"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        var form = new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        };
        if (returnUrl is not null)
        {
            form["Input.ReturnUrl"] = returnUrl;
        }

        return await client.PostAsync("/account/login", new FormUrlEncodedContent(form));
    }

    public static async Task SignInAsync(HttpClient client, string userName, string password)
    {
        using var response = await PostLoginAsync(client, userName, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"Sign-in as {userName} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
