namespace OpsConsole.Web.Security;

/// <summary>What a password must be. Length over complexity, and never a well-known default.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "admin", "administrator", "changeme", "change-me", "opsconsole",
        "123456789012", "passwordpassword", "adminadminadmin", "qwertyuiopas", "letmeinletmein", "opsconsole-demo",
    };

    /// <summary>Null when acceptable, else the reason in words a person can act on.</summary>
    public static string? Check(string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            return $"The password must be at least {MinLength} characters long.";
        }

        if (password.Length > MaxLength)
        {
            return $"The password must be at most {MaxLength} characters long.";
        }

        if (Forbidden.Contains(password) || password.Distinct().Count() < 4)
        {
            return "The password is too easy to guess; choose another.";
        }

        return null;
    }
}
