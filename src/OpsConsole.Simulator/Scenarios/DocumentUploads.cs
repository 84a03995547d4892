using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpsConsole.Simulator.Catalog;
using OpsConsole.Simulator.Simulation;
using OpsConsole.Simulator.Tracing;

namespace OpsConsole.Simulator.Scenarios;

/// <summary>upload-pipeline: a document is parsed, chunked, embedded by ml-engine, indexed and recorded.</summary>
internal sealed class DocumentUploads(DemoSaas saas)
{
    private const string Route = "/v1/documents";

    private static readonly FileKind[] FileKinds =
    [
        new("pdf", 0.45, 0.8, 120_000, 4_000_000),
        new("docx", 0.25, 0.35, 30_000, 1_500_000),
        new("txt", 0.12, 0.03, 2_000, 200_000),
        new("html", 0.10, 0.12, 10_000, 600_000),
        new("md", 0.08, 0.03, 1_000, 120_000),
    ];

    public Reply Upload(SpanDraft caller, Tenant tenant, string user)
    {
        var chance = saas.Chance;
        var upload = saas.Services.Upload;
        var metrics = upload.Metrics;
        var kind = chance.Pick(FileKinds, f => f.Share);
        var size = (long)chance.Uniform(kind.MinBytes, kind.MaxBytes);
        var backlog = saas.Conditions.UploadBacklog(saas.Now);
        var document = caller.Child(upload, "document.upload", ActivityKind.Server)
            .Tag("http.request.method", "POST")
            .Tag("http.route", Route)
            .Tag("tenant.id", tenant.Id)
            .Tag("user.id", user)
            .Tag("document.file_type", kind.Type)
            .Tag("document.size_bytes", size);
        document.Spend(chance.Latency(0.02, 0.4));

        var reply = Reply.Ok;
        var parse = Stage(document, "parse", chance.Latency(kind.ParseSeconds * Math.Sqrt(size / (double)kind.MaxBytes) + 0.01, 0.45));
        if (chance.Happens(0.012))
        {
            var failure = Failure.ParseError(kind.Type);
            parse.Fail(failure);
            metrics.Upload.Error("parse_error", "parse");
            reply = new Reply(422, failure);
        }

        var chunks = Math.Max(1, (int)(size / 2_500));
        if (reply.Succeeded)
        {
            Stage(document, "chunk", chance.Latency(0.004 + (chunks * 0.0002), 0.3)).Tag("document.chunks", chunks);
            reply = Embed(document, tenant, chunks, backlog);
        }

        if (reply.Succeeded)
        {
            var upsert = chance.Latency(0.02 + (chunks * 0.0004), 0.4);
            document.Call(Dependencies.VectorStore, "upsert", upsert).Tag("db.system.name", "qdrant").Tag("db.collection.name", $"chunks_{tenant.Id}").Tag("vector.count", chunks);
            metrics.Upload.Stage("index", upsert);
            var insert = chance.Latency(0.006, 0.5);
            var row = document.Call(Dependencies.Postgres, "INSERT", insert).Tag("db.system.name", "postgresql").Tag("db.operation.name", "INSERT").Tag("db.collection.name", "documents");
            metrics.Database.Queried("insert", insert);
            if (saas.Conditions.Fails(upload.Name))
            {
                var failure = Failure.PoolExhausted(upload.Name);
                row.Fail(failure);
                metrics.Upload.Error("db_error", "index");
                reply = new Reply(500, failure);
            }
        }

        document.Spend(chance.Latency(0.004, 0.4)).Finish();
        var status = reply.Succeeded ? 201 : reply.Status;
        document.Tags.Add(new("http.response.status_code", status));
        if (reply.Failure is { } failed)
        {
            document.Fail(failed);
        }

        var level = reply.IsServerError ? LogLevel.Error : reply.Succeeded ? LogLevel.Information : LogLevel.Warning;
        document.Log(level, reply.Succeeded
                ? $"Processed {kind.Type} document ({size / 1024} KiB, {chunks} chunks) in {document.Duration.TotalSeconds:0.00}s"
                : $"Document processing failed: {reply.Failure?.Message}",
            LogFields.Of("document_processing", tenant.Id, user, document.Duration, reply.Succeeded ? "success" : "failed",
                ("document.file_type", kind.Type), ("document.size_bytes", size), ("document.chunks", chunks)),
            reply.Succeeded ? null : reply.Failure);

        metrics.Http.Served("POST", Route, status, tenant.Id, document.Duration);
        metrics.Upload.Request("POST", Route, status, document.Duration);
        metrics.Upload.Document(tenant.Id, kind.Type, reply.Succeeded);
        upload.BusySeconds += document.Duration.TotalSeconds;
        return new Reply(status, reply.Failure);
    }

    private SpanDraft Stage(SpanDraft document, string stage, TimeSpan duration)
    {
        var span = document.Child(document.Service, $"document.{stage}", ActivityKind.Internal).Spend(duration).Finish();
        saas.Services.Upload.Metrics.Upload.Stage(stage, duration);
        return span;
    }

    /// <summary>ml-engine embeds the chunks; it is slow while the upload queue backs up.</summary>
    private Reply Embed(SpanDraft document, Tenant tenant, int chunks, double backlog)
    {
        var chance = saas.Chance;
        var ml = saas.Services.MlEngine;
        if (!ml.IsUp)
        {
            saas.Services.Upload.Metrics.Upload.Error("embedding_unavailable", "embed");
            return new Reply(503, Failure.Unavailable(ml.Name));
        }

        const string model = "all-MiniLM-L6-v2";
        var embed = document.Child(ml, "embed.batch", ActivityKind.Server)
            .Tag("http.request.method", "POST")
            .Tag("http.route", "/v1/embed")
            .Tag("tenant.id", tenant.Id)
            .Tag("embedding.model", model)
            .Tag("embedding.batch_size", chunks);
        var duration = chance.Latency((0.015 + (chunks * 0.0015)) * (1 + (2.5 * backlog)), 0.35);
        embed.Spend(duration);
        var reply = Reply.Ok;
        if (saas.Conditions.Fails(ml.Name))
        {
            reply = new Reply(500, Failure.EmbeddingTimeout());
            embed.Fail(reply.Failure!);
            saas.Services.Upload.Metrics.Upload.Error("embedding_timeout", "embed");
        }

        embed.Finish().Tags.Add(new("http.response.status_code", reply.Status));
        ml.Metrics.Model.Embedded(model, duration);
        ml.Metrics.Http.Served("POST", "/v1/embed", reply.Status, tenant.Id, embed.Duration);
        ml.BusySeconds += embed.Duration.TotalSeconds;
        saas.Services.Upload.Metrics.Upload.Stage("embed", embed.Duration);
        return reply;
    }

    private sealed record FileKind(string Type, double Share, double ParseSeconds, long MinBytes, long MaxBytes);
}
