using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>rag-service: answer cache, retrieval (embedding cache, vector search, chunk metadata) and generation.</summary>
internal sealed class RagQueries(DemoSaas saas)
{
    private const string Route = "/v1/rag/query";

    private static readonly (string Type, double Share)[] QueryTypes = [("semantic", 0.50), ("hybrid", 0.35), ("keyword", 0.15)];

    public RagAnswer Query(SpanDraft caller, Tenant tenant, string user)
    {
        var chance = saas.Chance;
        var rag = saas.Services.Rag;
        var metrics = rag.Metrics;
        var queryType = chance.Pick(QueryTypes, q => q.Share).Type;
        var query = caller.Child(rag, "rag.query", ActivityKind.Server)
            .Tag("http.request.method", "POST")
            .Tag("http.route", Route)
            .Tag("tenant.id", tenant.Id)
            .Tag("user.id", user)
            .Tag("rag.query_type", queryType);
        query.Spend(chance.Latency(0.004, 0.4));

        // Frequently asked questions are answered from the query cache.
        var cached = false;
        if (queryType == "keyword" || chance.Happens(0.2))
        {
            cached = saas.Caches.Lookup("query");
            metrics.Cache.Looked("query", cached);
            Redis(query, "GET", cached);
        }

        var retrieval = TimeSpan.Zero;
        var generation = TimeSpan.Zero;
        var reply = Reply.Ok;
        var chunks = 0;
        if (!cached)
        {
            (reply, retrieval, chunks) = Retrieve(query, tenant, queryType);
            if (reply.Succeeded)
            {
                (reply, generation) = Generate(query, tenant);
            }
        }

        if (reply.Succeeded && saas.Conditions.Fails(rag.Name))
        {
            reply = new Reply(500, Failure.PoolExhausted(rag.Name));
        }

        query.Spend(chance.Latency(0.003, 0.4)).Finish();
        query.Tags.Add(new("http.response.status_code", reply.Status));
        if (reply.Failure is { } failure)
        {
            query.Fail(failure);
        }

        var quality = saas.Quality.Judge(tenant.Id);
        var level = reply.IsServerError ? LogLevel.Error : LogLevel.Information;
        query.Log(level, reply.Succeeded
                ? $"RAG query answered: {queryType}, {chunks} chunks{(cached ? " (cached)" : "")}, quality {quality:0.00}"
                : $"RAG query failed: {reply.Failure?.Message}",
            LogFields.Of("rag_query", tenant.Id, user, query.Duration, reply.Outcome, ("rag.query_type", queryType), ("rag.chunks", chunks), ("rag.cached", cached)),
            reply.IsServerError ? reply.Failure : null);

        metrics.Http.Served("POST", Route, reply.Status, tenant.Id, query.Duration);
        metrics.Rag.Query(tenant.Id, queryType, reply.Succeeded, query.Duration);
        if (reply.Succeeded)
        {
            metrics.Rag.Answered(quality);
        }

        rag.BusySeconds += query.Duration.TotalSeconds;
        return new RagAnswer(reply, retrieval, generation);
    }

    private (Reply Reply, TimeSpan Duration, int Chunks) Retrieve(SpanDraft query, Tenant tenant, string queryType)
    {
        var chance = saas.Chance;
        var metrics = saas.Services.Rag.Metrics;
        var retrieve = query.Child(query.Service, "rag.retrieve", ActivityKind.Internal).Tag("tenant.id", tenant.Id).Tag("rag.query_type", queryType);
        var embeddingCached = saas.Caches.Lookup("embedding");
        metrics.Cache.Looked("embedding", embeddingCached);
        Redis(retrieve, "GET", embeddingCached);
        if (!embeddingCached)
        {
            retrieve.Child(query.Service, "embed.query", ActivityKind.Internal).Tag("embedding.model", "bge-base-en").Spend(chance.Latency(0.018, 0.35)).Finish();
        }

        var chunks = chance.Int(4, 11);
        var search = retrieve.Call(Dependencies.VectorStore, "search", chance.Latency(0.035, 0.5))
            .Tag("db.system.name", "qdrant")
            .Tag("db.collection.name", $"chunks_{tenant.Id}")
            .Tag("vector.top_k", chunks);
        var reply = Reply.Ok;
        if (chance.Happens(0.0005))
        {
            search.Fail(Failure.VectorStoreTimeout());
            reply = new Reply(504, Failure.VectorStoreTimeout());
        }
        else
        {
            var select = chance.Latency(0.004, 0.5);
            retrieve.Call(Dependencies.Postgres, "SELECT", select).Tag("db.system.name", "postgresql").Tag("db.operation.name", "SELECT").Tag("db.collection.name", "chunks");
            metrics.Database.Queried("select", select);
        }

        retrieve.Finish();
        if (reply.Failure is { } failure)
        {
            retrieve.Fail(failure);
        }

        var similarity = Math.Clamp(chance.Normal() * 0.08 + (queryType == "keyword" ? 0.68 : 0.78), 0.05, 0.99);
        metrics.Rag.Retrieved(tenant.Id, queryType, reply.Succeeded ? chunks : 0, similarity, retrieve.Duration);
        return (reply, retrieve.Duration, reply.Succeeded ? chunks : 0);
    }

    private (Reply Reply, TimeSpan Duration) Generate(SpanDraft query, Tenant tenant)
    {
        var generate = query.Child(query.Service, "rag.generate", ActivityKind.Internal).Tag("tenant.id", tenant.Id);
        generate.Spend(saas.Chance.Latency(0.002, 0.3));
        var call = saas.Llm.Complete(generate, tenant, planning: false);
        generate.Tag("llm.tokens.input", call.InputTokens).Tag("llm.tokens.output", call.OutputTokens).Finish();
        saas.Services.Rag.Metrics.Llm.Called(call, tenant.Id);
        if (call.Succeeded)
        {
            return (Reply.Ok, generate.Duration);
        }

        var failure = call.Duration >= TimeSpan.FromSeconds(10) ? Failure.LlmTimeout(call.Provider, call.Duration) : Failure.LlmServerError(call.Provider);
        generate.Fail(failure);
        return (new Reply(call.Duration >= TimeSpan.FromSeconds(10) ? 504 : 502, failure), generate.Duration);
    }

    private void Redis(SpanDraft parent, string command, bool hit) =>
        parent.Call(Dependencies.Redis, command, saas.Chance.Latency(0.0008, 0.4))
            .Tag("db.system.name", "redis")
            .Tag("db.operation.name", command)
            .Tag("cache.hit", hit);
}

/// <summary>What rag-service answered, and how long retrieval and generation took.</summary>
internal readonly record struct RagAnswer(Reply Reply, TimeSpan Retrieval, TimeSpan Generation);
