using System.Security.Claims;
using OpsConsole.Core.Ingestion;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;

namespace OpsConsole.Web.Tenancy;

/// <summary>The body of <c>PUT /api/v1/admin/tenants/{id}</c>: the tenant's editable settings, all replaced. A null quota
/// override means "the plan's quota".</summary>
public sealed record UpdateTenantRequest(string? DisplayName, string? Plan, long? IngestItemsPerMinute, long? IngestBytesPerDay);

/// <summary>A tenant as the admin sees it: plan, overrides, effective quotas (null = unlimited) and current use.</summary>
public sealed record TenantQuotaView(
    string Id, string DisplayName, string Plan, string PlanDisplayName, DateTimeOffset CreatedAt,
    long? IngestItemsPerMinuteOverride, long? IngestBytesPerDayOverride,
    long? EffectiveItemsPerMinute, long? EffectiveBytesPerDay,
    long ItemsThisMinute, long BytesToday, long Rejections, DateTimeOffset? LastRejectedAt, string? LastRejection);

/// <summary>What a create or update did: the tenant, or field-named errors, or "no such tenant". Nothing changes on errors.</summary>
public sealed record TenantChange(TenantView? Tenant, IReadOnlyDictionary<string, string[]> Errors, bool NotFound = false)
{
    public bool Succeeded => Tenant is not null;
}

/// <summary>
/// Tenants and their plans and quota overrides, for the admin API and the Tenants settings page alike: one set of
/// validation rules, every change audited (before and after) and the intake quota cache refreshed after it.
/// </summary>
public sealed class TenantAdministration(
    TenantRepository tenants, PlanCatalog plans, TenantQuotaCache quotas, IngestQuotaLedger ledger, AuditTrail audit, TimeProvider time)
{
    public const int MaxDisplayNameLength = 200;

    public async Task<IReadOnlyList<TenantQuotaView>> ListAsync(CancellationToken ct = default) =>
        [.. (await tenants.ListAsync(ct)).Select(ViewOf)];

    public async Task<TenantQuotaView?> FindAsync(string id, CancellationToken ct = default) =>
        TenantIds.IsValid(id) && await tenants.FindAsync(id, ct) is { } tenant ? ViewOf(tenant) : null;

    public async Task<TenantChange> CreateAsync(CreateTenantRequest request, ClaimsPrincipal actor, string? remoteAddress, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TenantIds.IsValid(request.Id))
        {
            errors["id"] = [$"'{request.Id}' is not a valid tenant id: use 1-{TenantIds.MaxLength} lower-case letters, digits and inner hyphens."];
        }

        var plan = request.Plan ?? "standard";
        CheckPlan(plan, errors);
        if (request.DisplayName is { Length: > MaxDisplayNameLength })
        {
            errors["displayName"] = [$"displayName must be at most {MaxDisplayNameLength} characters."];
        }

        if (errors.Count > 0)
        {
            return new TenantChange(null, errors);
        }

        var tenant = await tenants.CreateAsync(new TenantEntity
        {
            Id = request.Id!,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? request.Id! : request.DisplayName.Trim(),
            Plan = plan,
            CreatedAt = time.GetUtcNow(),
        }, ct);
        await quotas.LoadAsync(ct);
        var view = ToView(tenant);
        await audit.RecordAsync(actor, "tenant.create", "tenant", tenant.Id, tenant.Id, after: view, remoteAddress: remoteAddress, ct: ct);
        return new TenantChange(view, errors);
    }

    public async Task<TenantChange> UpdateAsync(string id, UpdateTenantRequest request, ClaimsPrincipal actor, string? remoteAddress, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var displayName = request.DisplayName?.Trim();
        if (string.IsNullOrEmpty(displayName) || displayName.Length > MaxDisplayNameLength)
        {
            errors["displayName"] = [$"displayName is required: 1-{MaxDisplayNameLength} characters."];
        }

        if (request.Plan is null)
        {
            errors["plan"] = [$"plan is required: one of {string.Join(", ", plans.Ids)}."];
        }
        else
        {
            CheckPlan(request.Plan, errors);
        }

        if (request.IngestItemsPerMinute is < 0)
        {
            errors["ingestItemsPerMinute"] = ["ingestItemsPerMinute must be zero or more (0 refuses all telemetry); leave it out to use the plan's quota."];
        }

        if (request.IngestBytesPerDay is < 0)
        {
            errors["ingestBytesPerDay"] = ["ingestBytesPerDay must be zero or more (0 refuses all telemetry); leave it out to use the plan's quota."];
        }

        if (!TenantIds.IsValid(id) || await tenants.FindAsync(id, ct) is null)
        {
            return new TenantChange(null, errors, NotFound: true);
        }

        if (errors.Count > 0)
        {
            return new TenantChange(null, errors);
        }

        var changed = await tenants.UpdateAsync(id, displayName!, request.Plan!, request.IngestItemsPerMinute, request.IngestBytesPerDay, ct);
        if (changed is not { } pair)
        {
            return new TenantChange(null, errors, NotFound: true);
        }

        await quotas.LoadAsync(ct);
        var after = ToView(pair.After);
        await audit.RecordAsync(actor, "tenant.update", "tenant", id, id, before: ToView(pair.Before), after: after, remoteAddress: remoteAddress, ct: ct);
        return new TenantChange(after, errors);
    }

    public static TenantView ToView(TenantEntity t) => new(t.Id, t.DisplayName, t.Plan, t.CreatedAt, t.IngestItemsPerMinute, t.IngestBytesPerDay);

    private TenantQuotaView ViewOf(TenantEntity t)
    {
        var plan = plans.Find(t.Plan);
        var effective = TenantQuotaCache.Effective(t, plan);
        var use = ledger.UseOf(t.Id);
        return new TenantQuotaView(
            t.Id, t.DisplayName, t.Plan, plan?.DisplayName ?? $"{t.Plan} (not configured)", t.CreatedAt,
            t.IngestItemsPerMinute, t.IngestBytesPerDay, effective.ItemsPerMinute, effective.BytesPerDay,
            use.ItemsThisMinute, use.BytesToday, use.Rejections, use.LastRejection?.At, use.LastRejection?.Message);
    }

    private void CheckPlan(string plan, Dictionary<string, string[]> errors)
    {
        if (plans.Find(plan) is null)
        {
            errors["plan"] = [$"Unknown plan '{plan}': plan must be one of {string.Join(", ", plans.Ids)}."];
        }
    }
}
