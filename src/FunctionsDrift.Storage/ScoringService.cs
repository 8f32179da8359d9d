using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using FunctionsDrift.Core.Features;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// The handler behind ScoreImage (Functions) and the local host's queue trigger: download, extract, score against the
/// current reference, upsert one row. A bad image becomes an error row (no throw, so it cannot loop into the poison queue);
/// a storage fault throws, so the host retries. Idempotent per blob and ETag: the row key comes from the blob, and a row
/// already written for the same ETag is not scored again.
/// </summary>
/// <remarks>
/// Split by concern: this file holds the entry points and the in-flight de-duplication; <c>ScoringService.Delivery.cs</c>
/// the two delivery paths, <c>ScoringService.Model.cs</c> the model to score with, <c>ScoringService.Extract.cs</c> the
/// CPU-gated extraction and scoring, <c>ScoringService.Commit.cs</c> the conditional row write.
/// </remarks>
public sealed partial class ScoringService(
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

    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

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
}
