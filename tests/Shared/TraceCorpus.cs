using System.Text.RegularExpressions;
using OpsConsole.Core.Storage.Traces;
using OpsConsole.Domain.Telemetry;
using Attribute = OpsConsole.Domain.Telemetry.Attribute;

namespace OpsConsole.Tests.Shared;

/// <summary>
/// A generated set of traces for trace-search tests (seeded, so the same every run), and a reference implementation of
/// the search written for the test — plain LINQ over the spans, its own glob matcher — to compute the known answers.
/// </summary>
public static class TraceCorpus
{
    public static readonly DateTimeOffset Base = new(2024, 3, 1, 10, 0, 0, TimeSpan.Zero);
    public const int TraceCount = 240;

    private static readonly (string Service, string[] Operations)[] Callees =
    [
        ("rag-service", ["rag.query", "rag.embed"]), ("agent-api", ["agent.turn"]), ("ml-engine", ["predict"]), ("llm", ["chat.completions"]),
    ];

    public static ulong Nanos(DateTimeOffset t) => (ulong)(t - DateTimeOffset.UnixEpoch).Ticks * 100UL;

    public static TraceId TraceIdOf(int i) => new(0x5eed, (ulong)i + 1);

    /// <summary>240 traces, one every 30 s from <see cref="Base"/>, for tenants acme and globex (every third).</summary>
    public static List<Span> Generate(string acme = "acme", string globex = "globex", int seed = 7)
    {
        var random = new Random(seed);
        var spans = new List<Span>();
        for (var i = 0; i < TraceCount; i++)
        {
            var tenant = i % 3 == 0 ? globex : acme;
            var trace = TraceIdOf(i);
            var start = Base + TimeSpan.FromSeconds(30 * i) + TimeSpan.FromMilliseconds(random.Next(1000));
            var total = TimeSpan.FromMilliseconds(Math.Round(Math.Exp(random.NextDouble() * 8), 3) + 1); // 1 ms .. 3 s
            var rootService = i % 11 == 0 ? "data-pipeline" : "api-gateway";
            var status = random.Next(10) switch { 0 => 500L, 1 => 404L, _ => 200L };
            var env = i % 4 == 0 ? "staging" : "prod";
            ulong nextId = 1;
            var root = Make(tenant, trace, nextId++, 0, rootService, i % 2 == 0 ? "POST /v1/chat" : "GET /v1/documents", start, total, status == 500, env,
                new("http.status_code", AttributeValue.Of(status)), new("http.route", AttributeValue.Of(i % 2 == 0 ? "/v1/chat" : "/v1/documents")));
            if (i % 17 != 5)
            {
                spans.Add(root); // every 17th trace lost its root: the earliest span stands in
            }

            var children = 1 + random.Next(6);
            for (var c = 0; c < children; c++)
            {
                var (service, operations) = Callees[random.Next(Callees.Length)];
                var offset = TimeSpan.FromTicks((long)(total.Ticks * random.NextDouble() * 0.5));
                var length = TimeSpan.FromTicks((long)((total.Ticks - offset.Ticks) * random.NextDouble()));
                var attributes = new List<Attribute>();
                if (random.Next(3) == 0)
                {
                    attributes.Add(new("order.id", AttributeValue.Of($"ord-{i:D4}")));
                }

                if (random.Next(4) == 0)
                {
                    attributes.Add(new("db.system", AttributeValue.Of("postgresql")));
                }

                attributes.Add(new("user.id", AttributeValue.Of("u" + (i % 13))));
                spans.Add(Make(tenant, trace, nextId++, 1, service, operations[random.Next(operations.Length)], start + offset, length, random.Next(10) == 0, env, [.. attributes]));
            }
        }

        return spans;
    }

