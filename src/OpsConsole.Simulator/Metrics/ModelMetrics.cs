using OpsConsole.Simulator.Catalog;
using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The ML engine: recommendation model quality per tenant, inference and search latency, training, deployments.</summary>
internal sealed class ModelMetrics(MetricFactory factory)
{
    private static readonly string[] QualityLabels = ["tenant_id", "model_version"];

    private readonly Gauge _ndcg = factory.CreateGauge("model_quality_ndcg_at_10", "Offline NDCG@10 of the deployed model.", new GaugeConfiguration { LabelNames = QualityLabels });
    private readonly Gauge _map = factory.CreateGauge("model_quality_map_at_10", "Offline MAP@10 of the deployed model.", new GaugeConfiguration { LabelNames = QualityLabels });
    private readonly Gauge _precision = factory.CreateGauge("model_quality_precision_at_10", "Offline precision@10 of the deployed model.", new GaugeConfiguration { LabelNames = QualityLabels });
    private readonly Gauge _recall = factory.CreateGauge("model_quality_recall_at_10", "Offline recall@10 of the deployed model.", new GaugeConfiguration { LabelNames = QualityLabels });

    private readonly Histogram _inference = factory.CreateHistogram(
        "model_inference_duration_seconds", "Model inference latency.",
        new HistogramConfiguration { LabelNames = ["model_name", "quantization_type"], Buckets = Buckets.Inference });

    private readonly Histogram _embedding = factory.CreateHistogram(
        "embedding_generation_duration_seconds", "Time to embed a batch of texts.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Buckets.Embedding });

    private readonly Histogram _faissSearch = factory.CreateHistogram(
        "faiss_search_duration_seconds", "FAISS nearest-neighbour search latency.",
        new HistogramConfiguration { LabelNames = ["index_type"], Buckets = Buckets.VectorSearch });

    private readonly Counter _trainingCompleted = factory.CreateCounter(
        "training_jobs_completed_total", "Training jobs that finished.", new CounterConfiguration { LabelNames = ["tenant_id"] });

    private readonly Counter _trainingFailures = factory.CreateCounter(
        "training_job_failures_total", "Training jobs that failed, by reason.", new CounterConfiguration { LabelNames = ["tenant_id", "reason"] });

    private readonly Gauge _trainingRunning = factory.CreateGauge(
        "training_job_running", "1 while a training job runs for the tenant.", new GaugeConfiguration { LabelNames = ["tenant_id"] });

    private readonly Gauge _deployed = factory.CreateGauge(
        "model_version_deployed", "1 for the model version serving the tenant.", new GaugeConfiguration { LabelNames = ["tenant_id", "model_name", "version"] });

    private readonly Counter _recommendations = factory.CreateCounter(
        "recommendations_served_total", "Recommendation lists served, by tenant and algorithm.",
        new CounterConfiguration { LabelNames = ["tenant_id", "algorithm"] });

    private readonly Dictionary<string, (string Model, string Version)> _deployments = [];

    /// <summary>Creates the training series of every tenant at zero.</summary>
    public ModelMetrics Prepared()
    {
        foreach (var tenant in Tenant.All)
        {
            _trainingCompleted.WithLabels(tenant.Id);
            foreach (var reason in KnownLabels.TrainingFailureReasons)
            {
                _trainingFailures.WithLabels(tenant.Id, reason);
            }
        }

        return this;
    }

    public void Quality(string tenantId, string version, ModelQuality quality)
    {
        _ndcg.WithLabels(tenantId, version).Set(quality.Ndcg);
        _map.WithLabels(tenantId, version).Set(quality.Map);
        _precision.WithLabels(tenantId, version).Set(quality.Precision);
        _recall.WithLabels(tenantId, version).Set(quality.Recall);
    }

    /// <summary>Makes <paramref name="version"/> the one serving the tenant; the previous version's series disappear.</summary>
    public void Deployed(string tenantId, string modelName, string version)
    {
        if (_deployments.TryGetValue(tenantId, out var previous))
        {
            if (previous == (modelName, version))
            {
                return;
            }

            _deployed.RemoveLabelled(tenantId, previous.Model, previous.Version);
            foreach (var gauge in new[] { _ndcg, _map, _precision, _recall })
            {
                gauge.RemoveLabelled(tenantId, previous.Version);
            }
        }

        _deployments[tenantId] = (modelName, version);
        _deployed.WithLabels(tenantId, modelName, version).Set(1);
    }

    public void Inferred(string modelName, string quantization, TimeSpan duration) => _inference.WithLabels(modelName, quantization).Observe(duration.TotalSeconds);

    public void Embedded(string model, TimeSpan duration) => _embedding.WithLabels(model).Observe(duration.TotalSeconds);

    public void Searched(string indexType, TimeSpan duration) => _faissSearch.WithLabels(indexType).Observe(duration.TotalSeconds);

    public void Recommended(string tenantId, string algorithm) => _recommendations.WithLabels(tenantId, algorithm).Inc();

    public void TrainingRunning(string tenantId, bool running) => _trainingRunning.WithLabels(tenantId).Set(running ? 1 : 0);

    public void TrainingFinished(string tenantId, string? failureReason)
    {
        if (failureReason is null)
        {
            _trainingCompleted.WithLabels(tenantId).Inc();
        }
        else
        {
            _trainingFailures.WithLabels(tenantId, failureReason).Inc();
        }
    }
}

/// <summary>Offline ranking quality of a recommendation model at cut-off 10.</summary>
internal readonly record struct ModelQuality(double Ndcg, double Map, double Precision, double Recall);
