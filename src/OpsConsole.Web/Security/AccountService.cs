using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Web.Security;

public enum SignInStatus
{
    Succeeded,
    InvalidCredentials,
    LockedOut,
}

public sealed record SignInResult(SignInStatus Status, ClaimsPrincipal? Principal = null, DateTimeOffset? LockedUntil = null);

/// <summary>Users: password sign-in with lockout, creation with the password policy, and cookie principals.</summary>
public sealed partial class AccountService(
    UserRepository users,
    IPasswordHasher<UserEntity> hasher,
    IOptions<AuthOptions> options,
    TimeProvider time,
    IHostEnvironment environment,
    ILogger<AccountService> logger)
{
    // Verifying against this when the user does not exist keeps the response time the same, so timing does not
    // tell an attacker which user names exist.
    private static readonly Lazy<string> DummyHash = new(() =>
        new PasswordHasher<UserEntity>().HashPassword(null!, "timing-equaliser-not-a-real-password"));

    public async Task<SignInResult> PasswordSignInAsync(string? userName, string? password, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password) || userName.Length > 100 || password.Length > PasswordPolicy.MaxLength)
        {
            return new SignInResult(SignInStatus.InvalidCredentials);
        }

        var user = await users.FindByUserNameAsync(userName, ct);
        if (user is null || user.IsDisabled || (user.IsDemo && !environment.IsDevelopment()))
        {
            hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            LogSignInFailed(logger, "unknown or disabled user");
            return new SignInResult(SignInStatus.InvalidCredentials);
        }

        var now = time.GetUtcNow();
        if (user.LockoutEndsAt is { } lockedUntil && lockedUntil > now)
        {
            LogSignInFailed(logger, "locked out");
            return new SignInResult(SignInStatus.LockedOut, LockedUntil: lockedUntil);
        }

        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var o = options.Value;
            var lockedNow = await users.RecordFailedSignInAsync(user.Id, now, o.MaxFailedSignIns, TimeSpan.FromMinutes(o.LockoutMinutes), ct);
            LogSignInFailed(logger, lockedNow is null ? "wrong password" : "wrong password; account locked");
            return lockedNow is null
                ? new SignInResult(SignInStatus.InvalidCredentials)
                : new SignInResult(SignInStatus.LockedOut, LockedUntil: lockedNow);
        }

        await users.RecordSuccessfulSignInAsync(user.Id, now, ct);
        return new SignInResult(SignInStatus.Succeeded, BuildPrincipal(user));
    }

    /// <summary>Creates a user after checking name, password policy, role and tenant binding.</summary>
    public async Task<UserEntity> CreateUserAsync(string userName, string displayName, string password, Role role, string? tenantId, bool isDemo = false, CancellationToken ct = default)
    {
        userName = userName.Trim();
        if (userName.Length is < 2 or > 100 || userName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException("The user name must be 2-100 characters without spaces.", nameof(userName));
        }

        if (!isDemo && PasswordPolicy.Check(password) is { } problem)
        {
            throw new ArgumentException(problem, nameof(password));
        }

        if (Roles.IsTenantBound(role))
        {
            TenantIds.Validate(tenantId, nameof(tenantId));
        }
        else if (!string.IsNullOrEmpty(tenantId))
        {
            throw new ArgumentException($"Only TenantAdmin users are bound to a tenant; a {role} sees all tenants.", nameof(tenantId));
        }

        var user = new UserEntity
        {
            Id = Guid.CreateVersion7(),
            UserName = userName,
            NormalizedUserName = UserRepository.Normalize(userName),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? userName : displayName.Trim(),
            PasswordHash = "",
            RoleName = role.ToString(),
            TenantId = Roles.IsTenantBound(role) ? tenantId : null,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            CreatedAt = time.GetUtcNow(),
            IsDemo = isDemo,
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        return await users.CreateAsync(user, ct);
    }

    public static ClaimsPrincipal BuildPrincipal(UserEntity user)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.UserName),
            new(OpsClaims.DisplayName, user.DisplayName),
            new(ClaimTypes.Role, user.RoleName),
            new(OpsClaims.Scope, OpsClaims.ScopeUser),
            new(OpsClaims.SecurityStamp, user.SecurityStamp),
        };
        if (user.TenantId is not null)
        {
            claims.Add(new Claim(OpsClaims.Tenant, user.TenantId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>Whether a cookie principal still matches its user (exists, enabled, same stamp, role and tenant).</summary>
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            return false;
        }

        var user = await users.FindByIdAsync(id, ct);
        return user is not null
            && !user.IsDisabled
            && (!user.IsDemo || environment.IsDevelopment())
            && user.SecurityStamp == principal.FindFirstValue(OpsClaims.SecurityStamp)
            && user.RoleName == principal.FindFirstValue(ClaimTypes.Role)
            && user.TenantId == principal.GetTenantId();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in refused: {Reason}.")]
    private static partial void LogSignInFailed(ILogger logger, string reason);
}
