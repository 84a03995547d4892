using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using OpsConsole.Core.Ingestion;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Ingest.Prometheus;

/// <summary>
/// Scrapes one target on its interval: fetch, parse, add target labels, write the samples, the five report series
/// (<c>up</c>, <c>scrape_duration_seconds</c>, <c>scrape_samples_scraped</c>,
/// <c>scrape_samples_post_metric_relabeling</c>, <c>scrape_series_added</c>) and stale markers for the series that
/// ended. Never throws out of a scrape except for cancellation of its own token.
/// </summary>
internal sealed class TargetScraper
{
    private const string UserAgent = "OpsConsole-Scraper/1.0";

    private readonly ScrapeTarget _target;
    private readonly ITelemetrySink _sink;
    private readonly Func<HttpClient> _httpClient;
    private readonly TimeProvider _time;
    private readonly ScrapeOptions _options;
    private readonly ExpositionParser _parser = new();
    private readonly LabelSet _up;
    private readonly LabelSet _duration;
    private readonly LabelSet _samplesScraped;
    private readonly LabelSet _samplesPostRelabeling;
    private readonly LabelSet _seriesAdded;

    // Series of the previous scrape → whether they get a stale marker when they disappear (only those without an
    // exposed timestamp, as in Prometheus). Two dictionaries swapped each scrape.
    private Dictionary<LabelSet, bool> _previous = new(SeriesComparer.Instance);
    private Dictionary<LabelSet, bool> _current = new(SeriesComparer.Instance);
    private IReadOnlyList<MetricMetadata> _previousMetadata = [];
    private ScrapeTargetStatus _status;

    public TargetScraper(ScrapeTarget target, ITelemetrySink sink, Func<HttpClient> httpClient, TimeProvider time, ScrapeOptions options)
    {
        _target = target;
        _sink = sink;
        _httpClient = httpClient;
        _time = time;
        _options = options;
        _status = new ScrapeTargetStatus(target);
        _up = ReportLabels("up");
        _duration = ReportLabels("scrape_duration_seconds");
        _samplesScraped = ReportLabels("scrape_samples_scraped");
        _samplesPostRelabeling = ReportLabels("scrape_samples_post_metric_relabeling");
        _seriesAdded = ReportLabels("scrape_series_added");
    }

    public ScrapeTarget Target => _target;

    public ScrapeTargetStatus Status => Volatile.Read(ref _status);

    /// <summary>Scrapes now and then every interval until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(Action onScraped, CancellationToken cancellationToken)
    {
        var due = _time.GetUtcNow();
        try
        {
            while (true)
            {
                var wait = due - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await ScrapeOnceAsync(cancellationToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a bug in one scrape must not end the target's schedule
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    Volatile.Write(ref _status, Status with { Health = ScrapeHealth.Down, LastError = $"internal error: {ex.Message}" });
                }

                onScraped();

                // Keep to the schedule; after an overrun scrape at once rather than catching up slot by slot.
                due += _target.Interval;
                var now = _time.GetUtcNow();
                if (due < now)
                {
                    due = now;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the target was removed or the host is shutting down.
        }
    }

    public async Task ScrapeOnceAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var startTimestamp = _time.GetTimestamp();
        ExpositionPage? page = null;
        string? error;
        try
        {
            (page, error) = await FetchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            error = $"scrape timed out after {PrometheusDuration.Format(_target.Timeout)}";
        }
        catch (HttpRequestException ex)
        {
            error = Describe(ex);
        }
        catch (InvalidDataException ex)
        {
            error = $"the response could not be decompressed: {ex.Message}";
        }
#pragma warning disable CA1031 // whatever a target does, the loop goes on; the message is shown on the target's status
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex.Message;
        }

        var duration = _time.GetElapsedTime(startTimestamp);
        if (page is not null && _options.SampleLimit > 0 && page.Samples.Count > _options.SampleLimit)
        {
            error = $"sample limit of {_options.SampleLimit} exceeded ({page.Samples.Count} samples); none were kept";
            page = null;
        }

        var batch = BuildBatch(page, started.ToUnixTimeMilliseconds(), duration, out var seriesAdded, out var seriesEnded);
        var writeError = await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        if (writeError is null && page is not null)
        {
            // Metadata is sent again only when it changes, so remember it only once the store has it.
            _previousMetadata = page.Metadata;
        }

        var previous = Status;
        Volatile.Write(ref _status, previous with
        {
            Health = page is null ? ScrapeHealth.Down : ScrapeHealth.Up,
            LastScrape = started,
            LastDuration = duration,
            LastError = error,
            LastWriteError = writeError,
            SamplesScraped = page?.Samples.Count ?? 0,
            SeriesAdded = seriesAdded,
            SeriesEnded = seriesEnded,
            ParseErrorCount = page?.ErrorCount ?? 0,
            ParseErrors = page is null ? [] : [.. page.Errors.Take(ScrapeLoop.ParseErrorsShown)],
            ScrapeCount = previous.ScrapeCount + 1,
        });
    }

