using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Detectors;
using FunctionsDrift.Core.Features;
using FunctionsDrift.Core.Model;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// Features of the reference container's images, in name order (= time order): what a refit fits on, and what window tests
/// fall back to for a version without saved features. Images larger than <see cref="ScoringService.MaxBlobBytes"/> (at the
/// listing or on download), blobs deleted or replaced since the listing, and images the extractor rejects are skipped with
/// a warning, so one bad blob costs one image, and the memory per image stays bounded. With a
/// <see cref="ReferenceFeatureCache"/>, images whose cached features match their ETag are not downloaded or extracted.
/// </summary>
internal static class ReferenceImages
{
    /// <summary>Lists and extracts the container; <see cref="ReferenceExtraction.ContainerFound"/> is false when it does not exist.</summary>
    /// <param name="purpose">Who asks ("Refit", "Window tests"), to start the listing's log line.</param>
    /// <param name="zoomed">Also extract <see cref="ImageFeatures.ZoomedPatch"/> (four more CNN passes per image), which only a fit uses.</param>
    /// <param name="cache">Reuses and stores each image's features (with <paramref name="zoomed"/> only), and prunes entries of images gone.</param>
    public static async Task<ReferenceExtraction> ExtractAsync(BlobContainerClient container, FeatureExtractor extractor, int maxParallel,
        string purpose, ILogger log, CancellationToken ct, bool zoomed = false, ReferenceFeatureCache? cache = null)
    {
        if (cache is not null && !zoomed) throw new ArgumentException("the feature cache holds fit (zoomed) features only", nameof(cache));
        var names = new List<(string Name, ETag ETag)>();
        int oversized = 0;
        try
        {
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions(), ct))
            {
                if (item.Properties.ContentLength > ScoringService.MaxBlobBytes)
                {
                    log.LogWarning("Reference image {Blob} skipped: {Bytes} bytes, more than {Max}", item.Name, item.Properties.ContentLength, ScoringService.MaxBlobBytes);
                    oversized++;
                    continue;
                }
                names.Add((item.Name, item.Properties.ETag ?? default));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            log.LogWarning("Reference container {Container} does not exist", container.Name);
            return new ReferenceExtraction([], [], ContainerFound: false, Oversized: 0);
        }
        names.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        log.LogDebug("{Purpose}: {Count} reference images listed in {Container} ({Oversized} over the size cap)", purpose, names.Count, container.Name, oversized);

        var features = new ImageFeatures?[names.Count];
        int reused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = maxParallel, CancellationToken = ct }, async (i, token) =>
        {
            var (name, etag) = names[i];
            var entryCache = etag == default ? null : cache; // without an ETag an entry could not be told stale
            if (entryCache is not null && await entryCache.TryLoadAsync(name, etag, token) is { } cached)
            {
                features[i] = cached;
                Interlocked.Increment(ref reused);
                return;
            }
            BinaryData content;
            try
            {
                content = await DownloadCappedAsync(container.GetBlobClient(name), etag, token);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                log.LogWarning("Reference image {Blob} skipped: deleted or replaced since the listing ({Status})", name, e.Status);
                return;
            }
            catch (InvalidDataException e)
            {
                log.LogWarning("Reference image {Blob} skipped: {Error}", name, e.Message);
                return;
            }
            try
            {
                features[i] = zoomed ? extractor.ExtractReference(content.ToMemory().Span) : extractor.Extract(content.ToMemory().Span);
            }
            catch (DriftException e)
            {
                log.LogWarning("Reference image {Blob} skipped: {Error}", name, e.Message);
                return;
            }
            if (entryCache is not null) await SaveToCacheAsync(entryCache, name, etag, features[i]!, log, token);
        });
        if (cache is not null)
        {
            log.LogInformation("{Purpose}: {Reused} of {Count} reference images' features reused from the cache", purpose, reused, names.Count);
            await PruneCacheAsync(cache, names.Select(n => n.Name).ToHashSet(StringComparer.Ordinal), log, ct);
        }
        var usable = Enumerable.Range(0, names.Count).Where(i => features[i] is not null).ToList();
        return new ReferenceExtraction(usable.Select(i => features[i]!).ToList(), usable.Select(i => names[i]).ToList(), ContainerFound: true, oversized) { Reused = reused };
    }

    /// <summary>
    /// The region detector's crops (<see cref="RegionPlan"/>) for a fit on <paramref name="fit"/>, whose first images are
    /// <paramref name="reference"/>'s (the rest, accepted results, have no pixels here and give no crops). Each reference
    /// blob is downloaded again as listed; one deleted, replaced or unreadable since costs its crops, with a warning.
    /// </summary>
    public static Task<IReadOnlyList<ImageFeatures>> WithRegionCropsAsync(BlobContainerClient container, ReferenceExtraction reference,
        IReadOnlyList<ImageFeatures> fit, FeatureExtractor extractor, FitOptions options, int maxParallel, ILogger log, CancellationToken ct) =>
        RegionPlan.WithCropsAsync(fit, options, async (i, grid, cells, token) =>
        {
            if (i >= reference.Sources.Count) return null;
            var (name, etag) = reference.Sources[i];
            try
            {
                var content = await DownloadCappedAsync(container.GetBlobClient(name), etag, token);
                return extractor.EmbedRegions(content.ToMemory().Span, grid, cells);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                throw new DriftException($"deleted or replaced since the listing ({e.Status})", e);
            }
            catch (InvalidDataException e)
            {
                throw new DriftException(e.Message, e);
            }
        }, maxParallel, skipped: (i, e) => log.LogWarning("Reference image {Blob} gives no region crops: {Error}", reference.Sources[i].Name, e.Message),
        cancellationToken: ct);

    /// <summary>A failed write only costs this image's extraction again next time, so it is logged, not thrown.</summary>
    private static async Task SaveToCacheAsync(ReferenceFeatureCache cache, string name, ETag etag, ImageFeatures features, ILogger log, CancellationToken ct)
    {
        try
        {
            await cache.SaveAsync(name, etag, features, ct);
        }
        catch (RequestFailedException e)
        {
            log.LogWarning("Features of reference image {Blob} not cached ({Status}): the next refit extracts it again", name, e.Status);
        }
    }

    private static async Task PruneCacheAsync(ReferenceFeatureCache cache, IReadOnlySet<string> current, ILogger log, CancellationToken ct)
    {
        try
        {
            int deleted = await cache.PruneAsync(current, ct);
            if (deleted > 0) log.LogDebug("Feature cache: {Deleted} entries of images no longer in the reference removed", deleted);
        }
        catch (RequestFailedException e)
        {
            log.LogWarning("Pruning the reference feature cache failed ({Status})", e.Status);
        }
    }

    /// <summary>
    /// Downloads a blob no larger than <see cref="ScoringService.MaxBlobBytes"/>, checked again on the download itself, and
    /// only as listed (If-Match its ETag, so that cached features always belong to the bytes their ETag names).
    /// </summary>
    private static async Task<BinaryData> DownloadCappedAsync(BlobClient blob, ETag etag, CancellationToken ct)
    {
        var conditions = etag == default ? null : new BlobRequestConditions { IfMatch = etag };
        var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = conditions }, ct);
        using var download = response.Value;
        long length = download.Details.ContentLength;
        if (length > ScoringService.MaxBlobBytes)
        {
            throw new InvalidDataException($"{length} bytes, more than {ScoringService.MaxBlobBytes}");
        }
        var buffer = new byte[length];
        await download.Content.ReadExactlyAsync(buffer, ct);
        return BinaryData.FromBytes(buffer);
    }
}
