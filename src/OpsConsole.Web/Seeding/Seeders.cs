using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Security;
using Microsoft.Extensions.Options;

namespace OpsConsole.Web.Seeding;

/// <summary>
/// The demo accounts Development creates (documented in the README). They are marked as demo and refused
/// outside Development, so a database that was once used for a demo never lets them in in Production.
/// </summary>
public static class DemoAccounts
{
    public const string Password = "opsconsole-demo";
    public const string IngestKey = "oc_demoingt_DevelopmentOnlyIngestKeyForTheDemoTenants";
    public const string AdminKey = "oc_demoadmn_DevelopmentOnlyAdminKeyNeverValidInProduction";

    public static readonly (string UserName, string DisplayName, Role Role, string? TenantId)[] Users =
    [
        ("admin", "Ada Admin", Role.Admin, null),
        ("operator", "Oscar Operator", Role.Operator, null),
        ("exec", "Erin Executive", Role.Executive, null),
        ("acme-admin", "Tara Tenant (acme)", Role.TenantAdmin, "acme"),
    ];

    /// <summary>The tenants of the demo SaaS (TELEMETRY.md): one large, two medium, two small, one on a free plan.</summary>
    public static readonly (string Id, string Name, string Plan)[] Tenants =
    [
        ("acme", "Acme Corp", "enterprise"),
        ("globex", "Globex", "business"),
        ("initech", "Initech", "business"),
        ("umbrella", "Umbrella", "standard"),
        ("hooli", "Hooli", "free"),
    ];
}

/// <summary>Creates the demo tenants, users and keys in Development when they are missing.</summary>
public sealed partial class DevelopmentSeeder(
    TenantRepository tenants, UserRepository users, ApiKeyRepository keys, AccountService accounts, ApiKeyService apiKeys,
    TimeProvider time, ILogger<DevelopmentSeeder> logger)
{
    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var (id, name, plan) in DemoAccounts.Tenants)
        {
            if (await tenants.FindAsync(id, ct) is null)
            {
                await tenants.CreateAsync(new TenantEntity { Id = id, DisplayName = name, Plan = plan, CreatedAt = time.GetUtcNow(), IsDemo = true }, ct);
            }
        }

        foreach (var (userName, displayName, role, tenantId) in DemoAccounts.Users)
        {
            if (await users.FindByUserNameAsync(userName, ct) is null)
            {
                await accounts.CreateUserAsync(userName, displayName, DemoAccounts.Password, role, tenantId, isDemo: true, ct);
            }
        }

        if (ApiKeyFormat.TryGetPrefix(DemoAccounts.IngestKey, out var ingestPrefix) && await keys.FindByPrefixAsync(ingestPrefix, ct) is null)
        {
            await apiKeys.CreateKnownAsync("demo-ingest", DemoAccounts.IngestKey, ApiKeyScope.ForIngest("acme"), ct);
        }

        if (ApiKeyFormat.TryGetPrefix(DemoAccounts.AdminKey, out var adminPrefix) && await keys.FindByPrefixAsync(adminPrefix, ct) is null)
        {
            await apiKeys.CreateKnownAsync("demo-admin", DemoAccounts.AdminKey, ApiKeyScope.ForRole(Role.Admin), ct);
        }

        LogSeeded(logger, DemoAccounts.Users.Length, DemoAccounts.Tenants.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development: {Users} demo users and {Tenants} demo tenants are available (see README).")]
    private static partial void LogSeeded(ILogger logger, int users, int tenants);
}

/// <summary>
/// Outside Development: creates the first administrator from <c>Auth:BootstrapAdminPassword</c> when no user
/// exists, and refuses to start without a strong one. No default password is ever created.
/// </summary>
public sealed partial class BootstrapAdmin(UserRepository users, AccountService accounts, IOptions<AuthOptions> options, ILogger<BootstrapAdmin> logger)
{
    public async Task EnsureAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrEmpty(o.BootstrapAdminPassword))
        {
            throw new InvalidOperationException(
                "OpsConsole refuses to start outside Development without an administrator password: set " +
                "OpsConsole__Auth__BootstrapAdminPassword (at least 12 characters). It is used only to create the first " +
                "administrator and is never stored in clear.");
        }

        if (PasswordPolicy.Check(o.BootstrapAdminPassword) is { } problem)
        {
            throw new InvalidOperationException($"OpsConsole__Auth__BootstrapAdminPassword is not acceptable: {problem}");
        }

        if (await users.AnyAsync(ct))
        {
            return;
        }

        await accounts.CreateUserAsync(o.BootstrapAdminUser, "Administrator", o.BootstrapAdminPassword, Role.Admin, null, ct: ct);
        LogCreated(logger, o.BootstrapAdminUser);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the bootstrap administrator '{UserName}'. Change its password after the first sign-in.")]
    private static partial void LogCreated(ILogger logger, string userName);
}
