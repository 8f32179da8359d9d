using Azure;
using Azure.Data.Tables;
using FunctionsDrift.Core.Features;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>What one reconciliation pass did.</summary>
public sealed record ReconcileOutcome(int Checked, int Rescored, int Errors, int AlreadyDone, int Removed, string Message);

/// <summary>
/// Re-scores rows that never got a verdict because no usable model existed when their blob arrived (error kinds in
/// <see cref="ScoringService.RetryableKinds"/>: NoReference, ModelUnavailable, ModelMismatch). Run on a timer and after each
/// refit in both hosts; at most <see cref="DriftSettings.ReconcileMaxRows"/> rows per pass. Idempotent with concurrent
/// deliveries and passes: the scorer replaces a placeholder only if it is unchanged since read, so each verdict is counted once.
/// </summary>
public sealed class ReconcileService(ResultsStore results, ScoringService scoring, ModelStore models, FeatureExtractor extractor,
    DriftSettings settings, ILogger<ReconcileService> log)
{
    public async Task<ReconcileOutcome> ReconcileAsync(CancellationToken ct)
    {
        try
        {
            var model = await models.GetCurrentAsync(ct);
            if (model is null || model.ModelIdentity != extractor.ModelIdentity)
            {
                return new ReconcileOutcome(0, 0, 0, 0, 0, "no usable reference model yet: nothing re-scored");
            }
        }
        catch (ModelUnavailableException e)
        {
            return new ReconcileOutcome(0, 0, 0, 0, 0, $"model unavailable: {e.Message}");
        }

        var kinds = string.Join(" or ", ScoringService.RetryableKinds.Order(StringComparer.Ordinal)
            .Select(k => $"({TableClient.CreateQueryFilter($"ErrorKind eq {k}")})"));
        var filter = $"({TableClient.CreateQueryFilter($"Status eq {ResultEntity.StatusError}")}) and ({kinds})";
        string[] columns = [nameof(ResultEntity.PartitionKey), nameof(ResultEntity.RowKey), nameof(ResultEntity.BlobName), nameof(ResultEntity.BlobETag)];
        var placeholders = new List<ResultEntity>();
        await foreach (var row in results.Table.QueryAsync<ResultEntity>(filter, Math.Min(1000, settings.ReconcileMaxRows), columns, ct))
        {
            placeholders.Add(row);
            if (placeholders.Count >= settings.ReconcileMaxRows) break;
        }

        int rescored = 0, errors = 0, done = 0, removed = 0;
        await Parallel.ForEachAsync(placeholders, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (row, token) =>
        {
            var (outcome, written) = await scoring.ScoreAsync(row.BlobName, token);
            switch (outcome)
            {
                case ScoreOutcome.Scored: Interlocked.Increment(ref rescored); break;
                case ScoreOutcome.Error: Interlocked.Increment(ref errors); break;
                case ScoreOutcome.AlreadyDone: Interlocked.Increment(ref done); break;
            }
            // The blob is gone, or was overwritten into another hour's row: this placeholder will never get a verdict.
            if (outcome == ScoreOutcome.Missing || written is not null && written.PartitionKey != row.PartitionKey)
            {
                try
                {
                    await results.Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, token);
                    Interlocked.Increment(ref removed);
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412)
                {
                    // Gone or rewritten meanwhile: nothing to remove.
                }
            }
        });
        var message = $"re-scored {rescored} of {placeholders.Count} rows without a verdict ({errors} errors, {done} already done, {removed} removed)";
        if (placeholders.Count > 0)
        {
            log.LogInformation("Reconcile: {Message}", message);
        }
        return new ReconcileOutcome(placeholders.Count, rescored, errors, done, removed, message);
    }
}
