using System.Diagnostics;
using System.Text.Json;
using Azure;
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
public sealed class ScoringService(
    StorageClients clients,
    DriftSettings settings,
    FeatureExtractor extractor,
    ModelStore models,
    ResultsStore results,
    IVerdictMetric metric,
    ILogger<ScoringService> log)
{
    /// <summary>Largest blob downloaded for scoring; larger ones get an error row.</summary>
    public const long MaxBlobBytes = 64L * 1024 * 1024;

    public const string NoReferenceKind = "NoReference";

    public BlobContainerClient Images => clients.Blobs.GetBlobContainerClient(settings.ImagesContainer);

    public Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(string blobName, CancellationToken ct) =>
        ScoreAsync(Images.GetBlobClient(blobName), ct);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Scores one blob. Two deliveries of the same blob at once in this process (a repeated announcement) are serialised:
    /// the second waits for the first and then finds its row.
    /// </summary>
    public async Task<(ScoreOutcome Outcome, ResultEntity? Row)> ScoreAsync(BlobClient blob, CancellationToken ct)
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
            return await ScoreCoreAsync(blob, ct);
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

        var existing = await results.GetAsync(blob.Name, props.LastModified, ct);
        if (existing is not null && existing.BlobETag == props.ETag.ToString() && existing.ErrorKind != NoReferenceKind)
        {
            log.LogInformation("Blob {Blob} ({ETag}) already scored; skipped", blob.Name, existing.BlobETag);
            return (ScoreOutcome.AlreadyDone, existing);
        }

        var row = new ResultEntity
        {
            PartitionKey = results.PartitionKeyFor(blob.Name, props.LastModified),
            RowKey = ResultKeys.RowKey(blob.Name),
            BlobName = blob.Name,
            BlobUrl = blob.Uri.AbsoluteUri,
            BlobETag = props.ETag.ToString(),
            BlobLastModified = props.LastModified,
        };

        var model = await models.GetCurrentAsync(ct);
        if (model is null)
        {
            return await WriteError(row, NoReferenceKind, "no reference model published yet: run the refit (POST /api/refit or drift fit)", started, ct);
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

        ImageFeatures features;
        ScoreResult verdict;
        try
        {
            features = extractor.Extract(content.ToMemory().Span);
            verdict = new DriftScorer(model).Score(features);
        }
        catch (ImageDecodeException e)
        {
            return await WriteError(row, e.Kind.ToString(), e.Message, started, ct);
        }
        catch (DriftException e)
        {
            return await WriteError(row, "Scoring", e.Message, started, ct);
        }

        Fill(row, features, verdict);
        row.ScoredAt = DateTimeOffset.UtcNow;
        row.ScoreMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // Once a verdict exists, finish writing it even if the host is stopping: a write cancelled after the server
        // stored it would leave a row whose verdict was never counted, and the redelivery would only find it done.
        await results.UpsertAsync(row, CancellationToken.None);
        metric.Record(verdict.Drift, verdict.ReferenceVersion);
        log.LogInformation("Scored {Blob}: drift={Drift} p={FusedP:0.###e+0} reference={Version} {Reasons}",
            blob.Name, verdict.Drift, verdict.FusedPValue, verdict.ReferenceVersion, verdict.Reasons);
        return (ScoreOutcome.Scored, row);
    }

    private async Task<(ScoreOutcome, ResultEntity?)> WriteError(ResultEntity row, string kind, string message, long started, CancellationToken ct)
    {
        row.Status = ResultEntity.StatusError;
        row.ErrorKind = kind;
        row.Error = message.Length > 4000 ? message[..4000] : message;
        row.ScoredAt = DateTimeOffset.UtcNow;
        row.ScoreMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await results.UpsertAsync(row, CancellationToken.None);
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
        row.Width = features.Width;
        row.Height = features.Height;
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
        row.Embedding = features.HasEmbedding ? ResultEntity.Pack(features.Embedding) : null;
        row.Hsv = ResultEntity.Pack(features.Hsv);
        row.Quality = ResultEntity.Pack(features.Quality);
        row.Patch = ResultEntity.Pack(features.Patch);
    }
}
