namespace OpsConsole.Simulator.Catalog;

/// <summary>A customer of the SaaS: its share of the traffic, its plan, its users and what a request earns.</summary>
internal sealed record Tenant(string Id, string Plan, double TrafficShare, int Users, double DollarsPerRequest)
{
    public bool IsOnFreePlan => Plan == "free";

    /// <summary>One large, two medium, two small; hooli is on the free plan with a quota it sometimes hits.</summary>
    public static readonly IReadOnlyList<Tenant> All =
    [
        new("acme", "enterprise", 0.46, 2400, 0.020),
        new("globex", "business", 0.20, 900, 0.015),
        new("initech", "business", 0.17, 700, 0.015),
        new("umbrella", "standard", 0.10, 260, 0.010),
        new("hooli", "free", 0.07, 140, 0),
    ];

    public static Tenant Find(string id) => All.First(t => t.Id == id);

    public string UserId(int index) => $"{Id}-user-{index:D4}";
}
