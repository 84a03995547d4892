using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>Retrieval-augmented generation: queries, retrieval, answer quality, and searches per tenant.</summary>
internal sealed class RagMetrics(MetricFactory factory)
{
    private readonly Counter _queries = factory.CreateCounter(
        "rag_queries_total", "RAG queries by tenant, query type and outcome.",
        new CounterConfiguration { LabelNames = ["tenant_id", "query_type", "status"] });

    private readonly Histogram _queryDuration = factory.CreateHistogram(
        "rag_query_duration_seconds", "End-to-end RAG query latency.",
        new HistogramConfiguration { LabelNames = ["query_type"], Buckets = Buckets.Request });

    private readonly Histogram _retrievalDuration = factory.CreateHistogram(
        "rag_retrieval_duration_seconds", "Time to retrieve the chunks for a query.", new HistogramConfiguration { Buckets = Buckets.Retrieval });

    private readonly Counter _chunks = factory.CreateCounter("chunks_retrieved_total", "Document chunks retrieved for queries.");

    private readonly Histogram _quality = factory.CreateHistogram(
        "response_quality_scores", "Judged quality of generated answers (0..1).", new HistogramConfiguration { Buckets = Buckets.Score });

    private readonly Gauge _qualityAverage = factory.CreateGauge(
        "response_quality_average", "Moving average of answer quality (0..1).", new GaugeConfiguration { LabelNames = ["tenant_id"] });

    private readonly Histogram _similarity = factory.CreateHistogram(
        "similarity_scores", "Similarity of the best retrieved chunk to the query (0..1).",
        new HistogramConfiguration { LabelNames = ["query_type"], Buckets = Buckets.Score });

    private readonly Counter _searches = factory.CreateCounter(
        "search_queries_total", "Searches run for each tenant.", new CounterConfiguration { LabelNames = ["tenant_id"] });

    public void Query(string tenantId, string queryType, bool succeeded, TimeSpan duration)
    {
        _queries.WithLabels(tenantId, queryType, succeeded ? "success" : "error").Inc();
        _queryDuration.WithLabels(queryType).Observe(duration.TotalSeconds);
    }

    public void Retrieved(string tenantId, string queryType, int chunks, double similarity, TimeSpan duration)
    {
        _searches.WithLabels(tenantId).Inc();
        _retrievalDuration.Observe(duration.TotalSeconds);
        _chunks.Inc(chunks);
        _similarity.WithLabels(queryType).Observe(similarity);
    }

    public void Answered(double quality) => _quality.Observe(quality);

    public void QualityAverage(string tenantId, double average) => _qualityAverage.WithLabels(tenantId).Set(average);
}
