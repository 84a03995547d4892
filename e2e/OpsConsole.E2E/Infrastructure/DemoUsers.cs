namespace OpsConsole.E2E.Infrastructure;

/// <summary>The accounts Development seeds (src/OpsConsole.Web/Seeding/Seeders.cs).</summary>
public static class DemoUsers
{
    public const string Password = "opsconsole-demo";

    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Executive = "exec";
    public const string AcmeAdmin = "acme-admin";

    /// <summary>The name of the sign-in cookie (AuthenticationSetup.CookieName).</summary>
    public const string AuthCookie = "OpsConsole.Auth";
}
