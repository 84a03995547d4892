using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>ml-engine: recommendations from the user's cached embedding (or a fresh inference) and a FAISS search.</summary>
internal sealed class Recommendations(DemoSaas saas)
{
    private const string Route = "/v1/recommend";
    private const string Encoder = "two-tower-encoder";

    private static readonly (string Name, double Share)[] Algorithms = [("two_tower", 0.7), ("collaborative", 0.25), ("popularity", 0.05)];

    public Reply Recommend(SpanDraft caller, Tenant tenant, string user)
    {
        var chance = saas.Chance;
        var ml = saas.Services.MlEngine;
        var metrics = ml.Metrics;
        var algorithm = chance.Pick(Algorithms, a => a.Share).Name;
        var version = saas.Models.VersionFor(tenant.Id);
        var recommend = caller.Child(ml, "recommend", ActivityKind.Server)
            .Tag("http.request.method", "GET")
            .Tag("http.route", Route)
            .Tag("tenant.id", tenant.Id)
            .Tag("user.id", user)
            .Tag("recommendation.algorithm", algorithm)
            .Tag("model.version", version);
        recommend.Spend(chance.Latency(0.002, 0.4));

        var hit = saas.Caches.Lookup("redis");
        metrics.Cache.Looked("redis", hit);
        recommend.Call(Dependencies.Redis, "GET", chance.Latency(0.0008, 0.4))
            .Tag("db.system.name", "redis").Tag("db.operation.name", "GET").Tag("cache.hit", hit);
        if (!hit)
        {
            var quantization = tenant.Plan == "enterprise" ? "fp16" : "int8";
            var inference = chance.Latency(quantization == "fp16" ? 0.012 : 0.006, 0.4);
            recommend.Child(ml, "model.inference", ActivityKind.Internal).Tag("model.name", Encoder).Tag("model.quantization", quantization).Spend(inference).Finish();
            metrics.Model.Inferred(Encoder, quantization, inference);
        }

        var indexType = tenant.Plan == "enterprise" ? "HNSW" : "IVFFlat";
        var searchTime = chance.Latency(indexType == "HNSW" ? 0.0015 : 0.004, 0.5);
        var search = recommend.Call(Dependencies.VectorStore, "search", searchTime)
            .Tag("db.system.name", "faiss").Tag("vector.index_type", indexType).Tag("vector.top_k", 50);
        metrics.Model.Searched(indexType, searchTime);

        var rerank = chance.Latency(0.004, 0.4);
        recommend.Child(ml, "model.inference", ActivityKind.Internal).Tag("model.name", "reranker-minilm").Tag("model.quantization", "int8").Spend(rerank).Finish();
        metrics.Model.Inferred("reranker-minilm", "int8", rerank);

        var reply = Reply.Ok;
        if (saas.Conditions.Fails(ml.Name))
        {
            reply = new Reply(500, Failure.Internal(ml.Name, $"faiss index for {tenant.Id} is not loaded"));
            search.Fail(reply.Failure!);
        }

        recommend.Spend(chance.Latency(0.001, 0.4)).Finish();
        recommend.Tags.Add(new("http.response.status_code", reply.Status));
        if (reply.Failure is { } failure)
        {
            recommend.Fail(failure);
            recommend.Log(LogLevel.Error, $"Recommendation failed for {tenant.Id}: {failure.Message}",
                LogFields.Of("http_request", tenant.Id, user, recommend.Duration, reply.Outcome, ("http.route", Route)), failure);
        }
        else
        {
            metrics.Model.Recommended(tenant.Id, algorithm);
        }

        metrics.Http.Served("GET", Route, reply.Status, tenant.Id, recommend.Duration);
        ml.BusySeconds += recommend.Duration.TotalSeconds;
        return reply;
    }
}