    private static Span Make(string tenant, TraceId trace, ulong id, ulong parent, string service, string name, DateTimeOffset start, TimeSpan duration, bool error, string env, params Attribute[] attributes) => new()
    {
        TenantId = tenant,
        TraceId = trace,
        SpanId = new SpanId(id),
        ParentSpanId = new SpanId(parent),
        Name = name,
        Kind = parent == 0 ? SpanKind.Server : SpanKind.Client,
        StartTimeUnixNano = Nanos(start),
        EndTimeUnixNano = Nanos(start + duration),
        StatusCode = error ? SpanStatusCode.Error : SpanStatusCode.Unset,
        Attributes = attributes,
        Resource = new TelemetryResource([new("service.name", AttributeValue.Of(service)), new("deployment.environment", AttributeValue.Of(env))]),
    };

    /// <summary>Named searches covering every construct; <c>From</c>/<c>To</c> are left open unless the case is about the range.</summary>
    public static IEnumerable<(string Name, TraceQuery Query)> Cases(string acme = "acme", string globex = "globex")
    {
        yield return ("everything", new TraceQuery { Limit = 25 });
        yield return ("service", new TraceQuery { Service = "rag-service", Limit = 50 });
        yield return ("service+operation", new TraceQuery { Service = "rag-service", Operation = "rag.embed", Limit = 50 });
        yield return ("operation without service", new TraceQuery { Operation = "chat.completions", Limit = 50 });
        yield return ("root service", new TraceQuery { Service = "data-pipeline", Limit = 50 });
        yield return ("tag equal on an int", new TraceQuery { Tags = [TagFilter.Parse("http.status_code=500")], Limit = 100 });
        yield return ("tag wildcard", new TraceQuery { Tags = [TagFilter.Parse("order.id=ord-00*")], Limit = 100 });
        yield return ("tag wildcard inside", new TraceQuery { Tags = [TagFilter.Parse("http.route=*doc*")], Limit = 10 });
        yield return ("tag regex", new TraceQuery { Tags = [TagFilter.Parse("user.id=~u1[0-2]")], Limit = 100 });
        yield return ("tag regex is anchored", new TraceQuery { Tags = [TagFilter.Parse("user.id=~u1")], Limit = 100 });
        yield return ("tag exists", new TraceQuery { Tags = [TagFilter.Parse("db.system")], Limit = 100 });
        yield return ("resource tag", new TraceQuery { Tags = [TagFilter.Parse("deployment.environment=staging")], Limit = 100 });
        yield return ("errors only", new TraceQuery { ErrorsOnly = true, Limit = 100 });
        yield return ("one span satisfies all", new TraceQuery { Service = "rag-service", ErrorsOnly = true, Tags = [TagFilter.Parse("order.id")], Limit = 100 });
        yield return ("duration window by duration", new TraceQuery { MinDuration = TimeSpan.FromMilliseconds(250), MaxDuration = TimeSpan.FromSeconds(1.5), Sort = TraceSort.DurationDescending, Limit = 100 });
        yield return ("shortest first", new TraceQuery { Sort = TraceSort.DurationAscending, Limit = 7 });
        yield return ("oldest first", new TraceQuery { Sort = TraceSort.StartTimeAscending, Limit = 9 });
        yield return ("touches two services", new TraceQuery { Services = ["rag-service", "ml-engine"], Limit = 100 });
        yield return ("tenant", new TraceQuery { TenantId = globex, ErrorsOnly = true, Sort = TraceSort.StartTimeAscending, Limit = 100 });
        yield return ("other tenant, everything", new TraceQuery { TenantId = acme, Limit = 1000 });
        yield return ("range", new TraceQuery { From = Base + TimeSpan.FromMinutes(30), To = Base + TimeSpan.FromMinutes(60), Limit = 1000 });
        yield return ("range and tags", new TraceQuery
        {
            From = Base + TimeSpan.FromMinutes(10), To = Base + TimeSpan.FromMinutes(100), Tags = [TagFilter.Parse("db.system=postgres*"), TagFilter.Parse("user.id=~u[0-5]")], Limit = 1000,
        });
        yield return ("nothing", new TraceQuery { Operation = "no such operation" });
    }

