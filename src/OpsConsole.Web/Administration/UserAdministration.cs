using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Administration;

/// <summary>A change to a user; a field left null keeps its value (a non-tenant role clears the tenant).</summary>
public sealed record UpdateUserRequest(string? DisplayName = null, string? Role = null, string? TenantId = null, bool? Disabled = null);

public sealed record ResetPasswordRequest(string? Password);

/// <summary>
/// Users as admins manage them (the admin API and <c>/settings/users</c>): create, change role, tenant and display
/// name, disable and enable, reset the password. A change of rights (role, tenant, disabled, password) gives the
/// user a new security stamp, so sign-ins made before it stop working at their next request. Every change is audited
/// (never the password). At least one enabled Admin always remains, and nobody disables or demotes themselves.
/// </summary>
public sealed class UserAdministration(
    UserRepository users,
    AccountService accounts,
    TenantRepository tenants,
    IPasswordHasher<UserEntity> hasher,
    AuditTrail audit,
    TimeProvider time)
{
    public const int MaxDisplayNameLength = 200;

    public async Task<IReadOnlyList<UserView>> ListAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return [.. (await users.ListAsync(ct)).Select(u => UserView.From(u, now))];
    }

    public async Task<UserView> CreateAsync(ClaimsPrincipal actor, CreateUserRequest request, string? remoteAddress, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.UserName))
        {
            errors["userName"] = ["userName is required."];
        }

        if (!Roles.TryParse(request.Role, out var role))
        {
            errors["role"] = ["role must be Admin, Operator, Executive or TenantAdmin."];
        }

        if (PasswordPolicy.Check(request.Password) is { } weak)
        {
            errors["password"] = [weak];
        }

        if (request.DisplayName is { Length: > MaxDisplayNameLength })
        {
            errors["displayName"] = [$"displayName must be at most {MaxDisplayNameLength} characters."];
        }

        var tenantId = string.IsNullOrEmpty(request.TenantId) ? null : request.TenantId;
        if (!errors.ContainsKey("role"))
        {
            await CheckTenantAsync(role, tenantId, errors, ct);
        }

        if (errors.Count > 0)
        {
            throw AdminProblem.Invalid(errors);
        }

        try
        {
            var user = await accounts.CreateUserAsync(request.UserName!, request.DisplayName ?? "", request.Password!, role, tenantId, ct: ct);
            var view = UserView.From(user, time.GetUtcNow());
            await audit.RecordAsync(actor, "user.create", "user", user.Id.ToString(), user.TenantId, after: view, remoteAddress: remoteAddress, ct: ct);
            return view;
        }
        catch (ArgumentException ex)
        {
            throw AdminProblem.Invalid(ex.ParamName switch { "userName" => "userName", "password" => "password", "tenantId" => "tenantId", _ => "user" }, AdminProblem.StripParamSuffix(ex));
        }
        catch (DuplicateException ex)
        {
            throw AdminProblem.Conflict("userName", ex.Message);
        }
    }

    public async Task<UserView> UpdateAsync(ClaimsPrincipal actor, Guid id, UpdateUserRequest request, string? remoteAddress, CancellationToken ct)
    {
        var current = await users.FindByIdAsync(id, ct) ?? throw AdminProblem.NotFound("id", $"No user with id {id}.");
        var errors = new Dictionary<string, string[]>();
        var role = Enum.Parse<Role>(current.RoleName);
        if (request.Role is not null && !Roles.TryParse(request.Role, out role))
        {
            errors["role"] = ["role must be Admin, Operator, Executive or TenantAdmin."];
        }

        if (request.DisplayName is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > MaxDisplayNameLength))
        {
            errors["displayName"] = [$"displayName must be 1-{MaxDisplayNameLength} characters."];
        }

        string? tenantId = null;
        if (!errors.ContainsKey("role"))
        {
            // A tenant admin keeps their tenant unless a new one is named; other roles see every tenant.
            tenantId = Roles.IsTenantBound(role)
                ? (string.IsNullOrEmpty(request.TenantId) ? current.TenantId : request.TenantId)
                : request.TenantId is { Length: > 0 } ? request.TenantId : null;
            await CheckTenantAsync(role, tenantId, errors, ct);
        }

        var disabled = request.Disabled ?? current.IsDisabled;
        if (errors.Count > 0)
        {
            throw AdminProblem.Invalid(errors);
        }

        var isSelf = IsSelf(actor, id);
        if (isSelf && disabled)
        {
            throw AdminProblem.Invalid("disabled", "You cannot disable your own account; ask another admin.");
        }

        if (isSelf && role != Role.Admin)
        {
            throw AdminProblem.Invalid("role", "You cannot take the Admin role from yourself; ask another admin.");
        }

        var wasActiveAdmin = current.RoleName == Roles.Admin && !current.IsDisabled;
        if (wasActiveAdmin && (role != Role.Admin || disabled) && await users.CountEnabledAsync(Roles.Admin, id, ct) == 0)
        {
            throw AdminProblem.Conflict("role", $"{current.UserName} is the last enabled Admin; make another user Admin first.");
        }

        var displayName = request.DisplayName?.Trim() ?? current.DisplayName;
        var rightsChange = role.ToString() != current.RoleName || tenantId != current.TenantId || disabled != current.IsDisabled;
        if (!rightsChange && displayName == current.DisplayName)
        {
            return UserView.From(current, time.GetUtcNow());
        }

        var updated = await users.UpdateAsync(id, u =>
        {
            u.DisplayName = displayName;
            u.RoleName = role.ToString();
            u.TenantId = tenantId;
            u.IsDisabled = disabled;
            if (rightsChange)
            {
                u.SecurityStamp = Guid.NewGuid().ToString("N");
            }
        }, ct) ?? throw AdminProblem.NotFound("id", $"No user with id {id}.");

        var now = time.GetUtcNow();
        var before = UserView.From(current, now);
        var after = UserView.From(updated, now);
        var onlyDisabledChanged = disabled != current.IsDisabled && before with { Disabled = disabled } == after;
        var action = onlyDisabledChanged ? (disabled ? "user.disable" : "user.enable") : "user.update";
        await audit.RecordAsync(actor, action, "user", id.ToString(), updated.TenantId ?? current.TenantId, before: before, after: after, remoteAddress: remoteAddress, ct: ct);
        return after;
    }

    /// <summary>Sets a new password (the policy applies), lifts any lockout and ends the user's existing sign-ins.</summary>
    public async Task ResetPasswordAsync(ClaimsPrincipal actor, Guid id, string? password, string? remoteAddress, CancellationToken ct)
    {
        var current = await users.FindByIdAsync(id, ct) ?? throw AdminProblem.NotFound("id", $"No user with id {id}.");
        if (PasswordPolicy.Check(password) is { } weak)
        {
            throw AdminProblem.Invalid("password", weak);
        }

        await users.UpdateAsync(id, u =>
        {
            u.PasswordHash = hasher.HashPassword(u, password!);
            u.SecurityStamp = Guid.NewGuid().ToString("N");
            u.FailedSignInCount = 0;
            u.LockoutEndsAt = null;
        }, ct);
        await audit.RecordAsync(actor, "user.password-reset", "user", id.ToString(), current.TenantId,
            after: new { current.UserName }, remoteAddress: remoteAddress, ct: ct);
    }

    private async Task CheckTenantAsync(Role role, string? tenantId, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (Roles.IsTenantBound(role))
        {
            if (tenantId is null || !TenantIds.IsValid(tenantId) || await tenants.FindAsync(tenantId, ct) is null)
            {
                errors["tenantId"] = [$"A TenantAdmin needs an existing tenant; '{tenantId}' is not one."];
            }
        }
        else if (tenantId is not null)
        {
            errors["tenantId"] = [$"Only TenantAdmin users are bound to a tenant; a {role} sees all tenants."];
        }
    }

    private static bool IsSelf(ClaimsPrincipal actor, Guid id) =>
        actor.FindFirstValue(OpsClaims.Scope) == OpsClaims.ScopeUser && actor.FindFirstValue(ClaimTypes.NameIdentifier) == id.ToString();
}
