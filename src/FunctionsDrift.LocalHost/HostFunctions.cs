using Azure.Messaging.EventGrid;
using FunctionsDrift.Storage;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.LocalHost;

/// <summary>
/// The WebJobs functions of the local host: the same handlers as the Functions app. A throwing ScoreImage (storage fault)
/// is retried by the queue (MaxDequeueCount) and then moved to <c>blob-created-poison</c>.
/// </summary>
public sealed class HostFunctions(IBlobScorer scoring, RefitService refit, ReconcileService reconcile, BlobScanner scanner, StorageClients clients,
    DriftSettings settings, ILogger<HostFunctions> log)
{
    [FunctionName("ScoreImage")]
    public async Task ScoreImage([QueueTrigger("%BlobCreatedQueue%", Connection = "DriftStorage")] string message, long dequeueCount, CancellationToken ct)
    {
        // A message holds one event or an Event Grid array of several (the scanner batches a burst). Two events at a time, so
        // the last message of a burst still keeps both of a 2-core machine's extraction slots busy (the scorer gates
        // extraction to one per core anyway). Every event is tried even when another fails; then the message fails as a
        // whole, and its redelivery skips the blobs already scored.
        IReadOnlyList<EventGridEvent> events;
        try
        {
            events = BlobCreatedEvent.ParseAll(message);
        }
        catch (FormatException e)
        {
            // No retry can make it readable: dropped here rather than five times into the poison queue.
            log.LogError("Dropped a blob-created message that is not an Event Grid event or array: {Error}", e.Message);
            return;
        }
        if (dequeueCount > 1)
        {
            Interlocked.Increment(ref scanner.Redeliveries);
        }
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (evt, token) =>
        {
            if (evt.BlobCreatedData() is not { } created)
            {
                log.LogInformation("Ignored event {EventType} for {Subject}", evt.EventType, evt.Subject);
                return;
            }
            if (!ForThisContainer(evt, out var blobName))
            {
                return;
            }
            try
            {
                // First delivery: the announced ETag lets the scorer skip the properties request and the row lookup (a
                // repeated announcement is caught when the row is inserted). A redelivery looks the row up before downloading.
                // An event without a length is treated as too large to trust, so the scorer reads the blob's properties.
                var etag = created.ETag ?? "";
                await scoring.ScoreAsync(blobName, new BlobHint(etag, created.ContentLength ?? long.MaxValue, FirstDelivery: dequeueCount <= 1), token);
                scanner.Pending.Confirm(blobName, etag);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Scoring {Blob} failed (delivery {DequeueCount}); the message will be retried", blobName, dequeueCount);
                failures.Enqueue(e);
            }
        });
        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures.Single());
        }
        if (failures.Count > 1)
        {
            throw new AggregateException($"{failures.Count} blobs of this message failed", failures);
        }
    }

    /// <summary>
    /// True for a well-formed event about a blob of this account's images container; anything else is logged and dropped
    /// alone, so one malformed or foreign event does not fail the other events of its message.
    /// </summary>
    private bool ForThisContainer(EventGridEvent evt, out string blobName)
    {
        blobName = "";
        string container;
        try
        {
            (container, blobName) = evt.ParseSubject();
        }
        catch (FormatException e)
        {
            log.LogWarning("Dropped event {Id}: {Error}", evt.Id, e.Message);
            return false;
        }
        if (container != settings.ImagesContainer || blobName.Length == 0)
        {
            log.LogInformation("Ignored event {Id} for container {Container}: this host scores {Images}", evt.Id, container, settings.ImagesContainer);
            return false;
        }
        if (!evt.Topic.EndsWith("/storageAccounts/" + clients.Blobs.AccountName, StringComparison.OrdinalIgnoreCase))
        {
            log.LogInformation("Ignored event {Id} from topic {Topic}: this host scores account {Account}", evt.Id, evt.Topic, clients.Blobs.AccountName);
            return false;
        }
        return true;
    }

    [FunctionName("RefitReference")]
    public async Task RefitReference([TimerTrigger("%RefitSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var outcome = await refit.RefitAsync(ct);
        log.LogInformation("Scheduled refit: {Message}", outcome.Message);
        if (outcome.Published)
        {
            await reconcile.ReconcileAsync(ct);
        }
    }

    /// <summary>Every 5 minutes: re-scores rows that waited for a usable model (see <see cref="ReconcileService"/>).</summary>
    [FunctionName("ReconcileResults")]
    public async Task ReconcileResults([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        await reconcile.ReconcileAsync(ct);
    }
}
