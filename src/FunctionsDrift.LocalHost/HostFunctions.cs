using FunctionsDrift.Storage;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.LocalHost;

/// <summary>
/// The WebJobs functions of the local host: the same handlers as the Functions app. A throwing ScoreImage (storage fault)
/// is retried by the queue (MaxDequeueCount) and then moved to <c>blob-created-poison</c>.
/// </summary>
public sealed class HostFunctions(ScoringService scoring, RefitService refit, BlobScanner scanner, ILogger<HostFunctions> log)
{
    [FunctionName("ScoreImage")]
    public async Task ScoreImage([QueueTrigger("%BlobCreatedQueue%", Connection = "DriftStorage")] string message, long dequeueCount, CancellationToken ct)
    {
        var evt = BlobCreatedEvent.Parse(message);
        if (evt.EventType != BlobCreatedEvent.EventTypeName)
        {
            log.LogInformation("Ignored event {EventType} for {Subject}", evt.EventType, evt.Subject);
            return;
        }
        var (_, blobName) = evt.ParseSubject();
        // First delivery: the announced ETag lets the scorer skip the properties request and the row lookup (a repeated
        // announcement is caught when the row is inserted). A redelivery looks the row up before downloading.
        await scoring.ScoreAsync(blobName, new BlobHint(evt.Data.ETag, evt.Data.ContentLength, FirstDelivery: dequeueCount <= 1), ct);
        scanner.Pending.Confirm(blobName, evt.Data.ETag);
    }

    [FunctionName("RefitReference")]
    public async Task RefitReference([TimerTrigger("%RefitSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        var outcome = await refit.RefitAsync(ct);
        log.LogInformation("Scheduled refit: {Message}", outcome.Message);
    }
}
