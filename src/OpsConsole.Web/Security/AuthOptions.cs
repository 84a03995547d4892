namespace OpsConsole.Web.Security;

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>User name of the administrator created on first start in Production.</summary>
    public string BootstrapAdminUser { get; set; } = "admin";

    /// <summary>Required in Production (<c>OpsConsole__Auth__BootstrapAdminPassword</c>); used only while no user exists.</summary>
    public string? BootstrapAdminPassword { get; set; }

    /// <summary>Failed sign-ins in a row before the account is locked.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    public int CookieLifetimeHours { get; set; } = 8;
}