    /// <summary>After the target is removed: stale markers for everything it last reported, report series included.</summary>
    public async Task MarkEndedAsync(CancellationToken cancellationToken)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var samples = new List<SeriesSample>(_previous.Count + 5);
        foreach (var (labels, tracked) in _previous)
        {
            if (tracked)
            {
                samples.Add(new SeriesSample(_target.TenantId, labels, timestamp, StaleMarker.StaleNaN));
            }
        }

        if (Status.ScrapeCount > 0)
        {
            foreach (var report in (ReadOnlySpan<LabelSet>)[_up, _duration, _samplesScraped, _samplesPostRelabeling, _seriesAdded])
            {
                samples.Add(new SeriesSample(_target.TenantId, report, timestamp, StaleMarker.StaleNaN));
            }
        }

        _previous.Clear();
        if (samples.Count > 0)
        {
            await WriteAsync(new TelemetryBatch { Samples = samples }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(ExpositionPage? Page, string? Error)> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_target.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, _target.Url);
        request.Headers.TryAddWithoutValidation("Accept", ExpositionContentTypes.ScrapeAccept);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation(
            "X-Prometheus-Scrape-Timeout-Seconds", _target.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));

        using var response = await _httpClient()
            .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token)
            .ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (null, $"server returned HTTP status {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
        }

        var limit = _options.BodySizeLimitBytes > 0 ? _options.BodySizeLimitBytes : Array.MaxLength;
        if (response.Content.Headers.ContentLength > limit && response.Content.Headers.ContentEncoding.Count == 0)
        {
            return (null, $"the response ({response.Content.Headers.ContentLength} bytes) exceeds the body size limit of {limit} bytes");
        }

        var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var gzip = response.Content.Headers.ContentEncoding.Any(e => e.Equals("gzip", StringComparison.OrdinalIgnoreCase));
            var body = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
            await using (body.ConfigureAwait(false))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    var length = 0;
                    while (true)
                    {
                        if (length == buffer.Length)
                        {
                            if (length >= limit)
                            {
                                return (null, $"the response exceeds the body size limit of {limit} bytes");
                            }

                            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, Math.Min(limit + 1, Array.MaxLength)));
                            buffer.AsSpan(0, length).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        var read = await body.ReadAsync(buffer.AsMemory(length), linked.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        length += read;
                        if (length > limit)
                        {
                            return (null, $"the response exceeds the body size limit of {limit} bytes");
                        }
                    }

                    var format = ExpositionContentTypes.FromMediaType(response.Content.Headers.ContentType?.MediaType);
                    return (_parser.Parse(buffer.AsSpan(0, length), format, _target.TargetLabels), null);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    private TelemetryBatch BuildBatch(ExpositionPage? page, long timestamp, TimeSpan duration, out int seriesAdded, out int seriesEnded)
    {
        var exposed = page?.Samples ?? [];
        var samples = new List<SeriesSample>(exposed.Count + _previous.Count + 5);
        var current = _current;
        current.Clear();
        seriesAdded = 0;
        foreach (var sample in exposed)
        {
            samples.Add(new SeriesSample(_target.TenantId, sample.Labels, sample.TimestampMs ?? timestamp, sample.Value));
            if (!_previous.ContainsKey(sample.Labels))
            {
                seriesAdded++;
            }

            current[sample.Labels] = sample.TimestampMs is null;
        }

        seriesEnded = 0;
        foreach (var (labels, tracked) in _previous)
        {
            if (tracked && !current.ContainsKey(labels))
            {
                samples.Add(new SeriesSample(_target.TenantId, labels, timestamp, StaleMarker.StaleNaN));
                seriesEnded++;
            }
        }

        _current = _previous;
        _previous = current;

        samples.Add(new SeriesSample(_target.TenantId, _up, timestamp, page is null ? 0 : 1));
        samples.Add(new SeriesSample(_target.TenantId, _duration, timestamp, duration.TotalSeconds));
        samples.Add(new SeriesSample(_target.TenantId, _samplesScraped, timestamp, exposed.Count));
        samples.Add(new SeriesSample(_target.TenantId, _samplesPostRelabeling, timestamp, exposed.Count));
        samples.Add(new SeriesSample(_target.TenantId, _seriesAdded, timestamp, seriesAdded));

        var metadata = page is not null && !page.Metadata.SequenceEqual(_previousMetadata) ? page.Metadata : [];
        return new TelemetryBatch { Samples = samples, Metadata = metadata };
    }

    private async Task<string?> WriteAsync(TelemetryBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            return result.Outcome == IngestOutcome.Accepted
                ? null
                : $"the store did not take the samples ({result.Outcome}{(result.Message is null ? "" : $": {result.Message}")})";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // a failing store must not stop the loop; the next scrape tries again
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"writing the samples failed: {ex.Message}";
        }
    }

    private LabelSet ReportLabels(string name) => _target.TargetLabels.With(LabelSet.MetricName, name);

    private static string Describe(HttpRequestException ex) =>
        ex.InnerException is { } inner && ex.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase)
            ? $"{ex.Message.Replace("see inner exception.", "", StringComparison.OrdinalIgnoreCase).TrimEnd(' ', ',', '.')}: {inner.Message}"
            : ex.Message;
}
