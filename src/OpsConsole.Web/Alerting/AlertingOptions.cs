using OpsConsole.Core.Alerting;
using OpsConsole.Core.Query.PromQl;

namespace OpsConsole.Web.Alerting;

/// <summary>
/// Configuration section <c>Alerting</c>: the resolve timeout of external alerts, the routing tree, receivers,
/// escalation policies, inhibition rules, notification channels and delivery retries. Durations are Prometheus
/// durations (<c>30s</c>, <c>5m</c>, <c>4h</c>); matchers are Alertmanager's text (<c>severity="critical"</c>).
/// </summary>
public sealed class AlertingOptions
{
    public const string SectionName = "Alerting";

    public string ResolveTimeout { get; set; } = "5m";

    /// <summary>The console's address as notifications link to it.</summary>
    public string ExternalUrl { get; set; } = "http://localhost:5080";

    /// <summary>How often due notifications and expired external alerts are looked at.</summary>
    public string DispatchInterval { get; set; } = "1s";

    public RouteOptions Route { get; set; } = new();

    public List<ReceiverOptions> Receivers { get; set; } = [];

    public List<EscalationOptions> Escalations { get; set; } = [];

    public List<InhibitRuleOptions> InhibitRules { get; set; } = [];

    public List<ChannelOptions> Channels { get; set; } = [];

    public DeliveryRetryOptions Delivery { get; set; } = new();

    /// <summary>The settings read into the domain's terms, or every problem found (each naming its key).</summary>
    public (AlertingSettings? Settings, List<string> Errors) Build()
    {
        var errors = new List<string>();
        var resolveTimeout = Duration(ResolveTimeout, "Alerting:ResolveTimeout", errors) ?? TimeSpan.FromMinutes(5);
        var dispatch = Duration(DispatchInterval, "Alerting:DispatchInterval", errors) ?? TimeSpan.FromSeconds(1);
        var channelNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Channels.Count; i++)
        {
            var c = Channels[i];
            var key = $"Alerting:Channels:{i}";
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                errors.Add($"{key}:Name is required");
            }
            else if (!channelNames.Add(c.Name))
            {
                errors.Add($"{key}:Name \"{c.Name}\" is used twice");
            }

