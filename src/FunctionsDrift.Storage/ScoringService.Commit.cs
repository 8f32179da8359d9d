using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

public sealed partial class ScoringService
{
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
    private static bool HoldsResultFor([NotNullWhen(true)] ResultEntity? existing, string etag) =>
        existing is not null && existing.BlobETag == etag && !(existing.ErrorKind is { } kind && RetryableKinds.Contains(kind));

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
}
