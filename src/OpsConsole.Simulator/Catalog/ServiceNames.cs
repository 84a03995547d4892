namespace OpsConsole.Simulator.Catalog;

/// <summary>The services of the monitored SaaS (TELEMETRY.md), in the order their /metrics ports are given out.</summary>
public static class ServiceNames
{
    public const string ApiGateway = "api-gateway";
    public const string AgentApi = "agent-api";
    public const string RagService = "rag-service";
    public const string UploadPipeline = "upload-pipeline";
    public const string MlEngine = "ml-engine";
    public const string DataPipeline = "data-pipeline";

    public static readonly IReadOnlyList<string> All = [ApiGateway, AgentApi, RagService, UploadPipeline, MlEngine, DataPipeline];
}

/// <summary>Dependencies seen only as client spans.</summary>
internal static class Dependencies
{
    public const string Postgres = "postgres";
    public const string Redis = "redis";
    public const string VectorStore = "vector-store";
    public const string Llm = "llm";
    public const string Kafka = "kafka";
}
