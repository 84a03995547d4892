using System.Globalization;
using System.Security.Claims;
using System.Text;
using OpsConsole.Data.Entities;
using OpsConsole.Data.Repositories;
using OpsConsole.Domain.Security;
using OpsConsole.Web.Api;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Auditing;

/// <summary>The audit filter as given in a URL (API or page), before checking.</summary>
public sealed record AuditFilterText(
    string? User = null, string? Action = null, string? TargetType = null, string? TargetId = null,
    string? Tenant = null, string? From = null, string? To = null, string? Limit = null, string? Offset = null);

/// <summary>One audit entry as the API and the page show it.</summary>
public sealed record AuditRow(long Id, DateTimeOffset At, string Actor, string Action, string TargetType, string? TargetId, string? TenantId, string? Before, string? After, string? RemoteAddress)
{
    public static AuditRow From(AuditLogEntryEntity e) => new(e.Id, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.TenantId, e.Before, e.After, e.RemoteAddress);
}

public sealed record AuditEntriesPage(IReadOnlyList<AuditRow> Entries, int Offset, int Limit, bool HasMore);

/// <summary>
/// Reads the audit log for a principal: admins read every entry (or one tenant's), tenant admins only their own
/// tenant's — the tenant is put into the database query here, whatever the caller asked for. Parses and checks the
/// filter (times, range, paging), and writes the CSV export (RFC 4180).
/// </summary>
public sealed class AuditReader(AuditLog log)
{
    public const int DefaultLimit = 50;
    public const int MaxFilterLength = 200;

    /// <summary>Checks the filter for <paramref name="user"/>; null and the reasons by field when it is not acceptable.</summary>
    public static AuditQuery? Parse(AuditFilterText text, ClaimsPrincipal user, Dictionary<string, string[]> errors, out bool forbidden)
    {
        forbidden = false;
        var from = QueryTime.Parse(text.From, "from", errors);
        var to = QueryTime.Parse(text.To, "to", errors);
        if (from is not null && to is not null && from >= to)
        {
            errors["from"] = ["from must be before to."];
        }

        var limit = QueryTime.Int(text.Limit, "limit", DefaultLimit, 1, AuditLog.MaxLimit, errors);
        var offset = QueryTime.Int(text.Offset, "offset", 0, 0, 1_000_000, errors);
        foreach (var (field, value) in new[] { ("user", text.User), ("action", text.Action), ("targetType", text.TargetType), ("targetId", text.TargetId), ("tenant", text.Tenant) })
        {
            if (value is { Length: > MaxFilterLength })
            {
                errors[field] = [$"{field} must be at most {MaxFilterLength} characters."];
            }
        }

        var tenant = Blank(text.Tenant);
        if (user.GetRole() != Role.Admin)
        {
            // Tenant admins (people and keys): their tenant only. Asking for another is refused, not silently narrowed.
            var own = user.GetTenantId();
            if (own is null || (tenant is not null && tenant != own))
            {
                forbidden = true;
                errors["tenant"] = [own is null ? "This account is not bound to a tenant." : $"You can read the audit entries of tenant '{own}' only."];
                return null;
            }

            tenant = own;
        }

        return errors.Count > 0 ? null : new AuditQuery(tenant, Blank(text.User), Blank(text.Action), from, to, limit, Blank(text.TargetType), Blank(text.TargetId), offset);
    }

    public async Task<AuditEntriesPage> PageAsync(AuditQuery query, CancellationToken ct)
    {
        // One more than asked tells whether there is a next page (at the largest page size, a second look does).
        var probe = query.Limit < AuditLog.MaxLimit;
        var rows = await log.QueryAsync(probe ? query with { Limit = query.Limit + 1 } : query, ct);
        var hasMore = probe
            ? rows.Count > query.Limit
            : (await log.QueryAsync(query with { Offset = query.Offset + query.Limit, Limit = 1 }, ct)).Count > 0;
        return new AuditEntriesPage([.. rows.Take(query.Limit).Select(AuditRow.From)], query.Offset, query.Limit, hasMore);
    }

    public Task<IReadOnlyList<string>> ActionsAsync(ClaimsPrincipal user, CancellationToken ct) =>
        log.ActionsAsync(user.GetRole() == Role.Admin ? null : user.GetTenantId() ?? "", ct);

    public static readonly string[] CsvHeader = ["id", "at", "actor", "action", "target_type", "target_id", "tenant", "remote_address", "before", "after"];

    /// <summary>Writes every entry the filter matches (paging ignored) as CSV, row by row as they are read.</summary>
    public async Task WriteCsvAsync(AuditQuery query, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(CsvText.Line(CsvHeader));
        var count = 0;
        await foreach (var e in log.StreamAsync(query, ct))
        {
            await writer.WriteAsync(CsvText.Line(CsvFields(AuditRow.From(e))));
            if (++count % 500 == 0)
            {
                await writer.FlushAsync(ct);
            }
        }

        await writer.FlushAsync(ct);
    }

    public static string[] CsvFields(AuditRow e) =>
    [
        e.Id.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        .. new[] { e.Actor, e.Action, e.TargetType, e.TargetId, e.TenantId, e.RemoteAddress, e.Before, e.After }.Select(CsvText.Text),
    ];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
