using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpsConsole.Web.Security;

/// <summary>The <c>RateLimits</c> section: requests per minute per API key / signed-in user, sign-in attempts per minute.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>REST API requests per minute for each API key and for each signed-in user (telemetry intake excluded).</summary>
    public int ApiPerMinute { get; set; } = 600;

    /// <summary>Sign-in attempts per minute for one account name, whatever the address.</summary>
    public int LoginPerAccountPerMinute { get; set; } = 10;

    /// <summary>Sign-in attempts per minute from one remote address, whatever the account.</summary>
    public int LoginPerAddressPerMinute { get; set; } = 30;
}

/// <summary>
/// API rate limits with ASP.NET Core rate limiting: a global limiter partitioned by API key (its id) or signed-in user
/// (their name), fixed one-minute windows, answered 429 problem+json with Retry-After. Anonymous requests are not
/// limited here (they are refused by authentication), nor is telemetry intake (it has per-tenant quotas).
/// </summary>
public static class RateLimits
{
    /// <summary>The native intake paths (POST), which the API limiter leaves to the ingest quotas.</summary>
    private static readonly string[] IntakePaths =
        ["/api/v1/monitoring/metrics", "/api/v1/monitoring/traces", "/api/v1/monitoring/logs", "/api/v1/monitoring/health-checks"];

    public static IServiceCollection AddOpsConsoleRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName))
            .Validate(o => o.ApiPerMinute > 0 && o.LoginPerAccountPerMinute > 0 && o.LoginPerAddressPerMinute > 0,
                "RateLimits:ApiPerMinute, RateLimits:LoginPerAccountPerMinute and RateLimits:LoginPerAddressPerMinute must be positive.")
            .ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, limits) =>
        {
            var perMinute = limits.Value.ApiPerMinute;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => PartitionOf(context) is { } key
                ? RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = (context, ct) => RejectAsync(context, perMinute);
        });
        services.AddSingleton<LoginThrottle>();
        return services;
    }

    /// <summary>"key:{id}" for an API key, "user:{name}" for a signed-in user; null for what is not limited.</summary>
    internal static string? PartitionOf(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || context.User.Identity?.IsAuthenticated != true
            || (HttpMethods.IsPost(request.Method) && IntakePaths.Any(p => request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))))
        {
            return null;
        }

        return context.User.FindFirstValue(OpsClaims.Scope) == OpsClaims.ScopeUser
            ? "user:" + context.User.GetActor()
            : "key:" + (context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.User.GetActor());
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, int perMinute)
    {
        var http = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var who = http.User.FindFirstValue(OpsClaims.Scope) == OpsClaims.ScopeUser ? $"User '{http.User.GetActor()}'" : $"This API key ({http.User.GetActor()})";
        await ProblemResponses.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"{who} has made more than {perMinute} API requests this minute (RateLimits:ApiPerMinute). Retry in {seconds} s.");
    }
}

/// <summary>Whether a sign-in attempt may go ahead, and if not, why and for how long.</summary>
public readonly record struct LoginThrottleResult(bool Allowed, TimeSpan RetryAfter, string? Reason)
{
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// Sign-in attempts per account name and per remote address (fixed one-minute windows, System.Threading.RateLimiting).
/// The login form is a page, not an API call, so the page consults this itself and shows the refusal as a message
/// (with status 429 and Retry-After) instead of the middleware's problem+json.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccount;
    private readonly PartitionedRateLimiter<string> _perAddress;

    public LoginThrottle(IOptions<RateLimitOptions> options)
    {
        _perAccount = Create(options.Value.LoginPerAccountPerMinute);
        _perAddress = Create(options.Value.LoginPerAddressPerMinute);
    }

    /// <summary>Takes one attempt from the address's and the account's allowance (the address first).</summary>
    public LoginThrottleResult TryAcquire(string? account, string? remoteAddress)
    {
        using (var lease = _perAddress.AttemptAcquire(remoteAddress ?? "unknown"))
        {
            if (!lease.IsAcquired)
            {
                return new LoginThrottleResult(false, RetryAfterOf(lease), "address");
            }
        }

        using (var lease = _perAccount.AttemptAcquire((account ?? "").Trim().ToLowerInvariant()))
        {
            if (!lease.IsAcquired)
            {
                return new LoginThrottleResult(false, RetryAfterOf(lease), "account");
            }
        }

        return new LoginThrottleResult(true, TimeSpan.Zero, null);
    }

    public void Dispose()
    {
        _perAccount.Dispose();
        _perAddress.Dispose();
    }

    private static TimeSpan RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);

    private static PartitionedRateLimiter<string> Create(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
