using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpsConsole.Web.Security;

/// <summary>Authenticates <c>Authorization: Bearer oc_…</c> or <c>X-Api-Key: oc_…</c>.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService apiKeys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    private const string FailureItem = "oc:apikey-failure";

    /// <summary>Whether the request presents an API key at all (used to pick this scheme over the cookie).</summary>
    public static bool PresentsKey(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName)
        || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = Request.Headers[HeaderName].FirstOrDefault();
        var authorization = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(presented) && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return AuthenticateResult.NoResult();
        }

        var (principal, failure) = await apiKeys.AuthenticateAsync(presented, SchemeName, Context.RequestAborted);
        if (principal is null)
        {
            Context.Items[FailureItem] = failure;
            return AuthenticateResult.Fail(failure ?? "Invalid API key.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"OpsConsole\"";
        var detail = Context.Items[FailureItem] as string ?? "This endpoint needs an API key (Authorization: Bearer <key> or X-Api-Key) or a signed-in user.";
        await ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "This API key's scope does not allow this operation.");
}
