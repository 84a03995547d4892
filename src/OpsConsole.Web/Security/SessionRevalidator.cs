using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace OpsConsole.Web.Security;

/// <summary>
/// Re-checks a signed-in person on an open Blazor circuit every <see cref="Interval"/>: when an admin has changed
/// their role or tenant, disabled them or reset their password (a new security stamp), the circuit loses the old
/// rights without waiting for the next HTTP request. API keys are checked on every request and need nothing here.
/// </summary>
public sealed class SessionRevalidator(ILoggerFactory loggerFactory, AccountService accounts) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override TimeSpan RevalidationInterval => Interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        IsStillValidAsync(authenticationState.User, cancellationToken);

    /// <summary>False for a person whose account changed since they signed in; true for everyone else.</summary>
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal user, CancellationToken ct) =>
        user.Identity?.IsAuthenticated != true
        || user.FindFirstValue(OpsClaims.Scope) != OpsClaims.ScopeUser
        || await accounts.IsStillValidAsync(user, ct);
}
