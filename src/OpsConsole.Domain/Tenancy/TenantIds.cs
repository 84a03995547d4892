using System.Text.RegularExpressions;

namespace OpsConsole.Domain.Tenancy;

/// <summary>Tenant identifiers: lower-case slugs, safe in URLs, labels and file names.</summary>
public static partial class TenantIds
{
    public const int MaxLength = 63;

    /// <summary>The tenant of telemetry that names none when keys are not required.</summary>
    public const string Default = "default";

    /// <summary>
    /// The metric label naming a series' tenant. Series stored under a tenant other than <see cref="Default"/> always
    /// carry it with that tenant (set at intake, overwriting whatever was sent); a tenant's queries are scoped by it.
    /// </summary>
    public const string LabelName = "tenant_id";

    // \z, not $: in .NET '$' also matches before a final '\n', which would let "acme\n" through.
    [GeneratedRegex(@"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? tenantId) => tenantId is not null && Pattern().IsMatch(tenantId);

    public static void Validate(string? tenantId, string paramName)
    {
        if (string.IsNullOrEmpty(tenantId))
        {
            throw new ArgumentException("A tenant id is required.", paramName);
        }

        if (!IsValid(tenantId))
        {
            throw new ArgumentException(
                $"'{tenantId}' is not a valid tenant id: use 1-{MaxLength} lower-case letters, digits and inner hyphens.", paramName);
        }
    }
}
