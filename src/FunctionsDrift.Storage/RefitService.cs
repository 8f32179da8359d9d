using Azure;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// Result of one refit. <paramref name="RefitId"/> names the refit; with <paramref name="AlreadyRunning"/> it is the id of the
/// refit that was running (in this or another process) when this one was asked for, and nothing else was done.
/// </summary>
public sealed record RefitOutcome(bool Published, string? Version, int ReferenceImages, int AcceptedImages, string Message,
    string? RefitId = null, bool AlreadyRunning = false);

/// <summary>
/// The handler behind RefitReference (timer) and POST /api/refit: fit and calibrate a new reference from the reference
/// container (name order = time order), optionally widened by accepted rows of the last RefitWindowDays using their
/// stored features; write the version, swap the pointer, prune. Too few images: skipped with a clear log, no throw.
/// </summary>
public sealed class RefitService(
    StorageClients clients,
    DriftSettings settings,
    FeatureExtractor extractor,
    ModelStore models,
    ResultsStore results,
    ILogger<RefitService> log)
{
    private RefitLock Lock => new(models.Container, log);

    /// <summary>
    /// Runs one refit, unless one is running already (here or in another process: see <see cref="RefitLock"/>); then it
    /// returns at once with <see cref="RefitOutcome.AlreadyRunning"/> and the running refit's id.
    /// </summary>
    public async Task<RefitOutcome> RefitAsync(CancellationToken ct, int? maxParallel = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var (held, running) = await Lock.TryAcquireAsync(id, ct);
        if (held is null)
        {
            log.LogInformation("Refit {Id} not started: refit {Running} is running", id, running);
            return new RefitOutcome(false, null, 0, 0, $"refit {running} is already running", running, AlreadyRunning: true);
        }
        await using (held)
        {
            log.LogInformation("Refit {Id} started", id);
            var outcome = await RefitCoreAsync(ct, maxParallel ?? Math.Max(1, Environment.ProcessorCount / 2));
            return outcome with { RefitId = id };
        }
    }

    private async Task<RefitOutcome> RefitCoreAsync(CancellationToken ct, int maxParallel)
    {
        var container = clients.Blobs.GetBlobContainerClient(settings.ReferenceContainer);
        var reference = await ReferenceImages.ExtractAsync(container, extractor, maxParallel, "Refit", log, ct, zoomed: true,
            new ReferenceFeatureCache(models.Container, extractor.ModelIdentity, log));
        var all = reference.Features.ToList();
        int referenceCount = all.Count;

        int accepted = 0;
        // Accepted rows carry the identity of the embedder that scored them (EmbedderIdentity): after a switch of embedding
        // model (FP32 ↔ INT8) only this embedder's rows join the reference.
        if (settings.RefitWindowDays > 0)
        {
            var since = DateTimeOffset.UtcNow.AddDays(-settings.RefitWindowDays);
            int otherEmbedder = 0;
            foreach (var row in await results.AcceptedSinceAsync(since, settings.RefitMaxAccepted, extractor.ModelIdentity, ct))
            {
                var f = row.ToFeatures();
                // Features of another embedder can have the same length and mean something else: only this one's rows count.
                if (row.EmbedderIdentity != extractor.ModelIdentity)
                {
                    otherEmbedder++;
                    continue;
                }
                if (f is null || f.HasEmbedding != (extractor.ModelIdentity != "none")) continue;
                if (f.HasEmbedding && referenceCount > 0 && f.Embedding.Length != all[0].Embedding.Length) continue;
                // Rows scored before a quality statistic was added cannot join the quality detector's reference.
                if (f.Quality.Length != QualityFeatures.Count) continue;
                // Rows scored before the patch descriptors changed shape cannot join the patch detector's bank.
                if (referenceCount > 0 && (f.PatchCount != all[0].PatchCount || f.Patch.Length != all[0].Patch.Length)) continue;
                all.Add(f);
                accepted++;
            }
            if (otherEmbedder > 0)
            {
                log.LogWarning("Refit ignored {Count} accepted rows scored with another embedder than {Identity}", otherEmbedder, extractor.ModelIdentity);
            }
        }

        if (all.Count < settings.MinImages)
        {
            var message = $"refit skipped: {all.Count} usable images ({referenceCount} in container '{settings.ReferenceContainer}', {accepted} accepted), at least {settings.MinImages} needed";
            log.LogWarning("Refit skipped: {Count} usable images ({Reference} reference, {Accepted} accepted), at least {Min} needed",
                all.Count, referenceCount, accepted, settings.MinImages);
            return new RefitOutcome(false, null, referenceCount, accepted, message);
        }

        var options = new FitOptions { FalseAlarmRate = settings.TargetFalseAlarmRate, MinImages = settings.MinImages };
        var fit = await ReferenceImages.WithRegionCropsAsync(container, reference, all, extractor, options, maxParallel, log, ct);
        var model = ReferenceFitter.Fit(fit, extractor.ModelIdentity, options, new Progress<string>(m => log.LogDebug("Refit: {Step}", m)));
        // The fitted features go next to the version before the pointer names it, so window tests find them.
        var featureStore = new ReferenceFeatureStore(models.Container, log);
        await SaveFeaturesAsync(featureStore, model.Version, all, ct);
        bool swapped = await models.PublishAsync(model, ct);
        await models.PruneAsync(settings.KeepModelVersions, ct);
        await PruneFeaturesAsync(featureStore, ct);
        log.LogInformation("Refit published {Version} from {Reference} reference and {Accepted} accepted images (current: {Swapped})",
            model.Version, referenceCount, accepted, swapped);
        return new RefitOutcome(swapped, model.Version, referenceCount, accepted,
            $"published {model.Version} from {referenceCount} reference and {accepted} accepted images");
    }

    /// <summary>Saves the features of a version for window tests; a failure only costs a re-extraction later, so it is logged, not thrown.</summary>
    private async Task SaveFeaturesAsync(ReferenceFeatureStore store, string version, IReadOnlyList<ImageFeatures> features, CancellationToken ct)
    {
        try
        {
            await store.SaveAsync(version, features, ct);
        }
        catch (RequestFailedException e)
        {
            log.LogWarning("Reference features of {Version} not saved ({Status}): window tests will re-extract", version, e.Status);
        }
    }

    private async Task PruneFeaturesAsync(ReferenceFeatureStore store, CancellationToken ct)
    {
        try
        {
            await store.PruneAsync(await models.ListVersionsAsync(ct), ct);
        }
        catch (RequestFailedException e)
        {
            log.LogWarning("Pruning reference features failed ({Status})", e.Status);
        }
    }
}
