using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using FunctionsDrift.Core.Images;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

public sealed partial class ScoringService
{
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
}
