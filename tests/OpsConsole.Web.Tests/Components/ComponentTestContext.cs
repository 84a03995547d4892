using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using OpsConsole.Data.Entities;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Tests.Components;

/// <summary>
/// A bUnit context with MudBlazor, the console's real authorization policies and a signed-in principal built
/// exactly as the sign-in does (<see cref="AccountService.BuildPrincipal"/>).
/// </summary>
public static class ComponentTestContext
{
    public static BunitContext Create(Role? role = null, string? tenantId = null, string displayName = "Test Person", bool demo = false)
    {
        var ctx = new BunitContext();
        ctx.Services.AddSingleton(new Hosting.DemoMode(demo));
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddLogging();
        ctx.Services.AddOpsConsolePolicies();
        // bUnit puts a placeholder in front of authorization; use the real service with the real policies.
        ctx.Services.AddSingleton<IAuthorizationService, DefaultAuthorizationService>();
        ctx.Services.AddCascadingAuthenticationState();
        ctx.Services.AddSingleton<AntiforgeryStateProvider, FixedAntiforgery>();
        var principal = role is null ? new ClaimsPrincipal(new ClaimsIdentity()) : Principal(role.Value, tenantId, displayName);
        ctx.Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationState(principal));
        return ctx;
    }

    public static ClaimsPrincipal Principal(Role role, string? tenantId, string displayName) => AccountService.BuildPrincipal(new UserEntity
    {
        Id = Guid.NewGuid(),
        UserName = "person",
        NormalizedUserName = "PERSON",
        DisplayName = displayName,
        PasswordHash = "",
        RoleName = role.ToString(),
        TenantId = tenantId,
        SecurityStamp = "stamp",
    });

    private sealed class FixedAuthenticationState(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }
}
