using OpsConsole.Web.Hosting;

var contentRoot = ContentRoot.Locate();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = contentRoot,
    WebRootPath = Path.Combine(contentRoot, "wwwroot"),
});

// Serve static web assets (MudBlazor, the Blazor script, wwwroot) from the build output in every environment,
// not only Development; a published build carries them itself and this is then a no-op.
builder.WebHost.UseStaticWebAssets();
builder.AddOpsConsole();

var app = builder.Build();
await app.PrepareOpsConsoleAsync();
app.UseOpsConsole();
await app.RunAsync();

/// <summary>The entry point, public so that integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
