using System.Security.Claims;
using System.Text.Json;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Auditing;

/// <summary>Writes audit entries for actions taken by a principal. Snapshots are JSON and must never hold secrets.</summary>
public sealed class AuditTrail(AuditLog log, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task RecordAsync(
        ClaimsPrincipal actor, string action, string targetType, string? targetId,
        string? tenantId = null, object? before = null, object? after = null, string? remoteAddress = null, CancellationToken ct = default) =>
        log.WriteAsync(new AuditLogEntryEntity
        {
            At = time.GetUtcNow(),
            Actor = actor.GetActor(),
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            TenantId = tenantId,
            Before = before is null ? null : JsonSerializer.Serialize(before, Json),
            After = after is null ? null : JsonSerializer.Serialize(after, Json),
            RemoteAddress = remoteAddress,
        }, ct);
}
