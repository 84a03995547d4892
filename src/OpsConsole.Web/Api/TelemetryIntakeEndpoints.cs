using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Security;
using OpsConsole.Domain.Tenancy;
using OpsConsole.Ingest;
using OpsConsole.Ingest.Native;
using OpsConsole.Web.Security;

namespace OpsConsole.Web.Api;

public sealed record IngestAccepted(int Accepted);

/// <summary>
/// The native JSON intake (<c>POST /api/v1/monitoring/{metrics,traces,logs}</c>) for services that do not speak
/// OTLP. Answered after the batch is durable; the tenant comes from an ingest key, never from the payload.
/// </summary>
public static class TelemetryIntakeEndpoints
{
    public static IEndpointRouteBuilder MapTelemetryIntake(this IEndpointRouteBuilder app)
    {
        // Content-Length is checked up front (a clear 413 before reading); the server enforces the same limit on
        // bodies sent without one (chunked) while reading.
        var maxBytes = app.ServiceProvider.GetRequiredService<IOptions<IngestLimits>>().Value.MaxRequestBytes;
        var group = app.MapGroup("/api/v1/monitoring").RequireAuthorization(Policies.Ingest).WithTags("Intake")
            .WithMetadata(new RequestSizeLimitAttribute(maxBytes));
        group.MapPost("/metrics", (MetricsRequest body, HttpContext http, NativeDecoder decoder, ITelemetrySink sink, IOptions<IngestLimits> limits, string? tenant) =>
            IngestAsync(http, limits.Value, tenant, t => decoder.Decode(body, t), sink));
        group.MapPost("/traces", (TracesRequest body, HttpContext http, NativeDecoder decoder, ITelemetrySink sink, IOptions<IngestLimits> limits, string? tenant) =>
            IngestAsync(http, limits.Value, tenant, t => decoder.Decode(body, t), sink));
        group.MapPost("/logs", (LogsRequest body, HttpContext http, NativeDecoder decoder, ITelemetrySink sink, IOptions<IngestLimits> limits, string? tenant) =>
            IngestAsync(http, limits.Value, tenant, t => decoder.Decode(body, t), sink));
        group.MapPost("/health-checks", (HealthChecksRequest body, HttpContext http, NativeDecoder decoder, ITelemetrySink sink, IOptions<IngestLimits> limits, string? tenant) =>
            IngestAsync(http, limits.Value, tenant, t => decoder.Decode(body, t), sink));

        // Reading health is for people (and role keys); a tenant admin sees their tenant's checks only.
        app.MapGet("/api/v1/monitoring/health-checks", (HealthCheckStore store, ClaimsPrincipal user, string? service) =>
                store.Current(user.GetTenantId()).Where(s => service is null || s.Service == service))
            .RequireAuthorization(Policies.ViewDashboards).WithTags("Health");
        return app;
    }

    /// <summary>
    /// The tenant telemetry is filed under: an ingest key's (or tenant admin's) own tenant; for an admin, the
    /// <c>tenant</c> query parameter or <see cref="TenantIds.Default"/>.
    /// </summary>
    internal static (string? Tenant, IResult? Problem) ResolveTenant(ClaimsPrincipal user, string? requested)
    {
        if (requested is not null && !TenantIds.IsValid(requested))
        {
            return (null, Results.ValidationProblem(new Dictionary<string, string[]> { ["tenant"] = [$"'{requested}' is not a valid tenant id."] }));
        }

        var bound = user.GetTenantId();
        if (bound is not null)
        {
            return requested is null || requested == bound
                ? (bound, null)
                : (null, Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: $"This key sends telemetry for tenant '{bound}' only."));
        }

        return user.IsInRole(Roles.Admin) ? (requested ?? TenantIds.Default, null)
            : (null, Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Only ingest keys and admins send telemetry."));
    }

    private static async Task<IResult> IngestAsync(
        HttpContext http, IngestLimits limits, string? requestedTenant,
        Func<string, (TelemetryBatch Batch, Dictionary<string, string[]> Errors)> decode, ITelemetrySink sink)
    {
        if (http.Request.ContentLength > limits.MaxRequestBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The body is {http.Request.ContentLength} bytes; the limit is {limits.MaxRequestBytes}. Split the batch.");
        }

        var (tenant, problem) = ResolveTenant(http.User, requestedTenant);
        if (problem is not null)
        {
            return problem;
        }

        var (batch, errors) = decode(tenant!);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, detail: "Nothing of this request was stored; fix the fields listed and send it again.");
        }

        // Quotas before anything is stored; a refused request is not counted and changes nothing.
        var quotas = http.RequestServices.GetService<IngestQuotaLedger>();
        var admission = quotas?.TryAdmit(batch, RequestBytes(http));
        if (admission?.Rejection is { } rejection)
        {
            return IngestResults.ToHttp(http, new IngestResult(IngestOutcome.Throttled, 0, rejection.Message, TimeSpan.FromSeconds(rejection.RetryAfterSeconds)), batch.ItemCount);
        }

        IngestResult result;
        try
        {
            result = await sink.WriteAsync(batch, http.RequestAborted);
        }
        catch
        {
            if (admission is not null)
            {
                quotas!.Refund(admission);
            }

            throw;
        }

        if (result.Outcome != IngestOutcome.Accepted && admission is not null)
        {
            quotas!.Refund(admission);
        }

        return IngestResults.ToHttp(http, result, batch.ItemCount);
    }

    /// <summary>The request body's size: Content-Length, or what <see cref="RequestBodyCounter"/> counted for a chunked body.</summary>
    private static long RequestBytes(HttpContext http) =>
        http.Request.ContentLength ?? http.Features.Get<RequestBodyCounter>()?.BytesRead ?? 0;
}

/// <summary>
/// Counts the bytes read from an intake request's body: for usage metering, and for the day's byte quota when a body
/// comes without Content-Length (chunked). Put in place, and registered as a feature, by
/// <see cref="Usage.IntakeBytesMiddleware"/>.
/// </summary>
public sealed class RequestBodyCounter : Stream
{
    private readonly Stream _inner;

    public RequestBodyCounter(Stream inner) => _inner = inner;

    /// <summary>The stream this one counts.</summary>
    public Stream Inner => _inner;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Counted(_inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Counted(_inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Counted(await _inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await _inner.ReadAsync(buffer, cancellationToken));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(int read)
    {
        BytesRead += read;
        return read;
    }
}

/// <summary>How an <see cref="IngestResult"/> is answered over HTTP (OTLP/HTTP uses the same mapping).</summary>
public static class IngestResults
{
    public static IResult ToHttp(HttpContext http, IngestResult result, int items)
    {
        switch (result.Outcome)
        {
            case IngestOutcome.Accepted:
                return Results.Ok(new IngestAccepted(items - result.RejectedItems));
            case IngestOutcome.Throttled:
                SetRetryAfter(http, result);
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: result.Message);
            default:
                SetRetryAfter(http, result);
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", detail: result.Message);
        }
    }

    private static void SetRetryAfter(HttpContext http, IngestResult result) =>
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling((result.RetryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
