using OpsConsole.Ingest.Prometheus;

namespace OpsConsole.Scrape.Tests.Targets;

public sealed class ScrapeTargetRegistryTests
{
    private readonly ScrapeTargetRegistry _registry = new();

    private static ScrapeTargetDefinition Definition(
        string? job = "rag-service", string? url = "http://10.0.0.7:9101/metrics", string? interval = null, string? timeout = null,
        string? tenant = null, Dictionary<string, string>? labels = null) =>
        new() { Job = job, Url = url, Interval = interval, Timeout = timeout, Tenant = tenant, Labels = labels ?? [] };

    [Theory]
    [InlineData("http://10.0.0.7:9101/metrics", "10.0.0.7:9101")]
    [InlineData("http://rag-service/metrics", "rag-service:80")]
    [InlineData("https://RAG.example.com/metrics?format=prometheus", "rag.example.com:443")]
    [InlineData("http://[::1]:9090/metrics", "[::1]:9090")]
    public void Add_ValidTarget_InstanceIsHostAndPortLikePrometheus(string url, string instance)
    {
        // Act
        var result = _registry.Add(Definition(url: url));

        // Assert
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(instance, result.Target!.Instance);
        Assert.Equal("rag-service", result.Target.TargetLabels.Get("job"));
        Assert.Equal(instance, result.Target.TargetLabels.Get("instance"));
    }

