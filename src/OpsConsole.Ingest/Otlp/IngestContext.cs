using System.Security.Claims;
using OpsConsole.Domain.Telemetry;
using OpsConsole.Domain.Tenancy;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// Who is sending, as far as intake cares: the tenant the sender's API key is bound to, if any. A bound tenant
/// always wins: a <c>tenant.id</c> resource attribute in the payload never overrides it. An unbound context (keys
/// not required, or an all-tenant principal such as an Admin key) takes each resource's <c>tenant.id</c>
/// attribute, else <see cref="TenantIds.Default"/>.
/// </summary>
public sealed class IngestContext
{
    /// <summary>The resource attribute that names the tenant when the sender is not bound to one.</summary>
    public const string TenantAttribute = "tenant.id";

    private IngestContext(string? boundTenantId) => BoundTenantId = boundTenantId;

    /// <summary>Telemetry of any tenant: each resource's <c>tenant.id</c>, else <c>default</c>.</summary>
    public static IngestContext Unbound { get; } = new(null);

    /// <summary>The tenant of the sender's key; null when unbound.</summary>
    public string? BoundTenantId { get; }

    /// <summary>A context bound to the tenant of an API key. Throws <see cref="ArgumentException"/> for an invalid id.</summary>
    public static IngestContext ForTenant(string tenantId)
    {
        TenantIds.Validate(tenantId, nameof(tenantId));
        return new IngestContext(tenantId);
    }

    /// <summary>
    /// The tenant of one resource's telemetry: the bound tenant, else the resource's valid <c>tenant.id</c>
    /// attribute, else <c>default</c>. False (with a reason) when the attribute is present but not a valid tenant id.
    /// </summary>
    public bool TryResolveTenant(TelemetryResource resource, out string tenantId, out string? error)
    {
        error = null;
        if (BoundTenantId is not null)
        {
            tenantId = BoundTenantId;
            return true;
        }

        var named = resource.Find(TenantAttribute);
        if (named is null || named.Kind == AttributeKind.Empty)
        {
            tenantId = TenantIds.Default;
            return true;
        }

        if (named.Kind == AttributeKind.String && TenantIds.IsValid(named.StringValue))
        {
            tenantId = named.StringValue;
            return true;
        }

        tenantId = "";
        error = $"resource attribute {TenantAttribute}='{Truncate(named.ToString())}' is not a valid tenant id (1-{TenantIds.MaxLength} lower-case letters, digits and inner hyphens)";
        return false;
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");

    public override string ToString() => BoundTenantId is null ? "unbound" : "tenant " + BoundTenantId;
}

/// <summary>The answer to "which <see cref="IngestContext"/> does this request get?": a context, or why none.</summary>
public readonly record struct IngestContextResolution(IngestContext? Context, string? Failure)
{
    public bool Succeeded => Context is not null;
}

/// <summary>
/// Turns the authenticated principal of an intake request into an <see cref="IngestContext"/>: the tenant claim
/// of its key binds it; with <see cref="IngestLimits.RequireApiKey"/> an unauthenticated request gets none; an
/// authenticated principal without a tenant (an all-tenant key or user) is unbound.
/// </summary>
public sealed class IngestContextResolver
{
    private readonly Func<bool> _requireApiKey;
    private readonly string _tenantClaimType;

    public IngestContextResolver(Func<bool> requireApiKey, string tenantClaimType)
    {
        ArgumentNullException.ThrowIfNull(requireApiKey);
        ArgumentException.ThrowIfNullOrEmpty(tenantClaimType);
        _requireApiKey = requireApiKey;
        _tenantClaimType = tenantClaimType;
    }

    public IngestContextResolution Resolve(ClaimsPrincipal? user)
    {
        var tenant = user?.FindFirst(_tenantClaimType)?.Value;
        if (!string.IsNullOrEmpty(tenant))
        {
            return TenantIds.IsValid(tenant)
                ? new IngestContextResolution(IngestContext.ForTenant(tenant), null)
                : new IngestContextResolution(null, $"The API key's tenant '{tenant}' is not a valid tenant id.");
        }

        if (_requireApiKey() && user?.Identity?.IsAuthenticated != true)
        {
            return new IngestContextResolution(null, "Sending telemetry needs an API key (Authorization: Bearer <key> or X-Api-Key).");
        }

        return new IngestContextResolution(IngestContext.Unbound, null);
    }
}
