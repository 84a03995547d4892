using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Core.Dashboards;
using OpsConsole.Core.Health;
using OpsConsole.Core.Ingestion;
using OpsConsole.Core.Live;
using OpsConsole.Core.LiveEvents;
using OpsConsole.Core.Storage;
using OpsConsole.Core.Storage.Series;
using OpsConsole.Data;
using OpsConsole.Data.Telemetry;
using OpsConsole.Ingest;
using OpsConsole.Ingest.Native;
using OpsConsole.Ingest.Otlp;
using OpsConsole.Ingest.Prometheus;
using OpsConsole.Simulator;
using OpsConsole.Web.Alerting;
using OpsConsole.Web.Api;
using OpsConsole.Web.Auditing;
using OpsConsole.Web.Components;
using OpsConsole.Web.Dashboards;
using OpsConsole.Web.LiveEvents;
using OpsConsole.Web.Logs;
using OpsConsole.Web.Observability;
using OpsConsole.Web.Rules;
using OpsConsole.Web.Security;
using OpsConsole.Web.Seeding;
using OpsConsole.Web.Tenancy;
using Prometheus;

namespace OpsConsole.Web.Hosting;

/// <summary>How the host is put together: services, start-up work and the request pipeline.</summary>
public static class OpsConsoleHost
{
    public static WebApplicationBuilder AddOpsConsole(this WebApplicationBuilder builder)
    {
        // OpsConsole__Storage__Provider=Postgres etc. (PRODUCT.md contract), on top of the standard sources.
        builder.Configuration.AddEnvironmentVariables("OpsConsole__");
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));
        services.AddOpsConsoleData(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var contentRoot = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new ResolvedStorage(storage.Provider, DataServiceCollectionExtensions.ResolveConnectionString(storage, contentRoot));
        });
        services.AddOpsConsoleAuthentication(builder.Configuration);
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuditReader>();
        services.AddSingleton<Administration.ApiKeyAdministration>();
        services.AddSingleton<Administration.UserAdministration>();
        services.AddSingleton<DevelopmentSeeder>();
        services.AddSingleton<BootstrapAdmin>();
        services.AddOptions<PlanCatalogOptions>()
            .Configure<IConfiguration>((o, config) => config.GetSection(PlanCatalogOptions.SectionName).Bind(o.Plans))
            .Validate(o => o.Problems().Count == 0, "The Plans section is invalid; see PlanCatalogOptions.Problems().")
            .ValidateOnStart();
        services.AddSingleton<PlanCatalog>();
        services.AddSingleton<TenantQuotaCache>();
        services.AddSingleton<IIngestQuotaSource>(sp => sp.GetRequiredService<TenantQuotaCache>());
        services.AddSingleton<IngestQuotaLedger>();
        services.AddSingleton<TenantAdministration>();
        services.AddOpsConsoleRateLimits(builder.Configuration);

        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<IngestPipelineHealthCheck>("ingest-pipeline", tags: ["ready"])
            .AddCheck<ScrapeLoopHealthCheck>("scrape-loop", tags: ["ready"]);

        // OTLP gRPC + HTTP receivers; also binds and validates the Ingest limits every intake path uses.
        services.AddOtlpIngest(builder.Configuration, o => o.TenantClaimType = OpsClaims.Tenant);
        services.AddSingleton(sp => new NativeDecoder(sp.GetRequiredService<IOptions<IngestLimits>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<RetentionOptions>().Bind(builder.Configuration.GetSection(RetentionOptions.SectionName))
            .Validate(o => o.Traces > TimeSpan.Zero && o.Logs > TimeSpan.Zero && o.Metrics > TimeSpan.Zero, "Retention:Traces, Retention:Logs and Retention:Metrics must be positive.")
            .Validate(o => o.TracesMemoryMB > 0 && o.LogsMemoryMB > 0 && o.MetricsMemoryMB > 0, "Retention memory budgets must be positive.")
            .ValidateOnStart();
        services.AddSingleton(sp => new TelemetryStores(sp.GetRequiredService<IOptions<RetentionOptions>>().Value.ToHotStoreOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ICommittedTelemetryObserver, HotStoreFeeder>();

        // PromQL: the hot series store with the database behind it for older ranges, under the Query limits.
        services.AddSingleton(sp => new HistorySeriesSource(sp.GetRequiredService<TelemetryStores>().Series, sp.GetRequiredService<TelemetryReader>()));
        services.AddSingleton<ISeriesSource>(sp => sp.GetRequiredService<HistorySeriesSource>());
        services.AddOptions<QueryOptions>().Bind(builder.Configuration.GetSection(QueryOptions.SectionName))
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromDays(1), "Query:Timeout must be a positive duration of at most a day.")
            .Validate(o => o.LookbackDelta > TimeSpan.Zero && o.MaxRange > TimeSpan.Zero, "Query:LookbackDelta and Query:MaxRange must be positive durations.")
            .Validate(o => o.MaxSamples > 0 && o.MaxPointsPerSeries > 0 && o.MaxSeries > 0, "Query:MaxSamples, Query:MaxPointsPerSeries and Query:MaxSeries must be positive.")
            .ValidateOnStart();
        services.AddSingleton<PromQlQueryStats>();
        services.AddSingleton<PromQlQueries>();
        services.AddOptions<LogSearchOptions>().Bind(builder.Configuration.GetSection(LogSearchOptions.SectionName))
            .Validate(o => o.QueryTimeout > TimeSpan.Zero && o.MaxRange > TimeSpan.Zero && o.MaxLimit > 0 && o.TailMaxLinesPerSecond > 0,
                "Logs:QueryTimeout, Logs:MaxRange, Logs:MaxLimit and Logs:TailMaxLinesPerSecond must be positive.")
            .Validate(o => o.IndexInterval > TimeSpan.Zero && o.IndexLag >= TimeSpan.Zero && o.IndexBatch > 0 && o.DatabaseScanBudget > 0,
                "Logs:IndexInterval, Logs:IndexBatch and Logs:DatabaseScanBudget must be positive, Logs:IndexLag not negative.")
            .ValidateOnStart();
        services.AddSingleton<LogExplorer>();
        services.AddHostedService<LogIndexingService>();
        services.AddSingleton<HotWindowLoader>();
        services.AddSingleton<Traces.TraceExplorer>();
        services.AddHostedService<TelemetryHousekeeping>();
        services.AddSingleton<HealthCheckStore>();
        services.AddSingleton<ICommittedTelemetryObserver>(sp => sp.GetRequiredService<HealthCheckStore>());
        services.AddSingleton<IngestTally>();
        services.AddSingleton<ICommittedTelemetryObserver>(sp => sp.GetRequiredService<IngestTally>());
        services.AddOptions<Usage.UsageOptions>()
            .Configure<IConfiguration>((o, config) =>
            {
                var section = config.GetSection(Usage.UsageOptions.SectionName);
                section.Bind(o);
                foreach (var kind in section.GetSection("Kinds").GetChildren())
                {
                    o.Kinds[kind.Key] = kind.Value ?? "";
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<Usage.UsageOptions>, Usage.UsageOptionsValidator>();
        services.AddSingleton<Usage.UsageMeter>();
        services.AddSingleton<Usage.QuotaUsageBridge>();
        services.AddSingleton<ICommittedTelemetryObserver>(sp => sp.GetRequiredService<Usage.UsageMeter>());
        services.AddHostedService(sp => sp.GetRequiredService<Usage.UsageMeter>());
        services.AddSingleton<Usage.UsageReports>();
        services.AddSingleton(sp => new IngestPipeline(
            sp.GetRequiredService<IDurableTelemetryWriter>(), sp.GetServices<ICommittedTelemetryObserver>(), new IngestPipelineOptions(),
            sp.GetRequiredService<ILogger<IngestPipeline>>()));
        services.AddSingleton<ITelemetrySink>(sp => sp.GetRequiredService<IngestPipeline>());

        services.AddOptions<ScrapeOptions>().Bind(builder.Configuration.GetSection(ScrapeOptions.SectionName));
        services.AddSingleton(sp => new ScrapeTargetRegistry(sp.GetRequiredService<IOptions<ScrapeOptions>>().Value));
        services.AddSingleton(sp => new ScrapeLoop(
            sp.GetRequiredService<ScrapeTargetRegistry>(), sp.GetRequiredService<ITelemetrySink>(), ScrapeLoop.CreateHttpClient(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<ScrapeWorker>();
        services.AddOptions<DemoWorkloadOptions>().Bind(builder.Configuration.GetSection(DemoWorkloadOptions.SectionName));
        services.AddSingleton(sp => new DemoMode(DemoHost.IsEnabled(sp.GetRequiredService<IOptions<DemoWorkloadOptions>>(), sp.GetRequiredService<IHostEnvironment>())));
        services.AddHostedService<DemoHost>();

        services.AddOpsConsoleAlerting(builder.Configuration);
        services.AddOpsConsoleRules(builder.Configuration);
        services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.SectionName));
        services.AddSingleton<DashboardStore>();
        services.AddSingleton<IDashboardCatalog>(sp => sp.GetRequiredService<DashboardStore>());
        services.AddSingleton<SharedPanelEvaluations>();
        services.AddScoped<DashboardLiveSession>();
        services.AddSingleton<GrafanaImporter>();
        services.AddOptions<OverviewOptions>().Bind(builder.Configuration.GetSection(OverviewOptions.SectionName));
        services.AddSingleton<SelfCounters>();
        services.AddSingleton(sp => new LiveFeed<ProcessSnapshot>(sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<SelfMonitor>();
        services.AddOptions<SelfTelemetryOptions>().Bind(builder.Configuration.GetSection(SelfTelemetryOptions.SectionName))
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(1), "SelfTelemetry:Interval must be at least one second.")
            .ValidateOnStart();
        services.AddSingleton<SelfTelemetry>();
        services.AddHostedService<SelfTelemetryRecorder>();
        services.AddSignalR();
        services.AddSingleton<AlertEventBus>();
        services.AddSingleton<IAlertEventPublisher>(sp => sp.GetRequiredService<AlertEventBus>());
        services.AddSingleton<IAlertEventSource>(sp => sp.GetRequiredService<AlertEventBus>());
        services.AddSingleton<Core.Alerting.IAlertObserver, AlertEventForwarder>(); // alerting's changes → /hubs/live
        services.AddOptions<LiveEventOptions>().Bind(builder.Configuration.GetSection(LiveEventOptions.SectionName))
            .Validate(o => o.Interval >= TimeSpan.FromMilliseconds(100), "LiveEvents:Interval must be at least 100 ms.")
            .ValidateOnStart();
        services.AddHostedService<LiveEventBroadcaster>();
        services.AddScoped<CircuitHandler, CircuitCounter>();

        var otlp = builder.Configuration["Telemetry:OtlpEndpoint"];
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            if (!Uri.TryCreate(otlp, UriKind.Absolute, out var endpoint))
            {
                throw new InvalidOperationException($"Telemetry:OtlpEndpoint '{otlp}' is not an absolute URI, e.g. http://localhost:4317.");
            }

            services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("opsconsole", serviceVersion: typeof(OpsConsoleHost).Assembly.GetName().Version?.ToString()))
                .WithTracing(t => t
                    .AddAspNetCoreInstrumentation(o => o.Filter = c => !IsNoise(c.Request.Path))
                    .AddOtlpExporter(o => o.Endpoint = endpoint));
        }

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidator>();
        services.AddMudServices();
        services.AddAntiforgery(o => o.SuppressXFrameOptionsHeader = true); // we send DENY ourselves
        return builder;
    }

    /// <summary>Requests the console does not trace: its own OTLP intake (exporting to itself would loop), scrapes, circuits.</summary>
    private static bool IsNoise(PathString path) =>
        path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/v1")
        || path.StartsWithSegments("/opentelemetry.proto.collector") || path.StartsWithSegments("/health");

    /// <summary>Migrates the database and creates the accounts this environment needs, before serving anything.</summary>
    public static async Task PrepareOpsConsoleAsync(this WebApplication app)
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(startup.Token);
        await app.Services.GetRequiredService<HotWindowLoader>().LoadAsync(startup.Token);
        await app.Services.LoadAlertingAsync(startup.Token);
        await app.Services.GetRequiredService<RuleGroupCatalog>().LoadAsync(startup.Token);
        await app.Services.GetRequiredService<DashboardStore>().LoadAsync(startup.Token);
        if (app.Environment.IsDevelopment())
        {
            await app.Services.GetRequiredService<DevelopmentSeeder>().SeedAsync(startup.Token);
        }
        else
        {
            await app.Services.GetRequiredService<BootstrapAdmin>().EnsureAsync(startup.Token);
        }

        // After seeding: intake checks every tenant's quota from memory from the first request on.
        await app.Services.GetRequiredService<TenantQuotaCache>().LoadAsync(startup.Token);
        await app.Services.GetRequiredService<Usage.QuotaUsageBridge>().StartAsync(startup.Token);
    }

    public static WebApplication UseOpsConsole(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.Use((context, next) =>
        {
            context.RequestServices.GetRequiredService<SelfCounters>().HttpRequestStarted();
            return next(context);
        });
        // Pages: an empty 4xx/5xx is re-executed as /status/{code}. This must be registered on the app itself, not in a
        // UseWhen branch: only there does re-execution route the new path again (a branch's builder lacks the global
        // route builder, so /status/403 found no endpoint and users got an empty 404 and the browser's own error page).
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        // API: problem details instead. Runs inside the above, and the body it writes makes the outer one stand aside.
        app.UseWhen(c => ProblemResponses.IsApiRequest(c.Request), api => api.UseStatusCodePages());
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter(); // per API key / user (RateLimits); intake has per-tenant quotas instead
        app.UseAntiforgery();
        app.UseMiddleware<Usage.IntakeBytesMiddleware>(); // counts intake bodies for usage and the byte quota

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapMetrics("/metrics").AllowAnonymous();

        app.MapPost("/account/logout", async (HttpContext http, AuditTrail audit, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                    detail: "The sign-out form's antiforgery token is missing or invalid; reload the page and try again.");
            }

            if (http.User.Identity?.IsAuthenticated == true)
            {
                await audit.RecordAsync(http.User, "auth.sign-out", "user", http.User.GetActor(), http.User.GetTenantId(), remoteAddress: http.Connection.RemoteIpAddress?.ToString());
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(AuthenticationSetup.LoginPath);
        }).AllowAnonymous().DisableAntiforgery();

        app.MapAdminApi();
        app.MapAuditApi();
        app.MapTelemetryIntake();
        // OTLP: anonymous unless Ingest:RequireApiKey (the Production default), then ingest keys (and admins) only.
        var otlpPolicy = app.Services.GetRequiredService<IOptions<IngestLimits>>().Value.RequireApiKey ? Policies.Ingest : null;
        app.MapOtlpHttp(otlpPolicy);
        app.MapOtlpGrpc(otlpPolicy);
        app.MapServiceDiscovery();
        app.MapTelemetryQueries();
        app.MapLogQueries();
        app.MapDashboardOverview();
        app.MapPrometheusApi();
        app.MapPrometheusMetadataApi();
        app.MapRuleApi();
        app.MapAlertmanagerApi();
        app.MapAlertApi();
        app.MapAlertingConfigApi();
        app.MapDashboardApi();
        app.MapUsageApi();
        app.MapHub<LiveHub>(LiveHub.Path);
        app.MapStaticAssets().AllowAnonymous();
        // Our CSP already says frame-ancestors 'none'; a second CSP header from Blazor would only confuse.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