    [Fact]
    public void Add_WithoutIntervalTimeoutOrTenant_UsesTheDefaults()
    {
        // Act
        var target = _registry.Add(Definition()).Target!;

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(15), target.Interval);
        Assert.Equal(TimeSpan.FromSeconds(10), target.Timeout);
        Assert.Equal("default", target.TenantId);
        Assert.Equal(ScrapeTargetSource.Registered, target.Source);
    }

    [Fact]
    public void Add_IntervalShorterThanTheDefaultTimeout_TimeoutIsTheInterval()
    {
        // Act
        var target = _registry.Add(Definition(interval: "5s")).Target!;

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(5), target.Timeout);
    }

    [Fact]
    public void Add_ExtraLabelsAndTenant_AreOnTheTarget()
    {
        // Act
        var target = _registry.Add(Definition(tenant: "acme", labels: new() { ["env"] = "prod", ["az"] = "b" })).Target!;

        // Assert
        Assert.Equal("acme", target.TenantId);
        Assert.Equal(["az", "env"], target.Labels.Keys);
        Assert.Equal("""{az="b", env="prod", instance="10.0.0.7:9101", job="rag-service"}""", target.TargetLabels.ToString());
    }

    public static TheoryData<ScrapeTargetDefinition, string, string> InvalidDefinitions => new()
    {
        { Definition(job: null), "job", "A job name is required, e.g. the service name." },
        { Definition(job: "a\u0001b"), "job", "The job name must be at most 128 printable characters." },
        { Definition(url: null), "url", "A URL is required, e.g. http://host:9100/metrics." },
        { Definition(url: "not a url"), "url", "'not a url' is not an absolute URL like http://host:9100/metrics." },
        { Definition(url: "/metrics"), "url", "'/metrics' is not an absolute URL like http://host:9100/metrics." },
        { Definition(url: "ftp://host/metrics"), "url", "Only http and https targets can be scraped; 'ftp' cannot." },
        { Definition(url: "http://user:secret@host/metrics"), "url", "Credentials in the URL are not supported." },
        { Definition(interval: "500ms"), "interval", "The interval must be from 1s to 1h; 500ms is not." },
        { Definition(interval: "2h"), "interval", "The interval must be from 1s to 1h; 2h is not." },
        { Definition(interval: "often"), "interval", "'often' is not a duration; write it like 15s, 1m or 1m30s." },
        { Definition(interval: "10s", timeout: "20s"), "timeout", "The timeout (20s) must not be longer than the interval (10s)." },
        { Definition(timeout: "0s"), "timeout", "The timeout must be longer than zero." },
        { Definition(tenant: "Acme Corp"), "tenant", "'Acme Corp' is not a valid tenant id: use 1-63 lower-case letters, digits and inner hyphens." },
        { Definition(labels: new() { ["1st"] = "x" }), "labels", "'1st' is not a valid label name: use letters, digits and underscores, not starting with a digit." },
        { Definition(labels: new() { ["__meta"] = "x" }), "labels", "Label names starting with __ are reserved ('__meta')." },
        { Definition(labels: new() { ["job"] = "x" }), "labels", "The 'job' label is set by the scraper; it cannot be given as an extra label." },
        { Definition(labels: new() { ["env"] = "" }), "labels", "Label 'env' needs a value." },
    };

    [Theory]
    [MemberData(nameof(InvalidDefinitions))]
    public void Add_InvalidTarget_IsRefusedWithAClearErrorOnTheField(ScrapeTargetDefinition definition, string field, string message)
    {
        // Act
        var result = _registry.Add(definition);

        // Assert
        Assert.False(result.Succeeded);
        Assert.False(result.IsConflict);
        Assert.Equal([message], result.Errors[field]);
        Assert.Empty(_registry.List());
    }

    [Fact]
    public void Add_SeveralProblems_ReportsEachField()
    {
        // Act
        var result = _registry.Add(Definition(job: "", url: "gopher://x", interval: "0s"));

        // Assert
        Assert.Equal(["interval", "job", "url"], result.Errors.Keys.Order());
    }

    [Fact]
    public void Add_SameJobAndInstanceTwice_IsAConflict()
    {
        // Arrange
        _registry.Add(Definition(url: "http://10.0.0.7:9101/metrics"));

        // Act
        var result = _registry.Add(Definition(url: "http://10.0.0.7:9101/other-metrics"));

        // Assert
        Assert.True(result.IsConflict);
        Assert.Equal(
            ["A target with job 'rag-service' and instance '10.0.0.7:9101' is already registered; use another job name or remove it first."],
            result.Errors["url"]);
        Assert.Single(_registry.List());
    }

    [Fact]
    public void Add_SameInstanceUnderAnotherJob_IsAllowed()
    {
        // Arrange
        _registry.Add(Definition(job: "a"));

        // Act
        var result = _registry.Add(Definition(job: "b"));

        // Assert
        Assert.True(result.Succeeded);
        Assert.Equal(["a", "b"], _registry.List().Select(t => t.Job));
    }

    [Fact]
    public void AddAndRemove_NotifySubscribersInOrder_UntilTheyUnsubscribe()
    {
        // Arrange
        var changes = new List<ScrapeTargetChange>();
        var subscription = _registry.Subscribe(changes.Add);

        // Act
        var target = _registry.Add(Definition()).Target!;
        _registry.Add(Definition(url: "bad"));
        var removal = _registry.Remove(target.Key);
        subscription.Dispose();
        _registry.Add(Definition());

        // Assert
        Assert.Equal(ScrapeTargetRemoval.Removed, removal);
        Assert.Equal(
            [new ScrapeTargetChange(ScrapeTargetChangeKind.Added, target), new ScrapeTargetChange(ScrapeTargetChangeKind.Removed, target)],
            changes);
    }

    [Fact]
    public void Remove_UnknownTarget_IsNotFound()
    {
        // Act
        var removal = _registry.Remove("nope", "host:80");

        // Assert
        Assert.Equal(ScrapeTargetRemoval.NotFound, removal);
    }

    [Fact]
    public void Constructor_StaticTargets_AreListedAndCannotBeRemovedThroughTheRegistry()
    {
        // Arrange
        var options = new ScrapeOptions
        {
            DefaultInterval = "30s",
            Targets = [Definition(job: "api-gateway", url: "http://gw:9100/metrics"), Definition(job: "ml-engine", url: "http://ml:9100/metrics", interval: "1m")],
        };

        // Act
        var registry = new ScrapeTargetRegistry(options);
        var removal = registry.Remove("api-gateway", "gw:9100");

        // Assert
        Assert.Equal(ScrapeTargetRemoval.Static, removal);
        Assert.Equal(["api-gateway", "ml-engine"], registry.List().Select(t => t.Job));
        Assert.All(registry.List(), t => Assert.Equal(ScrapeTargetSource.Static, t.Source));
        Assert.Equal(TimeSpan.FromSeconds(30), registry.Find("api-gateway", "gw:9100")!.Interval);
        Assert.Equal(TimeSpan.FromMinutes(1), registry.Find("ml-engine", "ml:9100")!.Interval);
    }

    [Fact]
    public void Constructor_InvalidStaticTargets_ThrowsWithEveryProblemAndWhereItIs()
    {
        // Arrange
        var options = new ScrapeOptions
        {
            Targets = [Definition(url: "ftp://x/metrics"), Definition(job: "a", url: "http://h:1/m"), Definition(job: "a", url: "http://h:1/n", interval: "2h")],
        };

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => new ScrapeTargetRegistry(options));

        // Assert
        Assert.Contains("Scrape:Targets:0 (job 'rag-service'): url: Only http and https targets can be scraped; 'ftp' cannot.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Scrape:Targets:2 (job 'a'): interval: The interval must be from 1s to 1h; 2h is not.", error.Message, StringComparison.Ordinal);
        Assert.Equal(options.Validate(), error.Message.Split(Environment.NewLine).Skip(1));
    }

    [Fact]
    public void Validate_DuplicateStaticTargetsAndBadDefaults_AreListed()
    {
        // Arrange
        var duplicates = new ScrapeOptions { Targets = [Definition(), Definition(url: "http://10.0.0.7:9101/other")] };
        var badDefaults = new ScrapeOptions { DefaultInterval = "forever" };

        // Act
        var duplicateProblems = duplicates.Validate();
        var defaultProblems = badDefaults.Validate();

        // Assert
        Assert.Equal(["Scrape:Targets:1 (job 'rag-service'): job 'rag-service' and instance '10.0.0.7:9101' are listed twice."], duplicateProblems);
        Assert.Equal(["Scrape:DefaultInterval 'forever' must be a duration from 1s to 1h, like 15s."], defaultProblems);
        Assert.Empty(new ScrapeOptions().Validate());
    }

    [Fact]
    public void Register_ServiceDiscoveryRequest_TakesTheCallersTenant()
    {
        // Arrange
        var request = new ServiceDiscoveryRequest { Job = "agent-api", Url = "http://agent:9102/metrics", Interval = "30s", Timeout = "3s", Labels = new() { ["env"] = "prod" } };

        // Act
        var result = _registry.Register(request, "globex");

        // Assert
        Assert.True(result.Succeeded, result.ToString());
        var target = result.Target!;
        Assert.Equal(("agent-api", "agent:9102", "globex"), (target.Job, target.Instance, target.TenantId));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3)), (target.Interval, target.Timeout));
        Assert.Equal("prod", target.Labels["env"]);
    }

    [Fact]
    public void ServiceDiscoveryRequest_Validate_ReportsFieldErrorsByJsonName()
    {
        // Arrange
        var request = new ServiceDiscoveryRequest { Url = "file:///etc/passwd", Timeout = "soon" };

        // Act
        var errors = request.Validate();

        // Assert
        Assert.Equal(["job", "timeout", "url"], errors.Keys.Order());
    }

    [Fact]
    public void ServiceDiscoveryRequest_DeserializedFromJson_RegistersTheTarget()
    {
        // Arrange
        const string body = """{ "job": "rag-service", "url": "http://10.0.0.7:9101/metrics", "interval": "15s", "timeout": "5s", "labels": { "env": "prod" } }""";

        // Act
        var request = System.Text.Json.JsonSerializer.Deserialize<ServiceDiscoveryRequest>(body)!;
        var result = _registry.Register(request, "default");

        // Assert
        Assert.Empty(request.Validate());
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(TimeSpan.FromSeconds(5), result.Target!.Timeout);
    }

    [Fact]
    public void ServiceDiscoveryTarget_From_ShowsTheTargetAndItsLatestScrape()
    {
        // Arrange
        var target = _registry.Add(Definition(interval: "1m30s", timeout: "2s")).Target!;
        var status = new ScrapeTargetStatus(target)
        {
            Health = ScrapeHealth.Down,
            LastError = "server returned HTTP status 500 Internal Server Error",
            LastDuration = TimeSpan.FromMilliseconds(250),
            ParseErrors = [new ExpositionError(3, "missing value for m")],
            ParseErrorCount = 1,
        };

        // Act
        var view = ServiceDiscoveryTarget.From(target, status);

        // Assert
        Assert.Equal(("1m30s", "2s", "down", "registered"), (view.Interval, view.Timeout, view.Health, view.Source));
        Assert.Equal("server returned HTTP status 500 Internal Server Error", view.LastError);
        Assert.Equal(0.25, view.LastScrapeDurationSeconds);
        Assert.Equal(["line 3: missing value for m"], view.ParseErrors);
        Assert.Equal("unknown", ServiceDiscoveryTarget.From(target, null).Health);
    }
}
