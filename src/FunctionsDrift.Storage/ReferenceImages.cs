using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsDrift.Core;
using FunctionsDrift.Core.Features;
using Microsoft.Extensions.Logging;

namespace FunctionsDrift.Storage;

/// <summary>
/// Features of the reference container's images, in name order (= time order): what a refit fits on, and what window tests
/// fall back to for a version without saved features. Images larger than <see cref="ScoringService.MaxBlobBytes"/> (at the
/// listing or on download), blobs deleted or replaced since the listing, and images the extractor rejects are skipped with
/// a warning, so one bad blob costs one image, and the memory per image stays bounded.
/// </summary>
internal static class ReferenceImages
{
    /// <summary>Lists and extracts the container; <see cref="ReferenceExtraction.ContainerFound"/> is false when it does not exist.</summary>
    /// <param name="purpose">Who asks ("Refit", "Window tests"), to start the listing's log line.</param>
    /// <param name="zoomed">Also extract <see cref="ImageFeatures.ZoomedPatch"/> (four more CNN passes per image), which only a fit uses.</param>
    public static async Task<ReferenceExtraction> ExtractAsync(BlobContainerClient container, FeatureExtractor extractor, int maxParallel,
        string purpose, ILogger log, CancellationToken ct, bool zoomed = false)
    {
        var names = new List<string>();
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
                names.Add(item.Name);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            log.LogWarning("Reference container {Container} does not exist", container.Name);
            return new ReferenceExtraction([], ContainerFound: false, Oversized: 0);
        }
        names.Sort(StringComparer.Ordinal);
        log.LogDebug("{Purpose}: {Count} reference images listed in {Container} ({Oversized} over the size cap)", purpose, names.Count, container.Name, oversized);

        var features = new ImageFeatures?[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = maxParallel, CancellationToken = ct }, async (i, token) =>
        {
            BinaryData content;
            try
            {
                content = await DownloadCappedAsync(container.GetBlobClient(names[i]), token);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                log.LogWarning("Reference image {Blob} skipped: deleted or replaced since the listing ({Status})", names[i], e.Status);
                return;
            }
            catch (InvalidDataException e)
            {
                log.LogWarning("Reference image {Blob} skipped: {Error}", names[i], e.Message);
                return;
            }
            try
            {
                features[i] = zoomed ? extractor.ExtractReference(content.ToMemory().Span) : extractor.Extract(content.ToMemory().Span);
            }
            catch (DriftException e)
            {
                log.LogWarning("Reference image {Blob} skipped: {Error}", names[i], e.Message);
            }
        });
        return new ReferenceExtraction(features.Where(f => f is not null).Select(f => f!).ToList(), ContainerFound: true, oversized);
    }

    /// <summary>
    /// Downloads a blob no larger than <see cref="ScoringService.MaxBlobBytes"/>, checked again on the download itself (the
    /// blob may have been replaced by a larger one since the listing).
    /// </summary>
    private static async Task<BinaryData> DownloadCappedAsync(BlobClient blob, CancellationToken ct)
    {
        var response = await blob.DownloadStreamingAsync(cancellationToken: ct);
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
