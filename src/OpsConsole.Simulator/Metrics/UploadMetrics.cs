using System.Globalization;
using OpsConsole.Simulator.Catalog;
using Prometheus;

namespace OpsConsole.Simulator.Metrics;

/// <summary>The upload pipeline: upload requests, documents, processing stages, the job queue and errors.</summary>
internal sealed class UploadMetrics(MetricFactory factory)
{
    private readonly Counter _requests = factory.CreateCounter(
        "upload_requests_total", "Upload API requests.", new CounterConfiguration { LabelNames = ["method", "endpoint", "status"] });

    private readonly Histogram _requestDuration = factory.CreateHistogram(
        "upload_request_duration_seconds", "Upload API request latency.",
        new HistogramConfiguration { LabelNames = ["method", "endpoint"], Buckets = Buckets.Upload });

    private readonly Counter _uploaded = factory.CreateCounter(
        "documents_uploaded_total", "Documents uploaded by tenant, file type and outcome.",
        new CounterConfiguration { LabelNames = ["tenant_id", "file_type", "status"] });

    private readonly Counter _processed = factory.CreateCounter(
        "documents_processed_total", "Documents through the parse, chunk, embed and index pipeline.",
        new CounterConfiguration { LabelNames = ["status", "file_type"] });

    private readonly Histogram _stageDuration = factory.CreateHistogram(
        "document_processing_duration_seconds", "Time spent in each processing stage (parse, chunk, embed, index).",
        new HistogramConfiguration { LabelNames = ["stage"], Buckets = Buckets.Stage });

    private readonly Gauge _queueSize = factory.CreateGauge("job_queue_size", "Processing jobs waiting in the queue.");

    private readonly Counter _errors = factory.CreateCounter(
        "upload_errors_total", "Upload and processing errors by type and stage.", new CounterConfiguration { LabelNames = ["error_type", "stage"] });

    /// <summary>Creates the error series at zero.</summary>
    public UploadMetrics Prepared()
    {
        foreach (var (errorType, stage) in KnownLabels.UploadErrors)
        {
            _errors.WithLabels(errorType, stage);
        }

        return this;
    }

    public void Request(string method, string endpoint, int status, TimeSpan duration)
    {
        _requests.WithLabels(method, endpoint, status.ToString(CultureInfo.InvariantCulture)).Inc();
        _requestDuration.WithLabels(method, endpoint).Observe(duration.TotalSeconds);
    }

    public void Document(string tenantId, string fileType, bool succeeded)
    {
        var status = succeeded ? "success" : "failed";
        _uploaded.WithLabels(tenantId, fileType, status).Inc();
        _processed.WithLabels(status, fileType).Inc();
    }

    public void Stage(string stage, TimeSpan duration) => _stageDuration.WithLabels(stage).Observe(duration.TotalSeconds);

    public void Error(string errorType, string stage) => _errors.WithLabels(errorType, stage).Inc();

    public void QueueSize(double size) => _queueSize.Set(Math.Max(0, Math.Round(size)));
}
