using Azure.Storage.Blobs;
using FunctionsDrift.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsDrift.Functions;

/// <summary>
/// Scores a new blob in the images container: Event Grid source (Flex Consumption). For plans with the polling trigger,
/// remove <c>Source = BlobTriggerSource.EventGrid</c> (see docs/functions.md).
/// </summary>
public sealed class ScoreImage(ScoringService scoring)
{
    [Function(nameof(ScoreImage))]
    public async Task Run(
        [BlobTrigger("%ImagesContainer%/{name}", Source = BlobTriggerSource.EventGrid, Connection = "DriftStorage")] BlobClient blob,
        CancellationToken ct)
    {
        await scoring.ScoreAsync(blob, ct);
    }
}