    /// <summary>The expected page (trace ids in order) and total, computed from the spans directly. With
    /// <paramref name="matchingSpanStartsInRange"/>, a span can satisfy the span conditions only if it starts in the
    /// range (the database's documented rule).</summary>
    public static (List<TraceId> Ids, int Total) Expected(IReadOnlyList<Span> corpus, TraceQuery q, bool matchingSpanStartsInRange = false)
    {
        var from = q.From is { } f ? Nanos(f) : 0;
        var to = q.To is { } t ? Nanos(t) : ulong.MaxValue;
        var traces = corpus
            .GroupBy(s => (s.TenantId, s.TraceId))
            .Select(g => (Key: g.Key, Spans: g.ToList(), Start: g.Min(s => s.StartTimeUnixNano), End: g.Max(s => Math.Max(s.StartTimeUnixNano, s.EndTimeUnixNano))))
            .Where(x => q.TenantId is null || x.Key.TenantId == q.TenantId)
            .Where(x => x.Start >= from && x.Start < to)
            .Where(x => q.MinDuration is null || (long)(x.End - x.Start) / 100 >= q.MinDuration.Value.Ticks)
            .Where(x => q.MaxDuration is null || (long)(x.End - x.Start) / 100 <= q.MaxDuration.Value.Ticks)
            .Where(x => q.Services.All(svc => x.Spans.Any(s => s.ServiceName == svc)))
            .Where(x => !HasSpanConditions(q) || x.Spans.Any(s => (!matchingSpanStartsInRange || s.StartTimeUnixNano < to) && SpanOk(s, q)))
            .ToList();
        IEnumerable<(string, TraceId)> order = q.Sort switch
        {
            TraceSort.StartTimeAscending => traces.OrderBy(x => x.Start).ThenBy(x => x.Key.TraceId).Select(x => x.Key),
            TraceSort.DurationDescending => traces.OrderByDescending(x => (x.End - x.Start) / 100).ThenByDescending(x => x.Start).Select(x => x.Key),
            TraceSort.DurationAscending => traces.OrderBy(x => (x.End - x.Start) / 100).ThenByDescending(x => x.Start).Select(x => x.Key),
            _ => traces.OrderByDescending(x => x.Start).ThenByDescending(x => x.Key.TraceId).Select(x => x.Key),
        };
        return ([.. order.Take(q.Limit).Select(k => k.Item2)], traces.Count);
    }

    private static bool HasSpanConditions(TraceQuery q) => q.Service is not null || q.Operation is not null || q.ErrorsOnly || q.Tags.Count > 0;

    private static bool SpanOk(Span s, TraceQuery q) =>
        (!q.ErrorsOnly || s.StatusCode == SpanStatusCode.Error)
        && (q.Service is null || s.ServiceName == q.Service)
        && (q.Operation is null || s.Name == q.Operation)
        && q.Tags.All(tag => TagOk(s, tag));

    private static bool TagOk(Span s, TagFilter tag)
    {
        var value = s.Attributes.Where(a => a.Key == tag.Key).Select(a => a.Value).FirstOrDefault()
            ?? s.Resource.Attributes.Where(a => a.Key == tag.Key).Select(a => a.Value).FirstOrDefault();
        if (value is null)
        {
            return false;
        }

        var text = value.ToString();
        return tag.Operator switch
        {
            TagOperator.Exists => true,
            TagOperator.Equal => text == tag.Value,
            TagOperator.Wildcard => Glob(text, tag.Value!),
            _ => Regex.IsMatch(text, "^(?:" + tag.Value + ")$"),
        };
    }

    /// <summary>'*' matches any run of characters; by recursion over the pattern (test-sized inputs).</summary>
    private static bool Glob(string text, string pattern)
    {
        if (pattern.Length == 0)
        {
            return text.Length == 0;
        }

        if (pattern[0] == '*')
        {
            for (var i = 0; i <= text.Length; i++)
            {
                if (Glob(text[i..], pattern[1..]))
                {
                    return true;
                }
            }

            return false;
        }

        return text.Length > 0 && text[0] == pattern[0] && Glob(text[1..], pattern[1..]);
    }
}