            errors.AddRange(c.Validate(key));
        }

        var escalations = new List<EscalationPolicy>();
        var escalationNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Escalations.Count; i++)
        {
            var e = Escalations[i];
            var key = $"Alerting:Escalations:{i}";
            Named(e.Name, key, escalationNames, errors);
            var steps = new List<EscalationStep>();
            for (var j = 0; j < e.Steps.Count; j++)
            {
                var wait = Duration(e.Steps[j].Wait, $"{key}:Steps:{j}:Wait", errors) ?? TimeSpan.Zero;
                UnknownChannels(e.Steps[j].Channels, channelNames, $"{key}:Steps:{j}:Channels", errors);
                if (j > 0 && wait <= steps[^1].Wait)
                {
                    errors.Add($"{key}:Steps:{j}:Wait must be longer than the step before (waits count from the first notification)");
                }

                steps.Add(new EscalationStep(wait, e.Steps[j].Channels));
            }

            if (steps.Count == 0)
            {
                errors.Add($"{key}:Steps: at least one step is required");
            }

            escalations.Add(new EscalationPolicy(e.Name, steps, e.RepeatAfter is null ? null : Duration(e.RepeatAfter, $"{key}:RepeatAfter", errors)));
        }

        var receivers = new List<Receiver>();
        var receiverNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Receivers.Count; i++)
        {
            var r = Receivers[i];
            var key = $"Alerting:Receivers:{i}";
            Named(r.Name, key, receiverNames, errors);
            UnknownChannels(r.Channels, channelNames, key + ":Channels", errors);
            if (r.Escalation is not null && escalations.All(e => e.Name != r.Escalation))
            {
                errors.Add($"{key}:Escalation \"{r.Escalation}\" is not one of Alerting:Escalations");
            }

            receivers.Add(new Receiver(r.Name, r.Channels, r.Escalation));
        }

        var defaultReceiver = Route.Receiver ?? "default";
        if (receivers.All(r => r.Name != defaultReceiver))
        {
            receivers.Add(new Receiver(defaultReceiver, []));
        }

        var route = BuildRoute(Route, "Alerting:Route", receivers, errors);
        var inhibit = new List<InhibitRule>();
        for (var i = 0; i < InhibitRules.Count; i++)
        {
            var r = InhibitRules[i];
            var key = $"Alerting:InhibitRules:{i}";
            inhibit.Add(new InhibitRule(MatcherList(r.SourceMatchers, key + ":SourceMatchers", errors), MatcherList(r.TargetMatchers, key + ":TargetMatchers", errors), r.Equal));
        }

        var delivery = new DeliveryOptions
        {
            MaxAttempts = Delivery.MaxAttempts,
            Timeout = Duration(Delivery.Timeout, "Alerting:Delivery:Timeout", errors) ?? TimeSpan.FromSeconds(10),
            InitialBackoff = Duration(Delivery.InitialBackoff, "Alerting:Delivery:InitialBackoff", errors) ?? TimeSpan.FromSeconds(1),
            MaxBackoff = Duration(Delivery.MaxBackoff, "Alerting:Delivery:MaxBackoff", errors) ?? TimeSpan.FromSeconds(30),
        };
        if (Delivery.MaxAttempts is < 1 or > 20)
        {
            errors.Add("Alerting:Delivery:MaxAttempts must be 1 to 20");
        }

        if (!Uri.TryCreate(ExternalUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Alerting:ExternalUrl \"{ExternalUrl}\" is not an absolute URL");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var policy = new NotificationPolicy(ResolvedRoute.From(route, defaultReceiver), receivers, escalations, inhibit) { ExternalUrl = ExternalUrl.TrimEnd('/') };
        return (new AlertingSettings(policy, resolveTimeout, dispatch, delivery), errors);
    }

    private static Core.Alerting.Route BuildRoute(RouteOptions r, string key, List<Receiver> receivers, List<string> errors)
    {
        if (r.Receiver is not null && receivers.All(x => x.Name != r.Receiver))
        {
            errors.Add($"{key}:Receiver \"{r.Receiver}\" is not one of Alerting:Receivers");
        }

        return new Core.Alerting.Route
        {
            Receiver = r.Receiver,
            Matchers = MatcherList(r.Matchers, key + ":Matchers", errors),
            GroupBy = r.GroupBy,
            GroupWait = r.GroupWait is null ? null : Duration(r.GroupWait, key + ":GroupWait", errors),
            GroupInterval = r.GroupInterval is null ? null : Duration(r.GroupInterval, key + ":GroupInterval", errors),
            RepeatInterval = r.RepeatInterval is null ? null : Duration(r.RepeatInterval, key + ":RepeatInterval", errors),
            Continue = r.Continue,
            Routes = [.. r.Routes.Select((c, i) => BuildRoute(c, $"{key}:Routes:{i}", receivers, errors))],
        };
    }

    private static List<Domain.Telemetry.LabelMatcher> MatcherList(List<string> texts, string key, List<string> errors)
    {
        var matchers = new List<Domain.Telemetry.LabelMatcher>();
        foreach (var text in texts)
        {
            try
            {
                matchers.AddRange(Matchers.Parse(text));
            }
            catch (MatcherFormatException e)
            {
                errors.Add($"{key}: {e.Message}");
            }
        }

        return matchers;
    }

    private static void Named(string? name, string key, HashSet<string> seen, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{key}:Name is required");
        }
        else if (!seen.Add(name))
        {
            errors.Add($"{key}:Name \"{name}\" is used twice");
        }
    }

    private static void UnknownChannels(List<string> names, HashSet<string> known, string key, List<string> errors) =>
        errors.AddRange(names.Where(n => !known.Contains(n)).Select(n => $"{key}: \"{n}\" is not one of Alerting:Channels"));

    internal static TimeSpan? Duration(string? text, string key, List<string> errors)
    {
        if (text is not null && PromQlDuration.TryParseMs(text) is { } ms)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        errors.Add($"{key} \"{text}\" is not a duration such as 30s, 5m or 4h");
        return null;
    }
}

