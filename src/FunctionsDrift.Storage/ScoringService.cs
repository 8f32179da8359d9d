using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Images;
using FunctionsDrift.Core.Scoring;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>What happened to one blob.</summary>
public enum ScoreOutcome
{
    Scored,
    Error,
    AlreadyDone,
    Missing,
}

/// <summary>
/// The handler behind ScoreImage (Functions) and the local host's queue trigger: download, extract, score against the
/// current reference, upsert one row. A bad image becomes an error row (no throw, so it cannot loop into the poison queue);
/// a storage fault throws, so the host retries. Idempotent per blob and ETag: the row key comes from the blob, and a row
/// already written for the same ETag is not scored again.
/// </summary>
/// <summary>
/// What an announcement says about a blob: its ETag and length, and whether this is the message's first delivery
/// (a redelivery means an earlier attempt may have written the row already, so the row is looked up before downloading).
/// </summary>
public sealed record BlobHint(string ETag, long ContentLength, bool FirstDelivery);

public sealed class ScoringService(
    StorageClients clients,
    DriftSettings settings,
    FeatureExtractor extractor,
    ModelStore models,
    ResultsStore results,
    IVerdictMetric metric,
    ILogger<ScoringService> log) : IBlobScorer
{
    /// <summary>Largest blob downloaded for scoring; larger ones get an error row.</summary>
    public const long MaxBlobBytes = 64L * 1024 * 1024;

    public const string NoReferenceKind = "NoReference";

    /// <summary>The pointer names a model that cannot be loaded (missing, corrupt, another schema).</summary>
    public const string ModelUnavailableKind = "ModelUnavailable";

    /// <summary>The model was fitted on another embedder's features than this host extracts.</summary>
    public const string ModelMismatchKind = "ModelMismatch";

    /// <summary>Error kinds that say nothing about the image: the row is re-scored once a usable model exists.</summary>
    public static readonly IReadOnlySet<string> RetryableKinds = new HashSet<string>(StringComparer.Ordinal) { NoReferenceKind, ModelUnavailableKind, ModelMismatchKind };

    public BlobContainerClient Images => clients.Blobs.GetBlobContainerClient(settings.ImagesContainer);

    public Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(string blobName, CancellationToken ct) =>
        ScoreAsync(Images.GetBlobClient(blobName), null, ct);

    /// <summary>Scores a blob announced by an event that names its ETag and length (see <see cref="BlobHint"/>).</summary>
    public Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(string blobName, BlobHint? hint, CancellationToken ct) =>
        ScoreAsync(Images.GetBlobClient(blobName), hint, ct);

    public Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(BlobClient blob, CancellationToken ct) => ScoreAsync(blob, null, ct);

    // Feature extraction is CPU-bound: at most one per core at a time, however many messages are in flight waiting on storage.
    private readonly SemaphoreSlim _cpu = new(Environment.ProcessorCount, Environment.ProcessorCount);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Scores one blob. Two deliveries of the same blob at once in this process (a repeated announcement) are serialised:
    /// the second waits for the first and then finds its row.
    /// </summary>
    public async Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(BlobClient blob, BlobHint? hint, CancellationToken ct)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        while (true)
        {
            var running = _inFlight.GetOrAdd(blob.Name, mine.Task);
            if (running == mine.Task) break;
            try { await running.WaitAsync(ct); } catch (Exception e) when (e is not OperationCanceledException) { }
        }
        try
        {
            return hint is { FirstDelivery: true, ETag.Length: > 0 } && hint.ContentLength <= MaxBlobBytes
                ? await ScoreFirstDeliveryAsync(blob, new ETag(hint.ETag), ct)
                : await ScoreCoreAsync(blob, ct);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task>(blob.Name, mine.Task));
            mine.SetResult();
        }
    }

    private async Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreCoreAsync(BlobClient blob, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var t = started;
        Azure.Storage.Blobs.Models.BlobProperties props;
        try
        {
            props = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            log.LogInformation("Blob {Blob} no longer exists; nothing to score", blob.Name);
            return (ScoreOutcome.Missing, null);
        }

        var observed = Stopwatch.GetTimestamp();
        t = ScoringMetrics.Stage("properties", t);
        var existing = await results.GetAsync(blob.Name, props.LastModified, ct);
        t = ScoringMetrics.Stage("lookup", t);
        if (HoldsResultFor(existing, props.ETag.ToString()))
        {
            log.LogInformation("Blob {Blob} ({ETag}) already scored; skipped", blob.Name, existing.BlobETag);
            return (ScoreOutcome.AlreadyDone, existing);
        }

        var row = NewRow(blob, props.ETag, props.LastModified);
        // Replace what was read (a placeholder, an older ETag's row) only if nobody wrote since: see CommitAsync.
        row.ETag = existing?.ETag ?? default;

        var (model, problem) = await ModelForAsync(props.LastModified, observed, ct);
        t = ScoringMetrics.Stage("model", t);
        if (model is null)
        {
            return await WriteError(row, problem!.Value.Kind, problem.Value.Message, started, ct);
        }
        row.ReferenceVersion = model.Version;

        if (props.ContentLength > MaxBlobBytes)
        {
            return await WriteError(row, nameof(ImageErrorKind.TooLarge), $"blob is {props.ContentLength} bytes, more than {MaxBlobBytes}", started, ct);
        }

        BinaryData content;
        try
        {
            content = (await blob.DownloadContentAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions
            {
                Conditions = new Azure.Storage.Blobs.Models.BlobRequestConditions { IfMatch = props.ETag },
            }, ct)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Deleted or overwritten since: the newer blob has its own event.
            log.LogInformation("Blob {Blob} changed or vanished while scoring ({Status}); its own event will score it", blob.Name, e.Status);
            return (ScoreOutcome.Missing, null);
        }

        t = ScoringMetrics.Stage("download", t);
        return await FinishAsync(row, content, model, started, t, ct);
    }

    /// <summary>
    /// First delivery of an announcement that names the ETag: no properties request and no row lookup up front. The
    /// download (If-Match the announced ETag) returns the last-modified time the keys need; the row is then inserted, and
    /// only if one already exists (a repeated announcement) is it read: same ETag → already done, nothing recorded twice.
    /// </summary>
    private async Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreFirstDeliveryAsync(BlobClient blob, ETag etag, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var t = started;
        Azure.Storage.Blobs.Models.BlobDownloadResult download;
        try
        {
            download = (await blob.DownloadContentAsync(new Azure.Storage.Blobs.Models.BlobDownloadOptions
            {
                Conditions = new Azure.Storage.Blobs.Models.BlobRequestConditions { IfMatch = etag },
            }, ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            log.LogInformation("Blob {Blob} changed or vanished since announced ({Status}); its own event will score it", blob.Name, e.Status);
            return (ScoreOutcome.Missing, null);
        }
        var observed = Stopwatch.GetTimestamp();
        t = ScoringMetrics.Stage("download", t);
        var details = download.Details;
        var row = NewRow(blob, details.ETag, details.LastModified);
        var (model, problem) = await ModelForAsync(details.LastModified, observed, ct);
        t = ScoringMetrics.Stage("model", t);
        if (model is null)
        {
            return await WriteError(row, problem!.Value.Kind, problem.Value.Message, started, ct);
        }
        row.ReferenceVersion = model.Version;
        return await FinishAsync(row, download.Content, model, started, t, ct);
    }

    /// <summary>
    /// The model to score with, or why there is none usable: no model yet, a model that cannot be loaded, or one fitted on
    /// another embedder's features (same length, other meaning: scoring would be silently wrong).
    /// </summary>
    private async Task<(Core.Model.ReferenceModel? Model, (string Kind, string Message)? Problem)> ModelForAsync(
        DateTimeOffset blobLastModified, long observed, CancellationToken ct)
    {
        Core.Model.ReferenceModel? model;
        try
        {
            model = await models.GetCurrentForBlobAsync(blobLastModified, observed, ct);
        }
        catch (ModelUnavailableException e)
        {
            return (null, (ModelUnavailableKind, e.Message));
        }
        if (model is null)
        {
            return (null, (NoReferenceKind, NoReferenceMessage));
        }
        if (model.ModelIdentity != extractor.ModelIdentity)
        {
            return (null, (ModelMismatchKind, MismatchMessage(model.Version, model.ModelIdentity, extractor.ModelIdentity)));
        }
        return (model, null);
    }

    public static string MismatchMessage(string version, string modelIdentity, string extractorIdentity) =>
        $"reference model {version} was fitted on embedder '{modelIdentity}' but this host extracts '{extractorIdentity}': refit (POST /api/refit)";

    private async Task<(ScoreOutcome, ResultEntity?)> FinishAsync(ResultEntity row, BinaryData content, Core.Model.ReferenceModel model,
        long started, long t, CancellationToken ct)
    {
        ImageFeatures features = null!;
        ScoreResult verdict = null!;
        (string Kind, string Message)? failure = null;
        await _cpu.WaitAsync(ct);
        try
        {
            features = extractor.Extract(content.ToMemory().Span);
            verdict = ScorerFor(model).Score(features);
        }
        catch (ImageDecodeException e)
        {
            failure = (e.Kind.ToString(), e.Message);
        }
        catch (DriftException e)
        {
            failure = ("Scoring", e.Message);
        }
        finally
        {
            _cpu.Release();
        }
        if (failure is { } f)
        {
            return await WriteError(row, f.Kind, f.Message, started, ct);
        }

        t = ScoringMetrics.Stage("extract+score", t);
        Fill(row, features, verdict);
        row.EmbedderIdentity = model.ModelIdentity;
        row.ScoredAt = DateTimeOffset.UtcNow;
        row.ScoreMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // Once a verdict exists, finish writing it even if the host is stopping: a write cancelled after the server
        // stored it would leave a row whose verdict was never counted, and the redelivery would only find it done.
        if (await CommitAsync(row) is { } existing)
        {
            log.LogInformation("Blob {Blob} ({ETag}) already scored by another delivery; not counted again", row.BlobName, existing.BlobETag);
            return (ScoreOutcome.AlreadyDone, existing);
        }
        ScoringMetrics.Stage("upsert", t);
        ScoringMetrics.Scored();
        metric.Record(verdict.Drift, verdict.ReferenceVersion);
        log.LogInformation("Scored {Blob}: drift={Drift} p={FusedP:0.###e+0} reference={Version} {Reasons}",
            row.BlobName, verdict.Drift, verdict.FusedPValue, verdict.ReferenceVersion, verdict.Reasons);
        return (ScoreOutcome.Scored, row);
    }

    /// <summary>
    /// Writes the row (never cancelled) on the condition that the stored row is still the one read before scoring
    /// (<see cref="ResultEntity.ETag"/> of <paramref name="row"/>; default = none was read, so insert). When another delivery
    /// wrote first, the stored row is read again: if it holds a result for this ETag it is returned and nothing is written
    /// (so a verdict is counted once however many deliveries race, in this process or another), otherwise the write is
    /// retried against it. Returns null when written.
    /// </summary>
    private async Task<ResultEntity?> CommitAsync(ResultEntity row)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (row.ETag == default)
                {
                    await results.Table.AddEntityAsync(row, CancellationToken.None);
                }
                else
                {
                    await results.Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, CancellationToken.None);
                }
                return null;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 or 404 && attempt < 4)
            {
                var existing = await results.GetAsync(row.BlobName, row.BlobLastModified, CancellationToken.None);
                if (HoldsResultFor(existing, row.BlobETag))
                {
                    return existing;
                }
                row.ETag = existing?.ETag ?? default;
            }
        }
    }

    /// <summary>The row both keys derive from the blob (never from the scoring time), so redelivery finds it again.</summary>
    private ResultEntity NewRow(BlobClient blob, ETag etag, DateTimeOffset lastModified) => new()
    {
        PartitionKey = results.PartitionKeyFor(blob.Name, lastModified),
        RowKey = ResultKeys.RowKey(blob.Name),
        BlobName = blob.Name,
        BlobUrl = blob.Uri.AbsoluteUri,
        BlobETag = etag.ToString(),
        BlobLastModified = lastModified,
    };

    /// <summary>A row that already holds a result for this ETag (not a placeholder of <see cref="RetryableKinds"/>): nothing to score again.</summary>
    private static bool HoldsResultFor([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] ResultEntity? existing, string etag) =>
        existing is not null && existing.BlobETag == etag && !(existing.ErrorKind is { } kind && RetryableKinds.Contains(kind));

    // The scorer of the current model: its thresholds are computed once per model version, not once per image.
    private DriftScorer? _scorer;

    private DriftScorer ScorerFor(Core.Model.ReferenceModel model)
    {
        var scorer = _scorer;
        if (!ReferenceEquals(scorer?.Model, model))
        {
            scorer = new DriftScorer(model);
            _scorer = scorer;
        }
        return scorer;
    }

    private const string NoReferenceMessage = "no reference model published yet: run the refit (POST /api/refit or drift fit)";

    private async Task<(ScoreOutcome, ResultEntity?)> WriteError(ResultEntity row, string kind, string message, long started, CancellationToken ct)
    {
        row.Status = ResultEntity.StatusError;
        row.ErrorKind = kind;
        row.Error = message.Length > 4000 ? message[..4000] : message;
        row.ScoredAt = DateTimeOffset.UtcNow;
        row.ScoreMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (await CommitAsync(row) is { } existing)
        {
            return (ScoreOutcome.AlreadyDone, existing);
        }
        log.LogWarning("Could not score {Blob} ({Kind}): {Error}", row.BlobName, kind, row.Error);
        return (ScoreOutcome.Error, row);
    }

    /// <summary>Copies the verdict and features into the row.</summary>
    public static void Fill(ResultEntity row, ImageFeatures features, ScoreResult verdict)
    {
        row.Status = ResultEntity.StatusOk;
        row.Error = null;
        row.ErrorKind = null;
        row.ReferenceVersion = verdict.ReferenceVersion;
        row.Drift = verdict.Drift;
        row.FusedP = verdict.FusedPValue;
        row.Reasons = verdict.Reasons;
        foreach (var d in verdict.Detectors)
        {
            switch (d.Detector)
            {
                case "pca": (row.PcaScore, row.PcaThreshold, row.PcaP, row.PcaFlag) = (d.Score, d.Threshold, d.PValue, d.Flag); break;
                case "knn": (row.KnnScore, row.KnnThreshold, row.KnnP, row.KnnFlag) = (d.Score, d.Threshold, d.PValue, d.Flag); break;
                case "hsv": (row.HsvScore, row.HsvThreshold, row.HsvP, row.HsvFlag) = (d.Score, d.Threshold, d.PValue, d.Flag); break;
                case "quality": (row.QualityScore, row.QualityThreshold, row.QualityP, row.QualityFlag) = (d.Score, d.Threshold, d.PValue, d.Flag); break;
                case "patch": (row.PatchScore, row.PatchThreshold, row.PatchP, row.PatchFlag) = (d.Score, d.Threshold, d.PValue, d.Flag); break;
            }
        }
        row.DetectorsJson = JsonSerializer.Serialize(verdict.Detectors.Select(d => new { d.Detector, d.Score, d.Threshold, p = d.PValue, d.Flag, d.Detail }));
        row.StoreFeatures(features);
    }
}
