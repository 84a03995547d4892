namespace OpsConsole.Simulator.Metrics;

/// <summary>Histogram buckets sized to each distribution, so quantiles land inside buckets rather than at the ends.</summary>
internal static class Buckets
{
    public static readonly double[] Request = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 30];
    public static readonly double[] Llm = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30];
    public static readonly double[] Retrieval = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2];
    public static readonly double[] Score = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
    public static readonly double[] Upload = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64];
    public static readonly double[] Stage = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    public static readonly double[] Inference = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
    public static readonly double[] Embedding = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    public static readonly double[] VectorSearch = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
    public static readonly double[] EtlJob = [1, 5, 10, 30, 60, 120, 300, 600];
    public static readonly double[] Query = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
}