/// <summary>The settings in the domain's terms.</summary>
public sealed record AlertingSettings(NotificationPolicy Policy, TimeSpan ResolveTimeout, TimeSpan DispatchInterval, DeliveryOptions Delivery);

public sealed class RouteOptions
{
    public string? Receiver { get; set; }

    public List<string> Matchers { get; set; } = [];

    public List<string>? GroupBy { get; set; }

    public string? GroupWait { get; set; }

    public string? GroupInterval { get; set; }

    public string? RepeatInterval { get; set; }

    public bool Continue { get; set; }

    public List<RouteOptions> Routes { get; set; } = [];
}

public sealed class ReceiverOptions
{
    public string Name { get; set; } = "";

    public List<string> Channels { get; set; } = [];

    public string? Escalation { get; set; }
}

public sealed class EscalationOptions
{
    public string Name { get; set; } = "";

    public List<EscalationStepOptions> Steps { get; set; } = [];

    public string? RepeatAfter { get; set; }
}

public sealed class EscalationStepOptions
{
    public string Wait { get; set; } = "0s";

    public List<string> Channels { get; set; } = [];
}

public sealed class InhibitRuleOptions
{
    public List<string> SourceMatchers { get; set; } = [];

    public List<string> TargetMatchers { get; set; } = [];

    public List<string> Equal { get; set; } = [];
}

public sealed class DeliveryRetryOptions
{
    public int MaxAttempts { get; set; } = 3;

    public string Timeout { get; set; } = "10s";

    public string InitialBackoff { get; set; } = "1s";

    public string MaxBackoff { get; set; } = "30s";
}

/// <summary>A notification channel: <c>webhook</c> / <c>slack</c> (<see cref="Url"/>), <c>pagerduty</c> (<see cref="RoutingKey"/>, <see cref="Url"/> defaults to PagerDuty's Events API v2), <c>email</c> (SMTP settings, <see cref="To"/>).</summary>
public sealed class ChannelOptions
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public string? Url { get; set; }

    public string? RoutingKey { get; set; }

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 25;

    /// <summary><c>none</c>, <c>starttls</c> (when offered) or <c>tls</c>.</summary>
    public string SmtpSecurity { get; set; } = "starttls";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? From { get; set; }

    public List<string> To { get; set; } = [];

    internal IEnumerable<string> Validate(string key)
    {
        switch (Type)
        {
            case "webhook" or "slack":
                if (!Uri.TryCreate(Url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                {
                    yield return $"{key}:Url must be an absolute http(s) URL for a {Type} channel";
                }

                break;
            case "pagerduty":
                if (string.IsNullOrWhiteSpace(RoutingKey))
                {
                    yield return $"{key}:RoutingKey (the integration key) is required for a pagerduty channel";
                }

                if (Url is not null && !Uri.TryCreate(Url, UriKind.Absolute, out _))
                {
                    yield return $"{key}:Url must be an absolute URL";
                }

                break;
            case "email":
                if (string.IsNullOrWhiteSpace(SmtpHost))
                {
                    yield return $"{key}:SmtpHost is required for an email channel";
                }

                if (string.IsNullOrWhiteSpace(From) || To.Count == 0)
                {
                    yield return $"{key}: From and To are required for an email channel";
                }

                if (SmtpSecurity is not ("none" or "starttls" or "tls"))
                {
                    yield return $"{key}:SmtpSecurity must be none, starttls or tls";
                }

                break;
            default:
                yield return $"{key}:Type \"{Type}\" is not one of webhook, slack, email, pagerduty";
                break;
        }
    }
}
