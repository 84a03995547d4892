namespace OpsConsole.Ingest.Prometheus;

public enum ScrapeTargetChangeKind
{
    Added,
    Removed,
}

/// <summary>A target was added to or removed from the registry.</summary>
public readonly record struct ScrapeTargetChange(ScrapeTargetChangeKind Kind, ScrapeTarget Target);

public enum ScrapeTargetRemoval
{
    Removed,
    NotFound,

    /// <summary>The target comes from configuration; remove it there.</summary>
    Static,
}

/// <summary>
/// The service registry of scrape targets ("service discovery"): the static targets of the <c>Scrape</c> section plus
/// targets registered while running. One target per <c>job</c> + <c>instance</c>. Observers learn of every addition and
/// removal; the scrape loop follows them.
/// </summary>
public sealed class ScrapeTargetRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ScrapeTargetKey, ScrapeTarget> _targets = [];
    private readonly List<Action<ScrapeTargetChange>> _observers = [];
    private readonly ScrapeDefaults _defaults;

    /// <summary>An empty registry with Prometheus's defaults (interval 15s, timeout 10s).</summary>
    public ScrapeTargetRegistry()
        : this(new ScrapeOptions())
    {
    }

    /// <summary>A registry holding the static targets of <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">The options or a static target are invalid; the message lists every problem.</exception>
    public ScrapeTargetRegistry(ScrapeOptions options)
        : this(options, throwOnInvalid: true)
    {
    }

    internal ScrapeTargetRegistry(ScrapeOptions options, bool throwOnInvalid)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var problems = new List<string>();
        if (!options.TryGetDefaults(out _defaults, out var defaultsError))
        {
            problems.Add(defaultsError);
            _defaults = ScrapeDefaults.Standard;
        }

        for (var i = 0; i < options.Targets.Count; i++)
        {
            var definition = options.Targets[i];
            var where = $"{ScrapeOptions.SectionName}:Targets:{i}" + (string.IsNullOrWhiteSpace(definition?.Job) ? "" : $" (job '{definition.Job}')");
            if (definition is null)
            {
                problems.Add($"{where}: empty target.");
                continue;
            }

            var result = ScrapeTarget.Create(definition, ScrapeTargetSource.Static, _defaults);
            if (result.Target is null)
            {
                problems.AddRange(result.Errors.SelectMany(e => e.Value.Select(m => $"{where}: {e.Key}: {m}")));
            }
            else if (!_targets.TryAdd(result.Target.Key, result.Target))
            {
                problems.Add($"{where}: job '{result.Target.Job}' and instance '{result.Target.Instance}' are listed twice.");
            }
        }

        StaticTargetProblems = problems;
        if (throwOnInvalid && problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid scrape configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
    }

    public ScrapeOptions Options { get; }

    internal IReadOnlyList<string> StaticTargetProblems { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _targets.Count;
            }
        }
    }

    /// <summary>All targets, ordered by job and instance.</summary>
    public IReadOnlyList<ScrapeTarget> List()
    {
        lock (_gate)
        {
            return [.. _targets.Values.OrderBy(t => t.Job, StringComparer.Ordinal).ThenBy(t => t.Instance, StringComparer.Ordinal)];
        }
    }

    public ScrapeTarget? Find(ScrapeTargetKey key)
    {
        lock (_gate)
        {
            return _targets.GetValueOrDefault(key);
        }
    }

    public ScrapeTarget? Find(string job, string instance) => Find(new ScrapeTargetKey(job, instance));

    /// <summary>Validates and adds a target at run time (the admin screen; its tenant is the definition's).</summary>
    public ScrapeTargetRegistration Add(ScrapeTargetDefinition definition)
    {
        var result = ScrapeTarget.Create(definition, ScrapeTargetSource.Registered, _defaults);
        return result.Target is null ? result : Add(result.Target);
    }

    /// <summary>
    /// Validates and adds a target from the service-discovery API. The tenant is the caller's (from its API key, or
    /// <c>default</c>), never from the body.
    /// </summary>
    public ScrapeTargetRegistration Register(ServiceDiscoveryRequest request, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Add(request.ToDefinition(tenantId));
    }

    private ScrapeTargetRegistration Add(ScrapeTarget target)
    {
        lock (_gate)
        {
            if (!_targets.TryAdd(target.Key, target))
            {
                return ScrapeTargetRegistration.Conflict(target.Key);
            }

            Notify(new ScrapeTargetChange(ScrapeTargetChangeKind.Added, target));
        }

        return ScrapeTargetRegistration.Added(target);
    }

    /// <summary>Removes a registered target; its series get stale markers from the scrape loop.</summary>
    public ScrapeTargetRemoval Remove(ScrapeTargetKey key)
    {
        lock (_gate)
        {
            if (!_targets.TryGetValue(key, out var target))
            {
                return ScrapeTargetRemoval.NotFound;
            }

            if (target.Source == ScrapeTargetSource.Static)
            {
                return ScrapeTargetRemoval.Static;
            }

            _targets.Remove(key);
            Notify(new ScrapeTargetChange(ScrapeTargetChangeKind.Removed, target));
            return ScrapeTargetRemoval.Removed;
        }
    }

    public ScrapeTargetRemoval Remove(string job, string instance) => Remove(new ScrapeTargetKey(job, instance));

    /// <summary>
    /// Calls <paramref name="onChange"/> for every later addition and removal, in order, synchronously while the registry
    /// is locked: keep it short (hand the change on). Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Action<ScrapeTargetChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_gate)
        {
            _observers.Add(onChange);
        }

        return new Subscription(this, onChange);
    }

    private void Notify(ScrapeTargetChange change)
    {
        foreach (var observer in _observers.ToArray())
        {
            observer(change);
        }
    }

    private sealed class Subscription(ScrapeTargetRegistry registry, Action<ScrapeTargetChange> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (registry._gate)
            {
                registry._observers.Remove(onChange);
            }
        }
    }
}
