using System.Diagnostics;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Ingest.Tests.Support;

namespace OpsConsole.Ingest.Tests;

/// <summary>
/// The receivers mapped with an authorization policy, as the console maps them when keys are required: a sender
/// without a key is turned away, and a key's tenant wins over a <c>tenant.id</c> in the payload.
/// </summary>
public sealed class IngestAuthorizationTests : IAsyncLifetime
{
    private const string Policy = "Ingest";
    private OtlpTestHost _host = null!;

    public async Task InitializeAsync() => _host = await OtlpTestHost.StartAsync(
        new() { ["Ingest:RequireApiKey"] = "true" },
        Policy,
        builder =>
        {
            builder.Services.AddAuthentication(TestKeyHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestKeyHandler>(TestKeyHandler.SchemeName, null);
            builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAuthenticatedUser());
        },
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Export_WithKey_TenantFromKeyNotFromPayload(OtlpExportProtocol protocol)
    {
        var traceId = ExportOneSpan(protocol, "X-Api-Key=acme-key");

        await Eventually.TrueAsync(() => _host.Sink.Spans.Any(s => s.TraceId.ToString() == traceId), "the span reached the sink");
        Assert.Equal("acme", _host.Sink.Spans.Single(s => s.TraceId.ToString() == traceId).TenantId);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public void Export_WithoutKey_TurnedAway(OtlpExportProtocol protocol)
    {
        ExportOneSpan(protocol, null);

        Assert.Equal(0, _host.Sink.Calls);
    }

    private string ExportOneSpan(OtlpExportProtocol protocol, string? headers)
    {
        using var source = new ActivitySource("OpsConsole.Tests.Auth." + protocol + (headers is null ? ".anonymous" : ".keyed"));
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("billing").AddAttributes([new("tenant.id", "globex")]))
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? _host.GrpcEndpoint : _host.HttpEndpoint("/v1/traces");
                o.Headers = headers;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build();
        string traceId;
        using (var activity = source.StartActivity("invoice")!)
        {
            traceId = activity.TraceId.ToHexString();
        }

        Assert.True(provider.ForceFlush(10_000));
        return traceId;
    }

    /// <summary>Stands in for the console's API-key scheme: <c>X-Api-Key: acme-key</c> is an ingest key of tenant acme.</summary>
    private sealed class TestKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestKey";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Api-Key"] != "acme-key")
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim("oc:tenant", "acme")], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
