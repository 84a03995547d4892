using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpsConsole.Domain.Security;
using OpsConsole.Data.Entities;

namespace OpsConsole.Web.Security;

public static class AuthenticationSetup
{
    /// <summary>Picks the API-key scheme when a key is presented, else the sign-in cookie.</summary>
    public const string DefaultScheme = "OpsConsole";
    public const string CookieName = "OpsConsole.Auth";
    public const string LoginPath = "/account/login";

    public static IServiceCollection AddOpsConsoleAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName))
            .Validate(o => o.MaxFailedSignIns >= 1 && o.LockoutMinutes >= 1 && o.CookieLifetimeHours >= 1,
                "Auth:MaxFailedSignIns, Auth:LockoutMinutes and Auth:CookieLifetimeHours must be at least 1.")
            .ValidateOnStart();

        services.AddSingleton<IPasswordHasher<UserEntity>, PasswordHasher<UserEntity>>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<ApiKeyService>();

        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "Cookie or API key", o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.PresentsKey(context.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.LoginPath = LoginPath;
                o.AccessDeniedPath = "/account/access-denied";
                o.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = context => ProblemResponses.IsApiRequest(context.Request)
                        ? ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                            "Sign in, or send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.")
                        : RedirectAsync(context),
                    OnRedirectToAccessDenied = context =>
                    {
                        if (ProblemResponses.IsApiRequest(context.Request))
                        {
                            return ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                                "Your role does not allow this operation.");
                        }

                        // Pages answer 403 and the status-code page explains; no redirect hides the status.
                        context.Response.StatusCode = StatusCodes.Status403Forbidden;
                        return Task.CompletedTask;
                    },
                    OnValidatePrincipal = async context =>
                    {
                        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
                        if (context.Principal is null || !await accounts.IsStillValidAsync(context.Principal, context.HttpContext.RequestAborted))
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                        }
                    },
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((cookie, auth) => cookie.ExpireTimeSpan = TimeSpan.FromHours(auth.Value.CookieLifetimeHours));

        services.AddOpsConsolePolicies();
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>The authorization policies of <see cref="Policies"/>; anything without one needs a principal with a role.</summary>
    public static IServiceCollection AddOpsConsolePolicies(this IServiceCollection services)
    {
        // A principal with a role: every person, and every role-scoped key. Ingest-only keys have no role, so
        // they reach nothing but the Ingest policy's endpoints.
        var anyRole = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.All.Select(r => r.ToString())).Build();
        var builder = services.AddAuthorizationBuilder()
            .SetDefaultPolicy(anyRole)
            .SetFallbackPolicy(anyRole)
            .AddPolicy(Policies.Ingest, p => p.RequireAssertion(c => Policies.Admits(Policies.Ingest, c.User)));
        foreach (var policy in Policies.RolesByPolicy.Keys.Where(p => p != Policies.Ingest))
        {
            builder.AddPolicy(policy, p => p.RequireRole(RoleNames(policy)));
        }

        return services;
    }

    private static string[] RoleNames(string policy) => [.. Policies.RolesByPolicy[policy].Select(r => r.ToString())];

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
